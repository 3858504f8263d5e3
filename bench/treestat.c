/* ISC license. */

/*
 * treestat cpu|mem|pids PID...: totals over every live process in the trees
 * rooted at the PIDs (the roots included; descendants found by PPid in
 * /proc).
 *   cpu: utime+stime+cutime+cstime from /proc/<pid>/stat, in seconds.
 *        cutime/cstime hold the CPU of every child already reaped (and
 *        of what those reaped), so the delta of this sum over a run is
 *        all the CPU the server side spent, dead or alive.
 *   mem: "pss_kib rss_kib nprocs app_pss_kib", from /proc/<pid>/smaps_rollup;
 *        app_pss_kib: the part of pss_kib in bench/benchapp processes.
 *   pids: the pids of the trees, one a line.
 */

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXP 65536


static int pids[MAXP], ppids[MAXP], np;
static int intree[MAXP];

static int read_ppid (int pid)
{
  char path[64], buf[4096];
  FILE *f;
  int ppid = -1;
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  f = fopen(path, "r");
  if (!f) return -1;
  while (fgets(buf, sizeof buf, f))
    if (!strncmp(buf, "PPid:", 5)) { ppid = atoi(buf + 5); break; }
  fclose(f);
  return ppid;
}

static double cpu_of (int pid)
{
  char path[64], buf[4096], *p;
  FILE *f;
  unsigned long long v[4];
  size_t n;
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  f = fopen(path, "r");
  if (!f) return 0;
  n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  p = strrchr(buf, ')');
  if (!p) return 0;
  /* after ")": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime cutime cstime */
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu", v, v + 1, v + 2, v + 3) != 4) return 0;
  return (double)(v[0] + v[1] + v[2] + v[3]) / sysconf(_SC_CLK_TCK);
}

/* The application behind every tunnel (bench/benchapp): its memory is
   the same whatever the tunnel, so it is also reported on its own. */
static int is_app (int pid)
{
  char path[64], comm[32] = "";
  FILE *f;
  snprintf(path, sizeof path, "/proc/%d/comm", pid);
  f = fopen(path, "r");
  if (!f) return 0;
  if (!fgets(comm, sizeof comm, f)) comm[0] = 0;
  fclose(f);
  return !strcmp(comm, "benchapp\n");
}

static void mem_of (int pid, unsigned long long *pss, unsigned long long *rss)
{
  char path[64], buf[512];
  FILE *f;
  snprintf(path, sizeof path, "/proc/%d/smaps_rollup", pid);
  f = fopen(path, "r");
  if (!f) return;
  while (fgets(buf, sizeof buf, f))
  {
    if (!strncmp(buf, "Pss:", 4)) *pss += strtoull(buf + 4, 0, 10);
    else if (!strncmp(buf, "Rss:", 4)) *rss += strtoull(buf + 4, 0, 10);
  }
  fclose(f);
}

int main (int argc, char **argv)
{
  DIR *d;
  struct dirent *de;
  int i, changed, nroots = argc - 2;
  if (argc < 3 || (strcmp(argv[1], "cpu") && strcmp(argv[1], "mem") && strcmp(argv[1], "pids"))) { fprintf(stderr, "usage: treestat cpu|mem|pids pid...\n"); return 100; }
  d = opendir("/proc");
  if (!d) return 111;
  while ((de = readdir(d)) && np < MAXP)
  {
    if (!isdigit((unsigned char)de->d_name[0])) continue;
    pids[np] = atoi(de->d_name);
    ppids[np] = read_ppid(pids[np]);
    np++;
  }
  closedir(d);
  for (i = 0; i < np; i++)
  {
    int k;
    for (k = 0; k < nroots; k++) if (pids[i] == atoi(argv[k + 2])) intree[i] = 1;
  }
  do
  {
    changed = 0;
    for (i = 0; i < np; i++)
    {
      int j;
      if (intree[i]) continue;
      for (j = 0; j < np; j++)
        if (intree[j] && pids[j] == ppids[i]) { intree[i] = 1; changed = 1; break; }
    }
  } while (changed);
  if (!strcmp(argv[1], "cpu"))
  {
    double t = 0;
    for (i = 0; i < np; i++) if (intree[i]) t += cpu_of(pids[i]);
    printf("%.2f\n", t);
  }
  else if (!strcmp(argv[1], "pids"))
  {
    for (i = 0; i < np; i++) if (intree[i]) printf("%d\n", pids[i]);
  }
  else
  {
    unsigned long long pss = 0, rss = 0, apss = 0, arss = 0;
    int n = 0;
    for (i = 0; i < np; i++) if (intree[i])
    {
      mem_of(pids[i], &pss, &rss);
      if (is_app(pids[i])) mem_of(pids[i], &apss, &arss);
      n++;
    }
    printf("%llu %llu %d %llu\n", pss, rss, n, apss);
  }
  return 0;
}
