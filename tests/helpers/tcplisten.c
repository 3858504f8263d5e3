/* ISC license. */

/*
 * tcplisten [-1] [-c max] portfile prog...
 *
 * A minimal tcpserver for tests: binds 127.0.0.1 port 0 (the kernel picks
 * the port, so tests never guess one), listens, writes the port number and
 * a newline to portfile (atomically: written to portfile.tmp, then
 * renamed, so a reader never sees half a number), then accepts
 * connections. For each one it forks a child that gets the socket as fd 0
 * and fd 1, the environment PROTO=TCP, TCPLOCALIP, TCPLOCALPORT,
 * TCPREMOTEIP, TCPREMOTEPORT (as tcpserver sets them), and execs prog.
 *
 *  -c max  at most max connections at a time (default 100); more wait.
 *  -1      accept one connection, stop listening, wait for the child and
 *          exit with its status (128+signal if it was killed).
 *
 * SIGTERM (or SIGINT, SIGHUP): stop, send SIGTERM to running children,
 * exit 0. Exit 100 on usage error, 111 on system error.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>

#define MAXCHILDREN 256

static pid_t children[MAXCHILDREN] ;
static volatile sig_atomic_t nchildren = 0 ;
static volatile sig_atomic_t stop = 0 ;
static volatile sig_atomic_t onepid_done = 0 ;
static volatile sig_atomic_t onepid_status = 0 ;
static pid_t onepid = 0 ;

static void die (int e, char const *what)
{
  fprintf(stderr, "tcplisten: fatal: %s: %s\n", what, strerror(errno)) ;
  exit(e) ;
}

static void on_chld (int sig)
{
  int wstat ;
  int olderrno = errno ;
  pid_t pid ;
  (void)sig ;
  while ((pid = waitpid(-1, &wstat, WNOHANG)) > 0)
  {
    for (unsigned int i = 0 ; i < MAXCHILDREN ; i++)
      if (children[i] == pid) { children[i] = 0 ; nchildren-- ; break ; }
    if (pid == onepid)
    {
      onepid_status = WIFEXITED(wstat) ? WEXITSTATUS(wstat) : 128 + WTERMSIG(wstat) ;
      onepid_done = 1 ;
    }
  }
  errno = olderrno ;
}

static void on_term (int sig)
{
  (void)sig ;
  stop = 1 ;
}

static void catch (int sig, void (*f)(int))
{
  struct sigaction sa ;
  memset(&sa, 0, sizeof sa) ;
  sa.sa_handler = f ;
  sigemptyset(&sa.sa_mask) ;
  sa.sa_flags = 0 ;  /* no SA_RESTART: accept() must return EINTR */
  if (sigaction(sig, &sa, 0) < 0) die(111, "sigaction") ;
}

static void putenv_addr (char const *ipvar, char const *portvar, struct sockaddr_in const *sa)
{
  char port[8] ;
  char ip[INET_ADDRSTRLEN] ;
  if (!inet_ntop(AF_INET, &sa->sin_addr, ip, sizeof ip)) die(111, "inet_ntop") ;
  snprintf(port, sizeof port, "%u", (unsigned int)ntohs(sa->sin_port)) ;
  if (setenv(ipvar, ip, 1) < 0 || setenv(portvar, port, 1) < 0) die(111, "setenv") ;
}

static void write_portfile (char const *file, unsigned int port)
{
  size_t n = strlen(file) ;
  char *tmp = malloc(n + 5) ;
  FILE *f ;
  if (!tmp) die(111, "malloc") ;
  memcpy(tmp, file, n) ;
  memcpy(tmp + n, ".tmp", 5) ;
  f = fopen(tmp, "w") ;
  if (!f) die(111, "unable to open port file") ;
  if (fprintf(f, "%u\n", port) < 0 || fclose(f) == EOF) die(111, "unable to write port file") ;
  if (rename(tmp, file) < 0) die(111, "unable to rename port file") ;
  free(tmp) ;
}

static void usage (void)
{
  fprintf(stderr, "tcplisten: usage: tcplisten [-1] [-c max] portfile prog...\n") ;
  exit(100) ;
}

int main (int argc, char **argv)
{
  struct sockaddr_in sa ;
  socklen_t len = sizeof sa ;
  sigset_t set, oldset ;
  unsigned long maxconn = 100 ;
  int one = 0 ;
  int s, opt, yes = 1 ;

  while ((opt = getopt(argc, argv, "+1c:")) != -1)
    switch (opt)
    {
      case '1' : one = 1 ; break ;
      case 'c' :
      {
        char *end ;
        maxconn = strtoul(optarg, &end, 10) ;
        if (*end || !maxconn) usage() ;
        if (maxconn > MAXCHILDREN) maxconn = MAXCHILDREN ;
        break ;
      }
      default : usage() ;
    }
  argc -= optind ; argv += optind ;
  if (argc < 2) usage() ;

  s = socket(AF_INET, SOCK_STREAM, 0) ;
  if (s < 0) die(111, "unable to create socket") ;
  if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) < 0) die(111, "setsockopt") ;
  memset(&sa, 0, sizeof sa) ;
  sa.sin_family = AF_INET ;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK) ;
  sa.sin_port = 0 ;
  if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0) die(111, "unable to bind 127.0.0.1:0") ;
  if (listen(s, 64) < 0) die(111, "unable to listen") ;
  if (getsockname(s, (struct sockaddr *)&sa, &len) < 0) die(111, "getsockname") ;
  if (setenv("PROTO", "TCP", 1) < 0) die(111, "setenv") ;
  putenv_addr("TCPLOCALIP", "TCPLOCALPORT", &sa) ;

  sigemptyset(&set) ;
  sigaddset(&set, SIGCHLD) ;
  sigaddset(&set, SIGTERM) ;
  sigaddset(&set, SIGINT) ;
  sigaddset(&set, SIGHUP) ;
  catch(SIGCHLD, &on_chld) ;
  catch(SIGTERM, &on_term) ;
  catch(SIGINT, &on_term) ;
  catch(SIGHUP, &on_term) ;
  signal(SIGPIPE, SIG_IGN) ;

  /* The port file is written only once the socket listens: whoever reads
     it can connect at once. */
  write_portfile(argv[0], ntohs(sa.sin_port)) ;

  while (!stop)
  {
    struct sockaddr_in peer ;
    socklen_t plen = sizeof peer ;
    pid_t pid ;
    int c ;

    if ((unsigned long)nchildren >= maxconn)
    {
      /* Wait for a child to end (or a signal to stop), race-free. */
      sigprocmask(SIG_BLOCK, &set, &oldset) ;
      while ((unsigned long)nchildren >= maxconn && !stop) sigsuspend(&oldset) ;
      sigprocmask(SIG_SETMASK, &oldset, 0) ;
      continue ;
    }
    c = accept(s, (struct sockaddr *)&peer, &plen) ;
    if (c < 0)
    {
      if (errno == EINTR || errno == ECONNABORTED) continue ;
      die(111, "accept") ;
    }
    sigprocmask(SIG_BLOCK, &set, &oldset) ;
    pid = fork() ;
    if (pid < 0) die(111, "fork") ;
    if (!pid)
    {
      signal(SIGCHLD, SIG_DFL) ;
      signal(SIGTERM, SIG_DFL) ;
      signal(SIGINT, SIG_DFL) ;
      signal(SIGHUP, SIG_DFL) ;
      signal(SIGPIPE, SIG_DFL) ;
      sigprocmask(SIG_SETMASK, &oldset, 0) ;
      close(s) ;
      putenv_addr("TCPREMOTEIP", "TCPREMOTEPORT", &peer) ;
      if (dup2(c, 0) < 0 || dup2(c, 1) < 0) die(111, "dup2") ;
      if (c > 1) close(c) ;
      execvp(argv[1], argv + 1) ;
      fprintf(stderr, "tcplisten: fatal: unable to exec %s: %s\n", argv[1], strerror(errno)) ;
      _exit(errno == ENOENT ? 127 : 126) ;
    }
    for (unsigned int i = 0 ; i < MAXCHILDREN ; i++)
      if (!children[i]) { children[i] = pid ; nchildren++ ; break ; }
    if (one) onepid = pid ;
    sigprocmask(SIG_SETMASK, &oldset, 0) ;
    close(c) ;
    if (one)
    {
      close(s) ;
      sigprocmask(SIG_BLOCK, &set, &oldset) ;
      while (!onepid_done && !stop) sigsuspend(&oldset) ;
      sigprocmask(SIG_SETMASK, &oldset, 0) ;
      if (onepid_done) return onepid_status ;
      break ;
    }
  }

  /* Stopped by a signal: do not leave children behind. */
  sigprocmask(SIG_BLOCK, &set, 0) ;
  for (unsigned int i = 0 ; i < MAXCHILDREN ; i++)
    if (children[i]) kill(children[i], SIGTERM) ;
  return 0 ;
}
