/* ISC license. */

#include <errno.h>
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

#define USAGE "tlsd [ -v verbosity ] [ -K timeout ] [ -S | -s ] [ -J | -j ] [ -Y | -y ] [ -Z | -z ] [ -k snilevel ] [ -a alpn,... ] prog..."

/*
 * tlsd: the network is on fds 0 and 1. One fork: the child becomes the
 * application once the handshake has succeeded; this process is the TLS
 * engine, parent of the application, and exits with its status.
 * The child is forked before any key is read, so it never holds one.
 */

static utlsp_handover hs;

int main (int argc, char const *const *argv)
{
  utlsp_opts opts = UTLSP_OPTS_ZERO;
  utls_engine e = { .eng = 0 };
  pid_t pid;
  int r;
  PROG = "tlsd";
  utlsp_getopt(&argc, &argv, "v:K:SsJjYyZzk:a:", &opts, USAGE, 1);
  if (!argc) strerr_dieusage(UTLS_EXIT_USAGE, USAGE);

  e.fds.net_in = 0;
  e.fds.net_out = 1;
  pid = utlsp_spawn_app(argv, &e.fds, 0, 1, &hs.fd, opts.keep_env);
  hs.opts = &opts;
  hs.facts = &utlsp_server_facts;
  hs.wipe = &utlsp_server_wipe;
  e.eng = utlsp_server_init(&opts);
  utls_drop_privileges(0);
  sig_ignore(SIGPIPE);
  e.options = opts.engine_options;
  e.handshake_timeout = opts.handshake_timeout;
  e.on_handshake = &utlsp_handover_run;
  e.on_handshake_data = &hs;

  r = utls_engine_run(&e);
  if (hs.fd >= 0) fd_close(hs.fd);
  utlsp_server_wipe();
  return utlsp_finish(&e, r, pid, &opts, &hs.block, utlsp_server_errstr(&e));
}
