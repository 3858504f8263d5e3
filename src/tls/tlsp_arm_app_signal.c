/* ISC license. */

#include <signal.h>
#include <fcntl.h>

#include <skalibs/djbunix.h>

#include "tls-internal.h"

/* And F_SETSIG, the same way. */
#ifdef F_SETSIG
# define TLSP_F_SETSIG F_SETSIG
#else
# define TLSP_F_SETSIG 10
#endif

/*
 * -J must be able to signal the application after the engine dropped
 * its privileges (TLS_UID/TLS_GID) while the application kept its own:
 * kill() is then refused. A descriptor owned (F_SETOWN) by the
 * application, with F_SETSIG SIGTERM and O_ASYNC, makes the kernel send
 * the signal when it becomes readable, checked against the credentials
 * of whoever called F_SETOWN: us, now, before the drop. Returns the end
 * to write a byte to, or 0 where this does not work (then kill() alone).
 * Both ends stay in the engine only (close-on-exec, forked after).
 */
int tlsp_arm_app_signal (pid_t pid)
{
#ifdef __linux__
  int p[2];
  if (pipecoe(p) < 0) return 0;
  p[0] = tlsp_fd_high(p[0]);
  p[1] = tlsp_fd_high(p[1]);
  if (fcntl(p[0], TLSP_F_SETSIG, SIGTERM) < 0
   || fcntl(p[0], F_SETOWN, pid) < 0
   || fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK) < 0
   || ndelay_on(p[1]) < 0)
  {
    fd_close(p[0]);
    fd_close(p[1]);
    return 0;
  }
  /* p[0] stays open, unread, until the engine exits. */
  return p[1];
#else
  (void)pid;
  return 0;
#endif
}
