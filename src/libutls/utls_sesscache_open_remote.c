/* ISC license. */

#include <utls/utls.h>
#include <utls/sesscache.h>
#include "sesscache-internal.h"

/* One engine per process, one remote cache. */
static utls_sessremote remote;

int utls_sesscache_open_remote (utls_sesscache *c, char const *spec, utls_sealkey const *keys, unsigned int nkeys, uint32_t lifetime, unsigned int timeout_ms)
{
  unsigned int i = 0;
  int r = utls_mc_parse(&remote.mc, spec);
  if (r) return r;
  if (nkeys > 2) nkeys = 2;
  for (; i < nkeys; i++) remote.keys[i] = keys[i];
  remote.nkeys = nkeys;
  remote.timeout_ms = timeout_ms;
  c->map = 0;
  c->len = 0;
  c->nslots = 0;
  c->lifetime = lifetime;
  c->remote = &remote;
  c->why = 0;
  return 0;
}
