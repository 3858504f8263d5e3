/* ISC license. */

#include <skalibs/strerr.h>

#include <utls/config.h>

#include "tls-internal.h"

#define USAGE "tlsserver [ -n ] [ -W superserver ] [ -c maxconn ] [ -b backlog ] [ -1 ] [ -x rules.cdb ] [ -X ] [ -u uid ] [ -g gid ] [ -U ] [ -h | -H ] [ -r | -R ] [ -p | -P ] [ -l localname ] [ -t timeout ] [ -v verbosity ] [ -K timeout ] [ -I idletimeout ] [ -L writetimeout ] [ -S | -s ] [ -J | -j ] [ -Y | -y ] [ -Z | -z ] [ -k snilevel ] [ -a alpn,... ] [ -B ] [ -A address[/prefixlen] ]... host port prog..."

/*
 * tcpserver [ options ] host port tlsd [ options ] prog...  (ucspitlsd with -n)
 * The defaults favour a service that does not stall: no ident (-R), no
 * reverse DNS (-H), no local name lookup (-l 0), and 1000 concurrent
 * connections instead of tcpserver's 40. s6-tcpserver (-W) knows only
 * -c -b -1 -u -g -U; its access control is s6-tcpserver-access's job.
 * -B (behind a balancer) puts proxy-accept before the engine; -A
 * address[/prefixlen] is a balancer it trusts (-a there), and implies -B.
 */

static tlsp_wrap_default const defaults[] =
{
  { .unless = "hH", .letter = 'H', .arg = 0 },
  { .unless = "rR", .letter = 'R', .arg = 0 },
  { .unless = "l", .letter = 'l', .arg = "0" },
  { .unless = "c", .letter = 'c', .arg = "1000" },
  { .unless = 0 },
};

static tlsp_wrap_spec const spec =
{
  .usage = USAGE,
  .super_default = UTLS_TCPSERVER,
  .s6_name = "s6-tcpserver",
  .engine = "tlsd",
  .engine_delayed = "ucspitlsd",
  .all_opts = "nW:v:K:I:L:SsJjYyZzk:a:c:b:1x:Xu:g:UhHrRpPl:t:BA:",
  .tls_opts = "vKILSsJjYyZzka",
  .s6_opts = "cb1ugU",
  .numeric_opts = "vKILkcbtug",
  .defaults = defaults,
  .long_ok = 0,
  .name_from_host = 0,
  .proxy = "proxy-accept",
};

int main (int argc, char const *const *argv)
{
  PROG = "tlsserver";
  tlsp_wrap(argc, argv, &spec);
}
