/* ISC license. */

#include <signal.h>

#include <skalibs/sig.h>

#include "tls-internal.h"

/*
 * tlsd and tlsc: one fork. The child is forked before any key is read,
 * so it never holds one; it becomes the application with the plaintext
 * pipes on 0/1 (server) or 6/7 (client) once the handshake succeeded.
 * This process is the engine, parent of the application, and exits with
 * its status.
 */

static tlsp_handover handover;

int tlsp_immediate_main (char const *const *argv, tlsp_opts const *opts, utls_fds *fds, tlsp_side const *side)
{
  utls_engine e = { .eng = 0 };
  pid_t pid;
  tlsp_connection_init(&e, &handover, opts, fds, side);
  pid = tlsp_spawn_app(argv, &e.fds, side->is_server ? 0 : 6, side->is_server ? 1 : 7, &handover.fd, opts->keep_env);
  e.eng = (*side->init)(opts);
  if (opts->engine_options & UTLS_OPT_STRICT_EOF) e.app_sigfd = tlsp_arm_app_signal(pid);
  utls_drop_privileges(0);
  sig_ignore(SIGPIPE);
  return tlsp_connection_run(&e, pid, &handover, side);
}
