/* ISC license. */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

#include <skalibs/types.h>
#include <skalibs/strerr.h>
#include <skalibs/djbunix.h>
#include <skalibs/bytestr.h>

#include "tls-internal.h"

char const *utlsp_engine_errstr (utls_engine const *e)
{
  if (e->sys_what) return strerror(e->sys_errno);
  /* Records start with 20..23; SSLv2 hellos with 0x80. A letter means a
     plaintext protocol: say so rather than "unsupported version". */
  if (!e->handshake_done && e->bytes_from_net && (e->first_byte < 20 || e->first_byte > 23) && e->first_byte != 0x80)
    return "peer did not start a TLS handshake (plaintext or another protocol?)";
  if (!e->handshake_done && !e->err && e->peer_close_notify)
    return "peer ended the session (close_notify) before the handshake completed";
  return utls_error_str(e->err);
}

/* One pass over the block: the first entry of each name. */
void utlsp_facts_read (utlsp_facts *facts, utls_envblock const *block)
{
  static char const *const names[6] = { "SSL_PROTOCOL", "SSL_CIPHER", "SSL_TLS_SNI_SERVERNAME", "SSL_ALPN_PROTOCOL", "SSL_PEER_CERT_SUBJECT", "SSL_SESSION_RESUMED" };
  char const **const values[6] = { &facts->protocol, &facts->cipher, &facts->sni, &facts->alpn, &facts->peer_subject, &facts->resumed };
  size_t i = 0;
  *facts = (utlsp_facts)UTLSP_FACTS_ZERO;
  while (i < block->len && block->buf[i])
  {
    char const *s = block->buf + i;
    size_t namelen = strcspn(s, "=");
    unsigned int j = 0;
    if (s[namelen])
      for (; j < 6; j++)
        if (!*values[j] && strlen(names[j]) == namelen && !strncmp(s, names[j], namelen)) *values[j] = s + namelen + 1;
    i += strlen(s) + 1;
  }
}

static char const *or_dash (char const *s)
{
  return s ? s : "-";
}

void utlsp_log_conn (utls_engine const *e, utlsp_facts const *facts, char const *end)
{
  static utlsp_facts const none = UTLSP_FACTS_ZERO;
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

int utlsp_reap (pid_t pid)
{
  int wstat;
  if (wait_pid(pid, &wstat) < 0) return UTLS_EXIT_SYS;
  return wait_estatus(wstat);
}
