/* ISC license. */

#include <stdlib.h>

#include <skalibs/types.h>
#include <skalibs/strerr.h>

#include "tls-internal.h"

static char const *or_dash (char const *s)
{
  return s ? s : "-";
}

void tlsp_log_conn (utls_engine const *e, tlsp_facts const *facts, char const *end)
{
  static tlsp_facts const none = TLSP_FACTS_ZERO;
  char const *ip = getenv("TCPREMOTEIP");
  char const *port = getenv("TCPREMOTEPORT");
  char in[UINT64_FMT];
  char out[UINT64_FMT];
  if (!facts) facts = &none;
  in[uint64_fmt(in, e->bytes_to_app)] = 0;
  out[uint64_fmt(out, e->bytes_to_net)] = 0;
  strerr_warni("peer ", ip ? ip : "-", ":", port ? port : "-",
    " protocol ", or_dash(facts->protocol),
    " cipher ", or_dash(facts->cipher),
    " sni ", or_dash(facts->sni),
    " alpn ", or_dash(facts->alpn),
    " peer_subject \"", or_dash(facts->peer_subject), "\"",
    " resumed ", or_dash(facts->resumed),
    " bytes_in ", in, " bytes_out ", out, " end ", end);
}
