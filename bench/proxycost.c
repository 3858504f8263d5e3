/* ISC license. */

/*
 * proxycost N HEADERFILE prog...: forks N children, one after the
 * other; each gets HEADERFILE (opened anew) on fd 0 and execs prog.
 * Prints the children's user+system CPU and the wall time per run, in
 * microseconds. bench/proxy.sh runs it with prog = a static "true", and
 * with prog = proxy-accept true: the difference is what proxy-accept
 * costs a connection (its exec and its work), without the network and
 * the superserver's noise around it.
 */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main (int argc, char **argv)
{
  struct rusage ru;
  struct timespec t0, t1;
  long n, i;
  double cpu, wall;
  if (argc < 4) { fprintf(stderr, "usage: proxycost N headerfile prog...\n"); return 100; }
  n = atol(argv[1]);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (i = 0; i < n; i++)
  {
    int status;
    pid_t pid = fork();
    if (pid < 0) { perror("proxycost: fork"); return 111; }
    if (!pid)
    {
      int fd = open(argv[2], O_RDONLY);
      if (fd < 0 || dup2(fd, 0) < 0) _exit(111);
      execv(argv[3], argv + 3);
      _exit(127);
    }
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
    {
      fprintf(stderr, "proxycost: child failed (status %d)\n", status);
      return 1;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  getrusage(RUSAGE_CHILDREN, &ru);
  cpu = ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1e6 + ru.ru_stime.tv_usec;
  wall = (t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3;
  printf("cpu_us %.1f wall_us %.1f\n", cpu / n, wall / n);
  return 0;
}
