/* ISC license. */

#include <skalibs/djbunix.h>

#include <utls/remote.h>

void utls_mc_close (utls_mc *mc)
{
  unsigned int i = 0;
  for (; i < mc->n; i++)
    if (mc->srv[i].fd >= 0) { fd_close(mc->srv[i].fd); mc->srv[i].fd = -1; }
}
