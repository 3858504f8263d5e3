/* ISC license. */

#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/sig.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "tls-internal.h"

/*
 * ucspitlsd and ucspitlsc: the UCSPI-TLS delayed mode. The application
 * starts at once, on the raw network descriptors, with three more:
 * SSLCTLFD (a socket: it writes the command, reads the variables),
 * SSLREADFD (plaintext from the peer), SSLWRITEFD (plaintext to the
 * peer). This process is the engine and the application's parent: it
 * reads its keys, drops privileges, and waits on the control socket.
 * It does not read, poll or proxy the network before the command.
 */

/* handover.fd is the engine's side of the control socket, -1 once closed. */
static tlsp_handover handover;

static size_t add_fdvar (char *s, char const *name, int fd)
{
  size_t n = strlen(name);
  memcpy(s, name, n);
  s[n++] = '=';
  n += uint_fmt(s + n, (unsigned int)fd);
  s[n++] = 0;
  return n;
}

/* The child: becomes the application now, with the three descriptors. */
static void exec_app (char const *const *argv, int ctl, int rfd, int wfd, int keep_env)
{
  char modif[3 * (11 + UINT_FMT)];
  size_t len = 0;
  if (uncoe(ctl) < 0 || uncoe(rfd) < 0 || uncoe(wfd) < 0) strerr_diefusys(UTLS_EXIT_SYS, "uncoe");
  len += add_fdvar(modif + len, "SSLCTLFD", ctl);
  len += add_fdvar(modif + len, "SSLREADFD", rfd);
  len += add_fdvar(modif + len, "SSLWRITEFD", wfd);
  tlsp_exec_env(argv, 0, keep_env, modif, len);
}

static pid_t spawn (char const *const *argv, utls_fds *fds, int keep_env)
{
  int ctl[2], down[2], up[2];
  pid_t pid;
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl) < 0) strerr_diefusys(UTLS_EXIT_SYS, "create the control socket");
  if (pipecoe(down) < 0 || pipecoe(up) < 0) strerr_diefusys(UTLS_EXIT_SYS, "create pipes");
  /* All six: with 0-2 closed, an end left there would receive our
     stderr (into the application's control socket or plaintext) or
     be replaced by a descriptor the application opens. */
  ctl[0] = tlsp_fd_high(ctl[0]);
  ctl[1] = tlsp_fd_high(ctl[1]);
  down[0] = tlsp_fd_high(down[0]);
  down[1] = tlsp_fd_high(down[1]);
  up[0] = tlsp_fd_high(up[0]);
  up[1] = tlsp_fd_high(up[1]);
  pid = fork();
  if (pid < 0) strerr_diefusys(UTLS_EXIT_SYS, "fork");
  if (!pid)
  {
    fd_close(ctl[0]);
    fd_close(down[1]);
    fd_close(up[0]);
    exec_app(argv, ctl[1], down[0], up[1], keep_env);
  }
  fd_close(ctl[1]);
  fd_close(down[0]);
  fd_close(up[1]);
  handover.fd = ctl[0];
  fds->app_out = down[1];
  fds->app_in = up[0];
  return pid;
}

/* Waits for the command byte. Returns it, or -1 on EOF. */
static int read_command (void)
{
  char c;
  ssize_t r = fd_read(handover.fd, &c, 1);
  if (r < 0) strerr_diefusys(UTLS_EXIT_SYS, "read from the control socket");
  return r ? (unsigned char)c : -1;
}

/* Client side: bytes from the server before our ClientHello were injected in plaintext. */
static int server_spoke (int fd)
{
  int n = 0;
  if (ioctl(fd, FIONREAD, &n) < 0) return 0;
  return n > 0;
}

/* No TLS for this connection: the application sees its descriptors
   close, and the keys are wiped. */
static void abandon (utls_fds const *fds, tlsp_side const *side)
{
  fd_close(handover.fd);
  fd_close(fds->app_in);
  fd_close(fds->app_out);
  (*side->wipe)();
}

int tlsp_delayed_main (char const *const *argv, tlsp_opts const *opts, utls_fds *fds, tlsp_side const *side)
{
  utls_engine e = { .eng = 0 };
  pid_t pid;
  int cmd;
  tlsp_connection_init(&e, &handover, opts, fds, side);
  handover.fd_optional = 1;
  /* Files first: a configuration error must not leave the application
     running without TLS. The child execs at once, so its copy of the
     key is gone with its address space. */
  e.eng = (*side->init)(opts);
  utls_drop_privileges(1);
  pid = spawn(argv, &e.fds, opts->keep_env);
  if (opts->engine_options & UTLS_OPT_STRICT_EOF) e.app_sigfd = tlsp_arm_app_signal(pid);
  utls_drop_privileges(0);
  sig_ignore(SIGPIPE);

  cmd = read_command();
  if (cmd != 'y' && cmd != 'Y')
  {
    if (cmd >= 0 && opts->verbosity)
    {
      char hex[3] = { "0123456789abcdef"[(cmd >> 4) & 15], "0123456789abcdef"[cmd & 15], 0 };
      strerr_warnw("unknown UCSPI-TLS command byte 0x", hex, ": no TLS for this connection");
    }
    abandon(&e.fds, side);
    return tlsp_reap(pid);
  }
  if (!side->is_server && server_spoke(e.fds.net_in))
  {
    /* The application sees its pipes close, and is waited for. */
    abandon(&e.fds, side);
    tlsp_reap(pid);
    strerr_dief(UTLS_EXIT_PROTOCOL, "TLS handshake failed: ", utls_error_str(UTLS_ERR_INJECTION));
  }
  /* y: the control descriptor closes now; Y: it gets the variables. */
  if (cmd == 'y') { fd_close(handover.fd); handover.fd = -1; }
  return tlsp_connection_run(&e, pid, &handover, side);
}
