/* ISC license. */

#include <skalibs/strerr.h>

#include "tls-internal.h"

/* The remote cache's last failure, at -v 2: it cost a resumption. */
void tlsp_cache_note (utls_sesscache *c, tlsp_opts const *opts)
{
  if (c->why && opts->verbosity >= 2) strerr_warni("session cache: memcached: ", c->why);
  c->why = 0;
}
