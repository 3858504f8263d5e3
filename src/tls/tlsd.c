/* ISC license. */

#include <skalibs/strerr.h>

#include "tls-internal.h"

#define USAGE "tlsd [ -v verbosity ] [ -K timeout ] [ -I idletimeout ] [ -L writetimeout ] [ -S | -s ] [ -J | -j ] [ -Y | -y ] [ -Z | -z ] [ -k snilevel ] [ -a alpn,... ] prog..."

/* tlsd: the network is on fds 0 and 1. See tlsp_immediate_main.c. */

int main (int argc, char const *const *argv)
{
  tlsp_opts opts = TLSP_OPTS_ZERO;
  utls_fds fds = { .net_in = 0, .net_out = 1, .app_in = -1, .app_out = -1 };
  PROG = "tlsd";
  tlsp_getopt(&argc, &argv, "v:K:I:L:SsJjYyZzk:a:", &opts, USAGE, 1);
  if (!argc) strerr_dieusage(UTLS_EXIT_USAGE, USAGE);
  return tlsp_immediate_main(argv, &opts, &fds, &tlsp_server_side);
}
