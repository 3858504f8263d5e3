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

typedef struct hs_ctx_s hs_ctx;
struct hs_ctx_s
{
  utlsp_opts const *opts;
  int factsfd;
  utls_envblock block;
};

static hs_ctx hs;

static int on_handshake (utls_engine *e, void *data)
{
  hs_ctx *ctx = data;
  int r;
  (void)e;
  utlsp_server_wipe();
  r = utlsp_server_facts(&ctx->block, ctx->opts);
  if (r) return r;
  if (!utls_envblock_finish(&ctx->block)) return UTLS_ERR_TOOMANY;
  if (utlsp_block_send(ctx->factsfd, &ctx->block) < 0) return UTLS_ERR_TOOMANY;
  ctx->factsfd = -1;
  return 0;
}

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
  pid = utlsp_spawn_app(argv, &e.fds, 0, 1, &hs.factsfd, opts.keep_env);
  hs.opts = &opts;
  e.eng = utlsp_server_init(&opts);
  utls_drop_privileges();
  sig_ignore(SIGPIPE);
  e.options = opts.engine_options;
  e.handshake_timeout = opts.handshake_timeout;
  e.on_handshake = &on_handshake;
  e.on_handshake_data = &hs;

  r = utls_engine_run(&e);
  if (hs.factsfd >= 0) fd_close(hs.factsfd);
  utlsp_server_wipe();
  return utlsp_finish(&e, r, pid, &opts, &hs.block, utlsp_server_errstr(&e));
}
