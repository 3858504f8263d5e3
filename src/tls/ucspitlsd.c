/* ISC license. */

#include <skalibs/strerr.h>

#include "tls-internal.h"

#define USAGE "ucspitlsd [ -v verbosity ] [ -K timeout ] [ -I idletimeout ] [ -L writetimeout ] [ -S | -s ] [ -J | -j ] [ -Y | -y ] [ -Z | -z ] [ -k snilevel ] [ -a alpn,... ] prog..."

/*
 * ucspitlsd: UCSPI-TLS server. The application runs at once on the
 * network (fds 0/1) with SSLCTLFD, SSLREADFD and SSLWRITEFD; TLS starts
 * when it writes y or Y on SSLCTLFD. See tlsp_delayed_main.c.
 */

int main (int argc, char const *const *argv)
{
  tlsp_opts opts = TLSP_OPTS_ZERO;
  utls_fds fds = { .net_in = 0, .net_out = 1, .app_in = -1, .app_out = -1 };
  PROG = "ucspitlsd";
  tlsp_getopt(&argc, &argv, "v:K:I:L:SsJjYyZzk:a:", &opts, USAGE, 1);
  if (!argc) strerr_dieusage(UTLS_EXIT_USAGE, USAGE);
  return tlsp_delayed_main(argv, &opts, &fds, &tlsp_server_side);
}
