/* ISC license. */

#include <errno.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/error.h>
#include <skalibs/iopause.h>
#include <skalibs/socket.h>
#include <skalibs/tai.h>

#include "mc-internal.h"

int utlsp_mc_drop (utls_mc *mc, utls_mc_server *s, char const *why)
{
  if (s->fd >= 0) fd_close(s->fd);
  s->fd = -1;
  mc->why = why;
  return -1;
}

/* Non-blocking, close-on-exec: never inherited by the application. */
int utlsp_mc_connect (utls_mc *mc, utls_mc_server *s, tain const *deadline)
{
  int ok;
  if (s->fd >= 0) return 0;
  s->fd = s->kind == 4 ? socket_tcp4_nbcoe() : s->kind == 6 ? socket_tcp6_nbcoe() : ipc_stream_nbcoe();
  if (s->fd < 0) return utlsp_mc_drop(mc, s, "cannot create a socket");
  if (s->kind == 4) ok = socket_deadlineconnstamp4(s->fd, s->ip, s->port, deadline, &STAMP);
  else if (s->kind == 6) ok = socket_deadlineconnstamp6(s->fd, s->ip, s->port, deadline, &STAMP);
  else
  {
    ok = ipc_connect(s->fd, s->id);
    if (!ok && (errno == EINPROGRESS || error_isagain(errno))) ok = socket_waitconn(s->fd, deadline, &STAMP);
  }
  if (!ok) return utlsp_mc_drop(mc, s, errno == ETIMEDOUT ? "connection timed out" : "connection refused or failed");
  return 0;
}

int utlsp_mc_write (utls_mc *mc, utls_mc_server *s, char const *buf, size_t len, tain const *deadline)
{
  while (len)
  {
    iopause_fd x = { .fd = s->fd, .events = IOPAUSE_WRITE };
    ssize_t r = fd_write(s->fd, buf, len);
    if (r > 0) { buf += r; len -= r; continue; }
    if (r < 0 && !error_isagain(errno)) return utlsp_mc_drop(mc, s, "write failed");
    r = iopause_stamp(&x, 1, deadline, &STAMP);
    if (r < 0) return utlsp_mc_drop(mc, s, "poll failed");
    if (!r) return utlsp_mc_drop(mc, s, "write timed out");
  }
  return 0;
}
