/* ISC license. */

/*
 * cachecost FILE [n]: the cost of the session cache (libutls'
 * utls_sesscache) as tlsd pays it. A connection is one process: it maps
 * the file (utls_sesscache_open), looks its session up and, after a full
 * handshake, stores one. Measured here:
 *   open_us     open + fstat + pread + mmap + close of an existing file
 *   cold_us     one fetch + one store in a process that just mapped the
 *               file (page faults on the header and the bucket included),
 *               median over n fresh child processes
 *   warm_us     the same in a process that already touched those pages
 * cachecost memcached:SPEC [n]: the same for the memcached store
 * (TLS_SESSION_CACHE=memcached:SPEC), wall time, memcached's work and
 * the round trips included:
 *   mc_cold_us  connect + one fetch (a miss) + one store (sealed), in
 *               a fresh process, median over n (and the CPU time this
 *               process spent on it: mc_cold_cpu_us)
 *   mc_warm_us  one fetch (a hit: unseal, parse) + one store on a kept
 *               connection
 * Output: one line of key=value pairs.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <utls/sesscache.h>

static double now (void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void entry (utls_sessentry *e, unsigned int k)
{
  memset(e, 0, sizeof *e);
  memcpy(e->id, &k, sizeof k);
  e->params.session_id_len = 32;
  memcpy(e->params.session_id, e->id, 32);
  e->params.version = 0x0303;
  e->params.cipher_suite = 0xc02b;
  e->created = time(0);
  strcpy(e->name, "localhost");
  e->factslen = 24;
  memcpy(e->facts, "SSL_CLIENT_VERIFY=NONE\0", 24);
}

static double cpu (void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmpd (void const *a, void const *b)
{
  double x = *(double const *)a, y = *(double const *)b;
  return x < y ? -1 : x > y;
}

static int remote (char const *spec, unsigned int n)
{
  static utls_sessentry e, out;
  utls_sesscache c = UTLS_SESSCACHE_ZERO;
  utls_sealkey k;
  unsigned char raw[32];
  double t1, t0, c1, *cold = malloc(n * sizeof(double)), *ccpu = malloc(n * sizeof(double)), warm;
  unsigned int i;
  int p[2];
  if (!cold || !ccpu || pipe(p) < 0) return 111;
  for (i = 0; i < 32; i++) raw[i] = i * 13 + 7;
  utls_sealkey_derive(&k, raw);
  if (utls_sesscache_open_remote(&c, spec, &k, 1, 3600, 1000)) { fprintf(stderr, "cachecost: bad memcached list\n"); return 100; }
  for (i = 0; i < n; i++)
  {
    pid_t pid = fork();
    if (pid < 0) return 111;
    if (!pid)
    {
      double d[2];
      entry(&e, 2000000 + i);
      t1 = now();
      c1 = cpu();
      utls_sesscache_fetch(&c, UTLS_SC_SERVER, e.id, time(0), &out);
      utls_sesscache_store(&c, UTLS_SC_SERVER, &e, time(0));
      d[1] = cpu() - c1;
      d[0] = now() - t1;
      if (c.why) { fprintf(stderr, "cachecost: %s\n", c.why); _exit(1); }
      if (write(p[1], d, sizeof d) != sizeof d) _exit(1);
      _exit(0);
    }
    {
      double d[2];
      if (read(p[0], d, sizeof d) != sizeof d) return 111;
      cold[i] = d[0];
      ccpu[i] = d[1];
    }
    waitpid(pid, 0, 0);
  }
  qsort(cold, n, sizeof *cold, &cmpd);
  qsort(ccpu, n, sizeof *ccpu, &cmpd);
  for (i = 0; i < 1000; i++) { entry(&e, i); utls_sesscache_store(&c, UTLS_SC_SERVER, &e, time(0)); }
  t0 = now();
  for (i = 0; i < 10000; i++)
  {
    entry(&e, i % 1000);
    if (!utls_sesscache_fetch(&c, UTLS_SC_SERVER, e.id, time(0), &out)) { fprintf(stderr, "cachecost: a miss: %s\n", c.why ? c.why : "-"); return 1; }
    utls_sesscache_store(&c, UTLS_SC_SERVER, &e, time(0));
  }
  warm = (now() - t0) / 10000;
  printf("mc_cold_us=%.1f mc_cold_p90_us=%.1f mc_cold_cpu_us=%.1f mc_warm_us=%.1f\n", cold[n / 2], cold[n * 9 / 10], ccpu[n / 2], warm);
  return 0;
}

int main (int argc, char **argv)
{
  static utls_sessentry e, out;
  utls_sesscache c = UTLS_SESSCACHE_ZERO;
  char const *why;
  unsigned int n = argc > 2 ? (unsigned int)atoi(argv[2]) : 200, i;
  double t0, t1, open_us, warm, *cold;
  int p[2];
  if (argc < 2) { fprintf(stderr, "usage: cachecost file|memcached:spec [n]\n"); return 100; }
  if (!strncmp(argv[1], "memcached:", 10)) return remote(argv[1] + 10, n);
  cold = malloc(n * sizeof *cold);
  if (!cold || pipe(p) < 0) return 111;
  if (utls_sesscache_open(&c, argv[1], UTLS_SC_DEFAULT_SLOTS, 3600, &why)) { fprintf(stderr, "cachecost: %s\n", why); return 111; }
  utls_sesscache_close(&c);
  t0 = now();
  for (i = 0; i < n; i++) { utls_sesscache_open(&c, argv[1], UTLS_SC_DEFAULT_SLOTS, 3600, &why); utls_sesscache_close(&c); }
  open_us = (now() - t0) / n;
  for (i = 0; i < n; i++)
  {
    pid_t pid = fork();
    if (pid < 0) return 111;
    if (!pid)
    {
      double d;
      utls_sesscache_open(&c, argv[1], UTLS_SC_DEFAULT_SLOTS, 3600, &why);
      entry(&e, 1000000 + i);
      t1 = now();
      utls_sesscache_fetch(&c, UTLS_SC_SERVER, e.id, time(0), &out);
      utls_sesscache_store(&c, UTLS_SC_SERVER, &e, time(0));
      d = now() - t1;
      if (write(p[1], &d, sizeof d) != sizeof d) _exit(1);
      _exit(0);
    }
    if (read(p[0], cold + i, sizeof *cold) != sizeof *cold) return 111;
    waitpid(pid, 0, 0);
  }
  qsort(cold, n, sizeof *cold, &cmpd);
  utls_sesscache_open(&c, argv[1], UTLS_SC_DEFAULT_SLOTS, 3600, &why);
  for (i = 0; i < 4096; i++) { entry(&e, i); utls_sesscache_store(&c, UTLS_SC_SERVER, &e, time(0)); }
  t0 = now();
  for (i = 0; i < 100000; i++)
  {
    entry(&e, i % 4096);
    utls_sesscache_fetch(&c, UTLS_SC_SERVER, e.id, time(0), &out);
    utls_sesscache_store(&c, UTLS_SC_SERVER, &e, time(0));
  }
  warm = (now() - t0) / 100000;
  printf("open_us=%.1f cold_us=%.1f cold_p90_us=%.1f warm_us=%.2f\n", open_us, cold[n / 2], cold[n * 9 / 10], warm);
  return 0;
}
