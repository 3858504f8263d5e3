/* ISC license. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <bearssl.h>

#include <skalibs/djbunix.h>
#include <skalibs/sig.h>
#include <skalibs/strerr.h>

#include <utls/utls.h>
#include <utls/engine.h>
#include <utls/setup.h>

#include "tls-internal.h"

#define USAGE "tlsc [ -v verbosity ] [ -K timeout ] [ -S | -s ] [ -J | -j ] [ -Y | -y ] [ -Z | -z ] [ -k servername ] [ -a alpn,... ] [ -6 fdr ] [ -7 fdw ] [ --pin=sha256//BASE64 ] [ --insecure-no-verify ] prog..."

/*
 * tlsc: the network is on fds 6 and 7 (tcpclient), or -6/-7. Same
 * shape as tlsd: one fork, the child becomes the application with the
 * plaintext pipes on 6/7 once the server has been verified; this
 * process is the engine and exits with the application's status.
 */

static utlsp_handover hs;

static void check_fd (int fd, char const *what)
{
  if (fcntl(fd, F_GETFD) < 0) strerr_diefusys(UTLS_EXIT_USAGE, "use ", what, " (not an open descriptor; run under tcpclient or give -6/-7)");
}

int main (int argc, char const *const *argv)
{
  utlsp_opts opts = UTLSP_OPTS_ZERO;
  utls_engine e = { .eng = 0 };
  pid_t pid;
  int r;
  PROG = "tlsc";
  utlsp_getopt(&argc, &argv, "v:K:SsJjYyZzk:a:6:7:", &opts, USAGE, 0);
  if (!argc) strerr_dieusage(UTLS_EXIT_USAGE, USAGE);
  check_fd(opts.fd_read, "the network read descriptor");
  check_fd(opts.fd_write, "the network write descriptor");
  if (opts.insecure && opts.pin) strerr_dief(UTLS_EXIT_USAGE, "--insecure-no-verify and --pin exclude each other");

  e.fds.net_in = opts.fd_read;
  e.fds.net_out = opts.fd_write;
  pid = utlsp_spawn_app(argv, &e.fds, 6, 7, &hs.fd, opts.keep_env);
  hs.opts = &opts;
  hs.facts = &utlsp_client_facts;
  hs.wipe = &utlsp_client_wipe;
  e.eng = utlsp_client_init(&opts);
  utls_drop_privileges(0);
  sig_ignore(SIGPIPE);
  e.options = opts.engine_options | UTLS_OPT_CLIENT;
  e.handshake_timeout = opts.handshake_timeout;
  e.on_handshake = &utlsp_handover_run;
  e.on_handshake_data = &hs;

  r = utls_engine_run(&e);
  if (hs.fd >= 0) fd_close(hs.fd);
  utlsp_client_wipe();
  return utlsp_finish(&e, r, pid, &opts, &hs.block, utlsp_client_errstr(&e));
}
