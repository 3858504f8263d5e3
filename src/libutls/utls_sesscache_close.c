/* ISC license. */

#include <sys/mman.h>

#include <utls/sesscache.h>
#include "sesscache-internal.h"

void utls_sesscache_close (utls_sesscache *c)
{
  if (c->map) munmap(c->map, c->len);
  c->map = 0;
  if (c->remote) utlsp_sc_remote_close(c);
}
