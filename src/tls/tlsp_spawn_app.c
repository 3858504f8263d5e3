/* ISC license. */

#include <unistd.h>
#include <fcntl.h>

#include <skalibs/djbunix.h>
#include <skalibs/strerr.h>

#include "tls-internal.h"

/* Linux's F_SETPIPE_SZ, which fcntl.h only shows with _GNU_SOURCE. */
#ifdef F_SETPIPE_SZ
# define TLSP_F_SETPIPE_SZ F_SETPIPE_SZ
#else
# define TLSP_F_SETPIPE_SZ 1031
#endif

/*
 * The child's side of the fork. Every pipe end is already above the
 * range the application's descriptors live in (tlsp_fd_high), so
 * placing the pipes on app_rfd/app_wfd can only overwrite a network
 * descriptor, never another pipe end: the facts descriptor in
 * particular cannot be replaced by the pipe that carries the peer's
 * plaintext, and the pipes cannot replace each other, whatever -6/-7
 * said and whichever of 0-9 were open.
 */
static void child_place (utls_fds const *fds, int app_rfd, int app_wfd, int rfd, int wfd)
{
  /* The application must not hold the network: its descriptors are
     replaced by the pipes, or closed if they live elsewhere. */
  if (fds->net_in != app_rfd && fds->net_in != app_wfd) fd_close(fds->net_in);
  if (fds->net_out != fds->net_in && fds->net_out != app_rfd && fds->net_out != app_wfd) fd_close(fds->net_out);
  if (fd_move(app_rfd, rfd) < 0 || fd_move(app_wfd, wfd) < 0)
    strerr_diefusys(UTLS_EXIT_SYS, "move descriptors");
}

pid_t tlsp_spawn_app (char const *const *argv, utls_fds *fds, int app_rfd, int app_wfd, int *factsfd, int keep_env)
{
  int down[2], up[2], facts[2];
  unsigned int i = 0;
  pid_t pid;
  if (pipecoe(down) < 0 || pipecoe(up) < 0 || pipecoe(facts) < 0)
    strerr_diefusys(UTLS_EXIT_SYS, "create pipes");
  for (; i < 2; i++)
  {
    down[i] = tlsp_fd_high(down[i]);
    up[i] = tlsp_fd_high(up[i]);
    facts[i] = tlsp_fd_high(facts[i]);
  }
  /* Room for 16 records each way: fewer wakeups in bulk transfers. Pages
     are only allocated as they fill; failure just keeps the default. */
  fcntl(down[1], TLSP_F_SETPIPE_SZ, 262144);
  fcntl(up[1], TLSP_F_SETPIPE_SZ, 262144);
  pid = fork();
  if (pid < 0) strerr_diefusys(UTLS_EXIT_SYS, "fork");
  if (!pid)
  {
    fd_close(down[1]);
    fd_close(up[0]);
    fd_close(facts[1]);
    child_place(fds, app_rfd, app_wfd, down[0], up[1]);
    tlsp_child_exec(facts[0], argv, keep_env);
  }
  fd_close(down[0]);
  fd_close(up[1]);
  fd_close(facts[0]);
  fds->app_out = down[1];
  fds->app_in = up[0];
  *factsfd = facts[1];
  return pid;
}
