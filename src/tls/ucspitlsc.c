/* ISC license. */

#include <skalibs/strerr.h>

#include "tls-internal.h"

#define USAGE "ucspitlsc [ -v verbosity ] [ -K timeout ] [ -I idletimeout ] [ -L writetimeout ] [ -S | -s ] [ -J | -j ] [ -Y | -y ] [ -Z | -z ] [ -k servername ] [ -a alpn,... ] [ -6 fdr ] [ -7 fdw ] [ --pin=sha256//BASE64 ] [ --insecure-no-verify ] prog..."

/*
 * ucspitlsc: UCSPI-TLS client. The application runs at once on the
 * network (fds 6/7) with SSLCTLFD, SSLREADFD and SSLWRITEFD; TLS starts
 * when it writes y or Y on SSLCTLFD, and is refused if the server has
 * sent anything the application did not read. See tlsp_delayed_main.c.
 */

int main (int argc, char const *const *argv)
{
  tlsp_opts opts = TLSP_OPTS_ZERO;
  utls_fds fds;
  PROG = "ucspitlsc";
  tlsp_getopt(&argc, &argv, "v:K:I:L:SsJjYyZzk:a:6:7:", &opts, USAGE, 0);
  if (!argc) strerr_dieusage(UTLS_EXIT_USAGE, USAGE);
  tlsp_client_check(&opts, &fds);
  return tlsp_delayed_main(argv, &opts, &fds, &tlsp_client_side);
}
