/* ISC license. */

#include <fcntl.h>

#include <skalibs/djbunix.h>
#include <skalibs/strerr.h>

#include "tls-internal.h"

int tlsp_fd_high (int fd)
{
  int r;
  if (fd >= TLSP_FD_LOW) return fd;
  r = fcntl(fd, F_DUPFD_CLOEXEC, TLSP_FD_LOW);
  if (r < 0) strerr_diefusys(UTLS_EXIT_SYS, "duplicate a descriptor");
  fd_close(fd);
  return r;
}
