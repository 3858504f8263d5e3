/* ISC license. */

#include <skalibs/djbunix.h>

#include "tls-internal.h"

int tlsp_reap (pid_t pid)
{
  int wstat;
  if (wait_pid(pid, &wstat) < 0) return UTLS_EXIT_SYS;
  return wait_estatus(wstat);
}
