/* ISC license. */

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <skalibs/bytestr.h>
#include <skalibs/djbunix.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "tls-internal.h"

/*
 * How a connection ended: decided once, from the engine's result and
 * the side's explanation, then only read.
 */
typedef struct outcome_s outcome;
struct outcome_s
{
  int failed;                   /* the handshake did not complete, or the engine failed */
  int exitcode;                 /* when failed: 98 (TLS), 111 (system call), 96 (key and certificate do not match) */
  char const *when;             /* "TLS handshake failed: " or "connection failed after the handshake: "; "" when why says it all */
  char const *sys_what;         /* the operation that failed ("write to network"), else 0 */
  char const *why;              /* strerror's text, or the TLS error's */
};

/* r is utls_engine_run's result: 0, -1 (system call), 1 (TLS error).
   Call it before the keys are wiped: errstr may check the key. */
static void outcome_get (outcome *o, utls_engine const *e, int r, tlsp_side const *side)
{
  int failexit = 0;
  char const *why = (*side->errstr)(e, &failexit);
  o->failed = !e->handshake_done || r;
  o->sys_what = 0;
  o->why = why;
  if (failexit)
  {
    o->exitcode = failexit;
    o->when = "";
    return;
  }
  o->exitcode = r < 0 ? UTLS_EXIT_SYS : UTLS_EXIT_PROTOCOL;
  o->when = e->handshake_done ? "connection failed after the handshake: " : "TLS handshake failed: ";
  if (e->sys_what)
  {
    o->sys_what = e->sys_what;
    o->why = strerror(e->sys_errno);
  }
}

/* Said at once (the application may take its time to end), exits once
   the application is reaped. */
static void fail (utls_engine const *e, outcome const *o, pid_t pid, tlsp_handover const *h) gccattr_noreturn;
static void fail (utls_engine const *e, outcome const *o, pid_t pid, tlsp_handover const *h)
{
  unsigned int verbosity = h->opts->verbosity;
  if (verbosity >= 2) tlsp_log_conn(e, e->handshake_done ? &h->logged : 0, e->handshake_done ? "error" : "handshake-failed");
  /* -J: the application may have read a truncated stream; it was told. */
  if (e->app_signalled && verbosity)
    strerr_warnw("the application was sent SIGTERM: the peer's data did not end with close_notify (-J)");
  strerr_warn(PROG, ": fatal: ", o->when,
    o->sys_what ? "unable to " : "", o->sys_what ? o->sys_what : "", o->sys_what ? ": " : "", o->why);
  tlsp_reap(pid);
  _exit(o->exitcode);
}

/* The peer's close_notify ends TLS 1.2 both ways. Output is lost when
   the application had written some that was not sent yet (counted), or
   tried to write after it (it died of SIGPIPE). */
static void say_output_cut (utls_engine const *e, int status)
{
  /* A lower bound: what was read or still in the pipe; not what the
     application would have written had it lived. */
  char n[UINT64_FMT];
  int killed = status == 128 + SIGPIPE;
  n[uint64_fmt(n, e->app_bytes_discarded)] = 0;
  strerr_warnw("the application's output was not delivered: the peer closed the TLS session (close_notify) first, and TLS 1.2 allows no data after it (",
    e->app_bytes_discarded ? "at least " : "", e->app_bytes_discarded ? n : "", e->app_bytes_discarded ? " bytes discarded" : "",
    e->app_bytes_discarded && killed ? "; " : "", killed ? "the application was killed by SIGPIPE when it wrote" : "",
    e->app_bytes_discarded && killed ? " more" : "", ")");
}

int tlsp_connection_run (utls_engine *e, pid_t pid, tlsp_handover *h, tlsp_side const *side)
{
  tlsp_opts const *opts = h->opts;
  outcome o;
  int r, status;
  e->options = opts->engine_options;
  e->handshake_timeout = opts->handshake_timeout;
  e->idle_timeout = opts->idle_timeout;
  e->write_timeout = opts->write_timeout;
  e->app_pid = pid;
  e->on_handshake = &tlsp_handover_run;
  e->on_handshake_data = h;
  e->on_first_input = side->first_input;
  r = utls_engine_run(e);
  if (h->fd >= 0) { fd_close(h->fd); h->fd = -1; }
  outcome_get(&o, e, r, side);
  if (!h->keys_wiped) { (*side->wipe)(); h->keys_wiped = 1; }
  /* Session keys live in the engine context: gone before we wait. */
  byte_zzero((char *)e->eng, sizeof *e->eng);
  if (o.failed) fail(e, &o, pid, h);
  status = tlsp_reap(pid);
  if (e->app_output_cut && (e->app_bytes_discarded || status == 128 + SIGPIPE) && opts->verbosity)
    say_output_cut(e, status);
  if (opts->verbosity >= 2)
    tlsp_log_conn(e, &h->logged, e->peer_close_notify ? "close_notify" : e->peer_alert_after_eof ? "peer-alert-after-local-eof" : e->peer_eof ? "eof-without-close_notify" : "local-close");
  return status;
}
