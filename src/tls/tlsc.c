/* ISC license. */

#include <skalibs/strerr.h>

#include "tls-internal.h"

#define USAGE "tlsc [ -v verbosity ] [ -K timeout ] [ -I idletimeout ] [ -L writetimeout ] [ -S | -s ] [ -J | -j ] [ -Y | -y ] [ -Z | -z ] [ -k servername ] [ -a alpn,... ] [ -6 fdr ] [ -7 fdw ] [ --pin=sha256//BASE64 ] [ --insecure-no-verify ] prog..."

/* tlsc: the network is on fds 6 and 7 (tcpclient), or -6/-7. See tlsp_immediate_main.c. */

int main (int argc, char const *const *argv)
{
  tlsp_opts opts = TLSP_OPTS_ZERO;
  utls_fds fds;
  PROG = "tlsc";
  tlsp_getopt(&argc, &argv, "v:K:I:L:SsJjYyZzk:a:6:7:", &opts, USAGE, 0);
  if (!argc) strerr_dieusage(UTLS_EXIT_USAGE, USAGE);
  tlsp_client_check(&opts, &fds);
  return tlsp_immediate_main(argv, &opts, &fds, &tlsp_client_side);
}
