/* ISC license. */

#include <skalibs/strerr.h>

#include "tls-internal.h"

#define USAGE "tlsc [ -v verbosity ] [ -K timeout ] [ -I idletimeout ] [ -L writetimeout ] [ -S | -s ] [ -J | -j ] [ -Y | -y ] [ -Z | -z ] [ -k servername ] [ -a alpn,... ] [ -6 fdr ] [ -7 fdw ] [ --pin=sha256//BASE64 ] [ --insecure-no-verify ] prog..."

/* tlsc: the network is on fds 6 and 7 (tcpclient), or -6/-7. See utlsp_immediate.c. */

int main (int argc, char const *const *argv)
{
  utlsp_opts opts = UTLSP_OPTS_ZERO;
  utls_fds fds;
  PROG = "tlsc";
  utlsp_getopt(&argc, &argv, "v:K:I:L:SsJjYyZzk:a:6:7:", &opts, USAGE, 0);
  if (!argc) strerr_dieusage(UTLS_EXIT_USAGE, USAGE);
  utlsp_client_check(&opts, &fds);
  return utlsp_immediate_main(argv, &opts, &fds, &utlsp_client_side);
}
