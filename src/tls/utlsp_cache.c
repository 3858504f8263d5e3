/* ISC license. */

#include <stdlib.h>
#include <string.h>

#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "tls-internal.h"

/*
 * TLS_SESSION_CACHE and its two companions. A bad number is a usage
 * error (100), like any other bad variable; everything about the file
 * itself is only a warning: the cache can cost a resumption, never a
 * connection.
 */
int utlsp_cache_open (utls_sesscache *c, utlsp_opts const *opts)
{
  char const *path = getenv("TLS_SESSION_CACHE");
  char const *s;
  char const *why;
  uint32_t nslots = UTLS_SC_DEFAULT_SLOTS;
  uint32_t lifetime = UTLS_SC_DEFAULT_LIFETIME;
  c->map = 0;
  if (!path || !path[0]) return 0;
  s = getenv("TLS_SESSION_CACHE_SIZE");
  if (s && (!uint320_scan(s, &nslots) || nslots < UTLS_SC_MIN_SLOTS || nslots > UTLS_SC_MAX_SLOTS))
    strerr_dief(UTLS_EXIT_USAGE, "TLS_SESSION_CACHE_SIZE must be a number of entries from 4 to 1048576: ", s);
  s = getenv("TLS_SESSION_LIFETIME");
  if (s && (!uint320_scan(s, &lifetime) || lifetime > UTLS_SC_MAX_LIFETIME))
    strerr_dief(UTLS_EXIT_USAGE, "TLS_SESSION_LIFETIME must be a number of seconds from 0 to 86400: ", s);
  if (!lifetime) return 0;
  if (utls_sesscache_open(c, path, nslots, lifetime, &why) < 0)
  {
    if (opts->verbosity) strerr_warnw("session cache ", path, " not used (", why, "): full handshakes only");
    return 0;
  }
  return 1;
}

int utlsp_block_append (utls_envblock *block, char const *s, size_t len)
{
  if (block->overflow || block->len > UTLS_ENVBLOCK_MAX - 1 || len > UTLS_ENVBLOCK_MAX - 1 - block->len)
  {
    block->overflow = 1;
    return 0;
  }
  memcpy(block->buf + block->len, s, len);
  block->len += len;
  return 1;
}
