/* ISC license. */

/*
 * relay prog...: the no-TLS floor. Shaped like tlsd without TLS: under
 * tcpserver (network on fds 0/1), one fork, the child execs prog on two
 * pipes, the parent relays network <-> pipes with one poll loop and
 * 64 KiB buffers, half-closes like tlsd -s, reaps the child and exits
 * with its status.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#define BUFSZ 65536

typedef struct dir_s { int from, to; char buf[BUFSZ]; size_t start, end; int eof; } dir;

static dir down, up; /* down: net -> app, up: app -> net */

static void nb (int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

static void finish_dir (dir *d, int is_up)
{
  if (is_up) shutdown(d->to, SHUT_WR);
  else close(d->to);
  d->to = -1;
}

int main (int argc, char **argv)
{
  int p_down[2], p_up[2], one = 1, status;
  pid_t pid;
  if (argc < 2) return 100;
  if (pipe2(p_down, O_CLOEXEC) < 0 || pipe2(p_up, O_CLOEXEC) < 0) return 111;
  pid = fork();
  if (pid < 0) return 111;
  if (!pid)
  {
    dup2(p_down[0], 0);
    dup2(p_up[1], 1);
    execvp(argv[1], argv + 1);
    _exit(127);
  }
  close(p_down[0]); close(p_up[1]);
  signal(SIGPIPE, SIG_IGN);
  setsockopt(1, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  down.from = 0; down.to = p_down[1];
  up.from = p_up[0]; up.to = 1;
  nb(0); nb(1); nb(down.to); nb(up.from);
  while (down.to >= 0 || up.to >= 0)
  {
    struct pollfd x[4];
    dir *ds[2] = { &down, &up };
    int n = 0, i, idx[4];
    for (i = 0; i < 2; i++)
    {
      dir *d = ds[i];
      if (d->to < 0) continue;
      if (!d->eof && d->end < BUFSZ) { x[n].fd = d->from; x[n].events = POLLIN; idx[n++] = i * 2; }
      if (d->start < d->end) { x[n].fd = d->to; x[n].events = POLLOUT; idx[n++] = i * 2 + 1; }
    }
    if (!n) break;
    if (poll(x, n, 120000) <= 0) { if (errno == EINTR) continue; break; }
    for (i = 0; i < n; i++)
    {
      dir *d = ds[idx[i] / 2];
      ssize_t r;
      if (!x[i].revents || d->to < 0) continue;
      if (idx[i] & 1)
      {
        r = write(d->to, d->buf + d->start, d->end - d->start);
        if (r < 0) { if (errno != EAGAIN) { finish_dir(d, d == &up); d->eof = 1; } continue; }
        d->start += r;
        if (d->start == d->end) d->start = d->end = 0;
      }
      else
      {
        r = read(d->from, d->buf + d->end, BUFSZ - d->end);
        if (r < 0) { if (errno == EAGAIN) continue; r = 0; }
        if (!r) d->eof = 1;
        else d->end += r;
      }
      if (d->eof && d->start == d->end && d->to >= 0) finish_dir(d, d == &up);
    }
  }
  close(0); close(1);
  if (up.from >= 0) close(up.from);
  while (waitpid(pid, &status, 0) < 0) if (errno != EINTR) return 111;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
