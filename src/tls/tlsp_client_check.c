/* ISC license. */

#include <fcntl.h>

#include <skalibs/strerr.h>

#include "tls-internal.h"

static void check_fd (int fd, char const *what)
{
  if (fcntl(fd, F_GETFD) < 0) strerr_diefusys(UTLS_EXIT_USAGE, "use ", what, " (not an open descriptor; run under tcpclient or give -6/-7)");
}

void tlsp_client_check (tlsp_opts const *opts, utls_fds *fds)
{
  check_fd(opts->fd_read, "the network read descriptor");
  check_fd(opts->fd_write, "the network write descriptor");
  if (opts->insecure && opts->pin) strerr_dief(UTLS_EXIT_USAGE, "--insecure-no-verify and --pin exclude each other");
  fds->net_in = opts->fd_read;
  fds->net_out = opts->fd_write;
  fds->app_in = fds->app_out = -1;
}
