/* ISC license. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <skalibs/bytestr.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "tls-internal.h"

/*
 * TLS_SESSION_CACHE and its two companions. A bad number is a usage
 * error (100), like any other bad variable; everything about the file
 * itself is only a warning: the cache can cost a resumption, never a
 * connection.
 */
/* TLS_SESSION_KEYFILE (and _OLD): exactly 32 bytes each, or exit 96. */
static void read_key (utls_sealkey *k, char const *var, char const *path)
{
  int r = utls_sealkey_readfile(k, path);
  if (r < 0) strerr_diefu(UTLS_EXIT_CONFIG, "read ", var, " ", path, ": ", strerror(errno));
  if (r) strerr_dief(UTLS_EXIT_CONFIG, var, " ", path, ": ", utls_error_str(r));
}

/*
 * memcached:LIST, for a fleet. The keys are read now, before privileges
 * are dropped (the files can be root's, mode 0600), and wiped when the
 * cache is closed. Without a key file there is nothing to seal with: a
 * configuration error, like a bad CERTFILE.
 */
static int open_remote (utls_sesscache *c, char const *spec, uint32_t lifetime)
{
  utls_sealkey keys[2];
  char const *kf = getenv("TLS_SESSION_KEYFILE");
  char const *old = getenv("TLS_SESSION_KEYFILE_OLD");
  char const *s = getenv("TLS_SESSION_CACHE_TIMEOUT");
  unsigned int n = 1, timeout = TLSP_MC_TIMEOUT;
  int r;
  if (s && (!uint0_scan(s, &timeout) || !timeout || timeout > 10000))
    strerr_dief(UTLS_EXIT_USAGE, "TLS_SESSION_CACHE_TIMEOUT must be a number of milliseconds from 1 to 10000: ", s);
  if (!kf || !kf[0]) strerr_dief(UTLS_EXIT_CONFIG, "TLS_SESSION_CACHE is memcached: but TLS_SESSION_KEYFILE is not set (head -c 32 /dev/urandom makes one)");
  read_key(keys, "TLS_SESSION_KEYFILE", kf);
  if (old && old[0]) { read_key(keys + 1, "TLS_SESSION_KEYFILE_OLD", old); n = 2; }
  r = utls_sesscache_open_remote(c, spec, keys, n, lifetime, timeout);
  byte_zzero((char *)keys, sizeof keys);
  if (r) strerr_dief(UTLS_EXIT_USAGE, "TLS_SESSION_CACHE: ", utls_error_str(r), ": memcached:", spec);
  return 1;
}

int tlsp_cache_open (utls_sesscache *c, tlsp_opts const *opts)
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
  if (!strncmp(path, "memcached:", 10)) return open_remote(c, path + 10, lifetime);
  if (utls_sesscache_open(c, path, nslots, lifetime, &why) < 0)
  {
    if (opts->verbosity) strerr_warnw("session cache ", path, " not used (", why, "): full handshakes only");
    return 0;
  }
  return 1;
}
