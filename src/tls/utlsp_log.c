/* ISC license. */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

#include <skalibs/types.h>
#include <skalibs/strerr.h>
#include <skalibs/djbunix.h>
#include <skalibs/bytestr.h>

#include "tls-internal.h"

char const *utlsp_engine_errstr (utls_engine const *e)
{
  if (e->sys_what) return strerror(e->sys_errno);
  /* Records start with 20..23; SSLv2 hellos with 0x80. A letter means a
     plaintext protocol: say so rather than "unsupported version". */
  if (!e->handshake_done && e->bytes_from_net && (e->first_byte < 20 || e->first_byte > 23) && e->first_byte != 0x80)
    return "peer did not start a TLS handshake (plaintext or another protocol?)";
  if (!e->handshake_done && !e->err && e->peer_close_notify)
    return "peer ended the session (close_notify) before the handshake completed";
  return utls_error_str(e->err);
}

/* Value of NAME in the block, or "-". */
static char const *block_get (utls_envblock const *block, char const *name)
{
  size_t len = strlen(name), i = 0;
  if (!block) return "-";
  while (i < block->len && block->buf[i])
  {
    char const *s = block->buf + i;
    if (!strncmp(s, name, len) && s[len] == '=') return s + len + 1;
    i += strlen(s) + 1;
  }
  return "-";
}

void utlsp_log_conn (utls_engine const *e, utls_envblock const *block, char const *end)
{
  char const *ip = getenv("TCPREMOTEIP");
  char const *port = getenv("TCPREMOTEPORT");
  char in[UINT64_FMT];
  char out[UINT64_FMT];
  in[uint64_fmt(in, e->bytes_to_app)] = 0;
  out[uint64_fmt(out, e->bytes_to_net)] = 0;
  strerr_warni("peer ", ip ? ip : "-", ":", port ? port : "-",
    " protocol ", block_get(block, "SSL_PROTOCOL"),
    " cipher ", block_get(block, "SSL_CIPHER"),
    " sni ", block_get(block, "SSL_TLS_SNI_SERVERNAME"),
    " alpn ", block_get(block, "SSL_ALPN_PROTOCOL"),
    " peer_subject \"", block_get(block, "SSL_PEER_CERT_SUBJECT"), "\"",
    " resumed ", block_get(block, "SSL_SESSION_RESUMED"),
    " bytes_in ", in, " bytes_out ", out, " end ", end);
}

int utlsp_reap (pid_t pid)
{
  int wstat;
  if (wait_pid(pid, &wstat) < 0) return UTLS_EXIT_SYS;
  return wait_estatus(wstat);
}

/* "unable to write to network: Broken pipe", or the TLS error text, as a
   fatal line: said now, the exit comes once the application is reaped. */
static void say_engine (utls_engine const *e, char const *when, char const *tlserr)
{
  strerr_warn(PROG, ": fatal: ", when,
    e->sys_what ? "unable to " : "", e->sys_what ? e->sys_what : "", e->sys_what ? ": " : "",
    e->sys_what ? strerror(e->sys_errno) : tlserr);
}

int utlsp_finish (utls_engine const *e, int r, pid_t pid, utlsp_opts const *opts, utls_envblock const *block, char const *tlserr, int failexit)
{
  int status;
  /* Session keys live in the engine context: gone before we wait. */
  byte_zzero((char *)e->eng, sizeof *e->eng);
  /* A failure is reported at once: the application may take its time. */
  if (!e->handshake_done || r)
  {
    if (opts->verbosity >= 2) utlsp_log_conn(e, e->handshake_done ? block : 0, e->handshake_done ? "error" : "handshake-failed");
    /* -J: the application may have read a truncated stream; it was told. */
    if (e->app_signalled && opts->verbosity)
      strerr_warnw("the application was sent SIGTERM: the peer's data did not end with close_notify (-J)");
    if (failexit) strerr_warn(PROG, ": fatal: ", tlserr);
    else say_engine(e, e->handshake_done ? "connection failed after the handshake: " : "TLS handshake failed: ", tlserr);
    utlsp_reap(pid);
    _exit(failexit ? failexit : r < 0 ? UTLS_EXIT_SYS : UTLS_EXIT_PROTOCOL);
  }
  status = utlsp_reap(pid);
  /* The peer's close_notify ends TLS 1.2 both ways. Output is lost when
     the application had written some that was not sent yet (counted),
     or tried to write after it (it died of SIGPIPE). */
  if (e->app_output_cut && (e->app_bytes_discarded || status == 128 + SIGPIPE) && opts->verbosity)
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
  if (opts->verbosity >= 2)
    utlsp_log_conn(e, block, e->peer_close_notify ? "close_notify" : e->peer_alert_after_eof ? "peer-alert-after-local-eof" : e->peer_eof ? "eof-without-close_notify" : "local-close");
  return status;
}
