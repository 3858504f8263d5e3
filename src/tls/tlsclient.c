/* ISC license. */

#include <skalibs/strerr.h>

#include <utls/config.h>

#include "tls-internal.h"

#define USAGE "tlsclient [ -n ] [ -W client ] [ -i localip ] [ -p localport ] [ -T timeoutconn ] [ -l localname ] [ -t timeoutinfo ] [ -h | -H ] [ -r | -R ] [ -d | -D ] [ -v verbosity ] [ -K timeout ] [ -I idletimeout ] [ -L writetimeout ] [ -S | -s ] [ -J | -j ] [ -Y | -y ] [ -Z | -z ] [ -k servername ] [ -a alpn,... ] [ --pin=sha256//BASE64 ] [ --insecure-no-verify ] host port prog..."

/*
 * tcpclient [ options ] host port tlsc -k host [ options ] prog...
 * (ucspitlsc with -n). host is the name sent as SNI and verified in the
 * server's certificate, unless -k names another. Defaults: no ident
 * (-R), no reverse DNS (-H), no local name lookup (-l 0).
 */

static tlsp_wrap_default const defaults[] =
{
  { .unless = "hH", .letter = 'H', .arg = 0 },
  { .unless = "rR", .letter = 'R', .arg = 0 },
  { .unless = "l", .letter = 'l', .arg = "0" },
  { .unless = 0 },
};

static tlsp_wrap_spec const spec =
{
  .usage = USAGE,
  .super_default = UTLS_TCPCLIENT,
  .s6_name = "s6-tcpclient",
  .engine = "tlsc",
  .engine_delayed = "ucspitlsc",
  .all_opts = "nW:v:K:I:L:SsJjYyZzk:a:i:p:T:l:t:hHrRdD",
  .tls_opts = "vKILSsJjYyZzka",
  .s6_opts = "ipTlthHrRdD",
  .numeric_opts = "vKILpt",
  .defaults = defaults,
  .long_ok = 1,
  .name_from_host = 1,
};

int main (int argc, char const *const *argv)
{
  PROG = "tlsclient";
  tlsp_wrap(argc, argv, &spec);
}
