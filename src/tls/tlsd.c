/* ISC license. */

#include <skalibs/strerr.h>

#include "tls-internal.h"

#define USAGE "tlsd [ -v verbosity ] [ -K timeout ] [ -I idletimeout ] [ -L writetimeout ] [ -S | -s ] [ -J | -j ] [ -Y | -y ] [ -Z | -z ] [ -k snilevel ] [ -a alpn,... ] prog..."

/* tlsd: the network is on fds 0 and 1. See utlsp_immediate.c. */

int main (int argc, char const *const *argv)
{
  utlsp_opts opts = UTLSP_OPTS_ZERO;
  utls_fds fds = { .net_in = 0, .net_out = 1, .app_in = -1, .app_out = -1 };
  PROG = "tlsd";
  utlsp_getopt(&argc, &argv, "v:K:I:L:SsJjYyZzk:a:", &opts, USAGE, 1);
  if (!argc) strerr_dieusage(UTLS_EXIT_USAGE, USAGE);
  return utlsp_immediate_main(argv, &opts, &fds, &utlsp_server_side);
}
