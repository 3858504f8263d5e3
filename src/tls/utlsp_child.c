/* ISC license. */

#include <errno.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <fcntl.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/env.h>
#include <skalibs/posixplz.h>
#include <skalibs/exec.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>

#include "tls-internal.h"

/* Linux's F_SETPIPE_SZ, which fcntl.h only shows with _GNU_SOURCE. */
#ifdef F_SETPIPE_SZ
# define UTLSP_F_SETPIPE_SZ F_SETPIPE_SZ
#else
# define UTLSP_F_SETPIPE_SZ 1031
#endif

/* And F_SETSIG, the same way. */
#ifdef F_SETSIG
# define UTLSP_F_SETSIG F_SETSIG
#else
# define UTLSP_F_SETSIG 10
#endif

/* Variables that configure us and that the application has no use for:
   a key path is not a secret, but nothing below us needs to know it. */
static int is_config_var (char const *s)
{
  static char const *const names[] = { "CERTFILE=", "KEYFILE=", "CAFILE=", "CADIR=", "TLS_UID=", "TLS_GID=", "TLS_SESSION_CACHE=", "TLS_SESSION_CACHE_SIZE=", "TLS_SESSION_LIFETIME=", "TLS_SESSION_KEYFILE=", "TLS_SESSION_KEYFILE_OLD=", "TLS_SESSION_CACHE_TIMEOUT=", 0 };
  char const *const *p = names;
  if (!strncmp(s, "CERTFILE:", 9) || !strncmp(s, "KEYFILE:", 8)) return 1;
  for (; *p; p++) if (!strncmp(s, *p, strlen(*p))) return 1;
  return 0;
}

/* Appends "NAME\0" (an unset order for env_merge) for each variable to remove. */
static void add_unsets (stralloc *sa, int keep_env)
{
  char const *const *envp = (char const *const *)environ;
  for (; *envp; envp++)
  {
    char const *eq;
    if (strncmp(*envp, "SSL_", 4) && (keep_env || !is_config_var(*envp))) continue;
    eq = strchr(*envp, '=');
    if (!eq) continue;
    if (!stralloc_catb(sa, *envp, eq - *envp) || !stralloc_0(sa))
      strerr_diefusys(UTLS_EXIT_SYS, "build the environment");
  }
}

void utlsp_exec_env (char const *const *argv, utls_envblock const *block, int keep_env, char const *extra, size_t extralen)
{
  stralloc sa = STRALLOC_ZERO;
  add_unsets(&sa, keep_env);
  /* The block ends with an empty entry: leave that out. */
  if (block && block->len > 1 && !stralloc_catb(&sa, block->buf, block->len - 1))
    strerr_diefusys(UTLS_EXIT_SYS, "build the environment");
  if (extralen && !stralloc_catb(&sa, extra, extralen))
    strerr_diefusys(UTLS_EXIT_SYS, "build the environment");
  /* Inherited dispositions would defeat -J's SIGTERM and EPIPE. */
  signal(SIGPIPE, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  xmexec_m(argv, sa.s, sa.len);
}

/* A block is a series of non-empty NAME=value entries, then one NUL. */
int utlsp_block_valid (utls_envblock const *block)
{
  size_t i = 0;
  if (!block->len || block->buf[block->len - 1]) return 0;
  while (i < block->len - 1)
  {
    size_t n = strnlen(block->buf + i, block->len - 1 - i);
    if (!n || i + n >= block->len - 1 || !memchr(block->buf + i, '=', n)) return 0;
    i += n + 1;
  }
  return 1;
}

void utlsp_child_exec (int factsfd, char const *const *argv, int keep_env)
{
  static utls_envblock block;
  ssize_t r;
  r = allread(factsfd, block.buf, sizeof block.buf);
  fd_close(factsfd);
  /* Nothing: the handshake failed, and the engine reports it. */
  if (r <= 0) _exit(0);
  block.len = r;
  if (!utlsp_block_valid(&block)) _exit(UTLS_EXIT_BUG);
  utlsp_exec_env(argv, &block, keep_env, 0, 0);
}

/* The application's side of the handover: Y on ctl, the variables read
   back into block, ctl closed. EOF instead: the handshake failed, and
   the engine says why; exit 98. */
void utlsp_ask_tls (int ctl, utls_envblock *block)
{
  ssize_t r;
  if (fd_write(ctl, "Y", 1) != 1) strerr_diefusys(UTLS_EXIT_SYS, "write to the control descriptor");
  r = allread(ctl, block->buf, sizeof block->buf);
  if (r < 0) strerr_diefusys(UTLS_EXIT_SYS, "read from the control descriptor");
  if (!r) strerr_dief(UTLS_EXIT_PROTOCOL, "TLS handshake failed (the TLS engine says why)");
  block->len = r;
  if (!utlsp_block_valid(block)) strerr_dief(UTLS_EXIT_PROTOCOL, "malformed answer on the control descriptor");
  fd_close(ctl);
}

int utlsp_block_send (int fd, utls_envblock const *block)
{
  int r = allwrite(fd, block->buf, block->len) == block->len ? 0 : -1;
  fd_close(fd);
  return r;
}

int utlsp_fd_high (int fd)
{
  int r;
  if (fd >= UTLSP_FD_LOW) return fd;
  r = fcntl(fd, F_DUPFD_CLOEXEC, UTLSP_FD_LOW);
  if (r < 0) strerr_diefusys(UTLS_EXIT_SYS, "duplicate a descriptor");
  fd_close(fd);
  return r;
}

/*
 * The child's side of the fork. Every pipe end is already above the
 * range the application's descriptors live in (utlsp_fd_high), so
 * placing the pipes on app_rfd/app_wfd can only overwrite a network
 * descriptor, never another pipe end: the facts descriptor in
 * particular cannot be replaced by the pipe that carries the peer's
 * plaintext, and the pipes cannot replace each other, whatever -6/-7
 * said and whichever of 0-9 were open.
 */
static void child_place (utls_fds const *fds, int app_rfd, int app_wfd, int rfd, int wfd)
{
  /* The application must not hold the network: its descriptors are
     replaced by the pipes, or closed if they live elsewhere. */
  if (fds->net_in != app_rfd && fds->net_in != app_wfd) fd_close(fds->net_in);
  if (fds->net_out != fds->net_in && fds->net_out != app_rfd && fds->net_out != app_wfd) fd_close(fds->net_out);
  if (fd_move(app_rfd, rfd) < 0 || fd_move(app_wfd, wfd) < 0)
    strerr_diefusys(UTLS_EXIT_SYS, "move descriptors");
}

pid_t utlsp_spawn_app (char const *const *argv, utls_fds *fds, int app_rfd, int app_wfd, int *factsfd, int keep_env)
{
  int down[2], up[2], facts[2];
  unsigned int i = 0;
  pid_t pid;
  if (pipecoe(down) < 0 || pipecoe(up) < 0 || pipecoe(facts) < 0)
    strerr_diefusys(UTLS_EXIT_SYS, "create pipes");
  for (; i < 2; i++)
  {
    down[i] = utlsp_fd_high(down[i]);
    up[i] = utlsp_fd_high(up[i]);
    facts[i] = utlsp_fd_high(facts[i]);
  }
  /* Room for 16 records each way: fewer wakeups in bulk transfers. Pages
     are only allocated as they fill; failure just keeps the default. */
  fcntl(down[1], UTLSP_F_SETPIPE_SZ, 262144);
  fcntl(up[1], UTLSP_F_SETPIPE_SZ, 262144);
  pid = fork();
  if (pid < 0) strerr_diefusys(UTLS_EXIT_SYS, "fork");
  if (!pid)
  {
    fd_close(down[1]);
    fd_close(up[0]);
    fd_close(facts[1]);
    child_place(fds, app_rfd, app_wfd, down[0], up[1]);
    utlsp_child_exec(facts[0], argv, keep_env);
  }
  fd_close(down[0]);
  fd_close(up[1]);
  fd_close(facts[0]);
  fds->app_out = down[1];
  fds->app_in = up[0];
  *factsfd = facts[1];
  return pid;
}

/*
 * -J must be able to signal the application after the engine dropped
 * its privileges (TLS_UID/TLS_GID) while the application kept its own:
 * kill() is then refused. A descriptor owned (F_SETOWN) by the
 * application, with F_SETSIG SIGTERM and O_ASYNC, makes the kernel send
 * the signal when it becomes readable, checked against the credentials
 * of whoever called F_SETOWN: us, now, before the drop. Returns the end
 * to write a byte to, or 0 where this does not work (then kill() alone).
 * Both ends stay in the engine only (close-on-exec, forked after).
 */
int utlsp_arm_app_signal (pid_t pid)
{
#ifdef __linux__
  int p[2];
  if (pipecoe(p) < 0) return 0;
  p[0] = utlsp_fd_high(p[0]);
  p[1] = utlsp_fd_high(p[1]);
  if (fcntl(p[0], UTLSP_F_SETSIG, SIGTERM) < 0
   || fcntl(p[0], F_SETOWN, pid) < 0
   || fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK) < 0
   || ndelay_on(p[1]) < 0)
  {
    fd_close(p[0]);
    fd_close(p[1]);
    return 0;
  }
  /* p[0] stays open, unread, until the engine exits. */
  return p[1];
#else
  (void)pid;
  return 0;
#endif
}
