/* ISC license. */

#include <sys/mman.h>

#include <utls/sesscache.h>

void utls_sesscache_close (utls_sesscache *c)
{
  if (c->map) munmap(c->map, c->len);
  c->map = 0;
}
