/* ISC license. */

/*
 * pair [-t secs] [-s sep] prog1 args... -- prog2 args...
 *
 * Connects two programs through a Unix socketpair, with no TCP at all:
 * prog1 gets its end as fd 0 and fd 1 (like a server under tcpserver),
 * prog2 gets the other end as fd 6 (read) and fd 7 (write), like a client
 * under tcpclient; prog2's fds 0, 1 and 2 are pair's own. The argument
 * lists are split at the first argument equal to sep ("--" by default;
 * use -s when prog1's own arguments contain "--").
 * prog1 also gets PROTO=TCP TCPREMOTEIP=127.0.0.1 TCPREMOTEPORT=1
 * TCPLOCALIP=127.0.0.1 TCPLOCALPORT=2 so that servers find the variables
 * a superserver sets; prog2 gets PROTO=TCP with the ports swapped.
 *
 * Waits for both. Exit status: prog1's if nonzero, else prog2's (128+sig
 * for a killed program). With -t, both are killed after secs seconds and
 * pair exits 124. 100 on usage error, 111 on system error.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>

static pid_t pids[2] ;
static volatile sig_atomic_t timedout = 0 ;

static void on_alarm (int sig)
{
  (void)sig ;
  timedout = 1 ;
  if (pids[0] > 0) kill(pids[0], SIGKILL) ;
  if (pids[1] > 0) kill(pids[1], SIGKILL) ;
}

static void usage (void)
{
  fprintf(stderr, "pair: usage: pair [-t secs] [-s sep] prog1 args... -- prog2 args...\n") ;
  exit(100) ;
}

static pid_t start (char **argv, int fd, int fdr, int fdw, int other, int client)
{
  pid_t pid = fork() ;
  if (pid < 0)
  {
    fprintf(stderr, "pair: fatal: unable to fork: %s\n", strerror(errno)) ;
    exit(111) ;
  }
  if (pid) return pid ;
  close(other) ;
  if (setenv("PROTO", "TCP", 1) < 0
   || setenv("TCPREMOTEIP", "127.0.0.1", 1) < 0
   || setenv("TCPLOCALIP", "127.0.0.1", 1) < 0
   || setenv("TCPREMOTEPORT", client ? "2" : "1", 1) < 0
   || setenv("TCPLOCALPORT", client ? "1" : "2", 1) < 0)
    goto err ;
  if (fd != fdr && dup2(fd, fdr) < 0) goto err ;
  if (fd != fdw && dup2(fd, fdw) < 0) goto err ;
  if (fd != fdr && fd != fdw) close(fd) ;
  signal(SIGALRM, SIG_DFL) ;
  execvp(argv[0], argv) ;
  fprintf(stderr, "pair: fatal: unable to exec %s: %s\n", argv[0], strerror(errno)) ;
  _exit(errno == ENOENT ? 127 : 126) ;
 err:
  fprintf(stderr, "pair: fatal: unable to set up %s: %s\n", argv[0], strerror(errno)) ;
  _exit(111) ;
}

static int code (int wstat)
{
  return WIFEXITED(wstat) ? WEXITSTATUS(wstat) : 128 + WTERMSIG(wstat) ;
}

int main (int argc, char **argv)
{
  char const *sep = "--" ;
  unsigned long secs = 0 ;
  int status[2] = { -1, -1 } ;
  int sv[2] ;
  int opt, i ;
  char **argv2 = 0 ;

  while ((opt = getopt(argc, argv, "+t:s:")) != -1)
    switch (opt)
    {
      case 't' :
      {
        char *end ;
        secs = strtoul(optarg, &end, 10) ;
        if (*end) usage() ;
        break ;
      }
      case 's' : sep = optarg ; break ;
      default : usage() ;
    }
  argc -= optind ; argv += optind ;
  for (i = 0 ; i < argc ; i++)
    if (!strcmp(argv[i], sep)) { argv[i] = 0 ; argv2 = argv + i + 1 ; break ; }
  if (!argv2 || !argv[0] || !argv2[0]) usage() ;

  /* In each child the other end is closed before the dup2s, and a dup2
     onto the fd itself is skipped: whatever fds the pair got, none
     clobbers another. */
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
  {
    fprintf(stderr, "pair: fatal: unable to create socketpair: %s\n", strerror(errno)) ;
    return 111 ;
  }

  {
    struct sigaction sa ;
    memset(&sa, 0, sizeof sa) ;
    sa.sa_handler = &on_alarm ;
    sigemptyset(&sa.sa_mask) ;
    sigaction(SIGALRM, &sa, 0) ;
  }
  pids[0] = start(argv, sv[0], 0, 1, sv[1], 0) ;
  pids[1] = start(argv2, sv[1], 6, 7, sv[0], 1) ;
  close(sv[0]) ;
  close(sv[1]) ;
  if (secs) alarm(secs) ;

  for (int left = 2 ; left ; )
  {
    int wstat ;
    pid_t pid = waitpid(-1, &wstat, 0) ;
    if (pid < 0)
    {
      if (errno == EINTR) continue ;
      if (errno == ECHILD) break ;
      fprintf(stderr, "pair: fatal: waitpid: %s\n", strerror(errno)) ;
      return 111 ;
    }
    for (i = 0 ; i < 2 ; i++)
      if (pid == pids[i]) { status[i] = code(wstat) ; pids[i] = 0 ; left-- ; }
  }
  alarm(0) ;
  if (timedout)
  {
    fprintf(stderr, "pair: fatal: timed out after %lu seconds\n", secs) ;
    return 124 ;
  }
  return status[0] ? status[0] : status[1] ;
}
