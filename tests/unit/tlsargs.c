/* ISC license. */

/*
 * Unit test: tlsp_split_long (long options out of argv, attached and
 * separate option values), tlsp_getopt's refusals (no argv at all, too
 * many arguments: exit 100, with or without a --long word) and
 * tlsp_block_valid (the UCSPI-TLS variable
 * block format, also what tlsd hands to its application).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <skalibs/strerr.h>

#include "tls-internal.h"

#define UNIT_NAME "tlsargs"
#include "unit.h"

/* want: the expected argv after splitting, and the long options, "|"-separated. */
static void split (char const *what, char const *const *argv, char const *want, char const *wantlong)
{
  static char const *out[TLSP_ARGV_MAX + 1];
  static char const *longs[TLSP_ARGV_MAX];
  char got[1024] = "", gotlong[1024] = "";
  unsigned int nlongs, i;
  int argc = 0, n;
  while (argv[argc]) argc++;
  n = tlsp_split_long(argc, argv, "v:K:SsJjYyZzk:a:6:7:", out, longs, &nlongs);
  for (i = 0; i < (unsigned int)n; i++) { if (i) strcat(got, "|"); strcat(got, out[i]); }
  for (i = 0; i < nlongs; i++) { if (i) strcat(gotlong, "|"); strcat(gotlong, longs[i]); }
  if (out[n]) fail(what, "argv not terminated");
  if (strcmp(got, want)) fail(what, got);
  if (strcmp(gotlong, wantlong)) fail(what, gotlong);
}

static void block (char const *what, char const *s, size_t len, int valid)
{
  static utls_envblock b;
  memcpy(b.buf, s, len);
  b.len = len;
  if (tlsp_block_valid(&b) != valid) fail(what, valid ? "refused" : "accepted");
}

/* tlsp_getopt on argc/argv in a child: its exit status, 0 if it returned. */
static int getopt_status (int argc, char const *const *argv)
{
  int wstat;
  pid_t pid = fork();
  if (pid < 0) { perror("fork"); exit(111); }
  if (!pid)
  {
    tlsp_opts opts = TLSP_OPTS_ZERO;
    if (!freopen("/dev/null", "w", stderr)) _exit(111);
    tlsp_getopt(&argc, &argv, "v:K:SsJjYyZzk:a:", &opts, "tlsd [ options ] prog...", 1);
    _exit(0);
  }
  if (waitpid(pid, &wstat, 0) != pid || !WIFEXITED(wstat)) return -1;
  return WEXITSTATUS(wstat);
}

static void refusals (void)
{
  static char const *many[TLSP_ARGV_MAX + 2];
  char const *none[1] = { 0 };
  char buf[64];
  unsigned int i = 0;
  int st = getopt_status(0, none);
  if (st != 100) { snprintf(buf, sizeof buf, "exit %d, wanted 100", st); fail("argc 0", buf); }
  for (; i <= TLSP_ARGV_MAX; i++) many[i] = i ? "x" : "tlsd";
  many[TLSP_ARGV_MAX + 1] = 0;
  st = getopt_status(TLSP_ARGV_MAX + 1, many);
  if (st != 100) { snprintf(buf, sizeof buf, "exit %d, wanted 100", st); fail("too many arguments", buf); }
  many[1] = "--insecure-no-verify";
  st = getopt_status(TLSP_ARGV_MAX + 1, many);
  if (st != 100) { snprintf(buf, sizeof buf, "exit %d, wanted 100", st); fail("too many arguments, with a --long word", buf); }
  many[1] = "x";
  st = getopt_status(3, many);
  if (st) { snprintf(buf, sizeof buf, "exit %d, wanted 0", st); fail("three plain words", buf); }
}

int main (void)
{
  PROG = UNIT_NAME;
  refusals();
  split("plain", (char const *[]){ "tlsc", "-k", "host", "prog", 0 }, "tlsc|-k|host|prog", "");
  split("long first", (char const *[]){ "tlsc", "--pin=x", "-k", "h", "prog", 0 }, "tlsc|-k|h|prog", "--pin=x");
  split("long after a value", (char const *[]){ "tlsc", "-k", "h", "--insecure-no-verify", "prog", 0 }, "tlsc|-k|h|prog", "--insecure-no-verify");
  /* A value attached to its letter: the next word is not a value. */
  split("attached value ending in a letter that takes one", (char const *[]){ "tlsc", "-kmail.example.ca", "--insecure-no-verify", "prog", 0 }, "tlsc|-kmail.example.ca|prog", "--insecure-no-verify");
  split("attached ip ending in 6", (char const *[]){ "tlsc", "-k10.0.0.6", "--pin=p", "prog", 0 }, "tlsc|-k10.0.0.6|prog", "--pin=p");
  split("bundled flags then a letter with a value", (char const *[]){ "tlsc", "-Sk", "h", "--pin=p", "prog", 0 }, "tlsc|-Sk|h|prog", "--pin=p");
  split("long options after the program stay", (char const *[]){ "tlsc", "prog", "--pin=p", 0 }, "tlsc|prog|--pin=p", "");
  split("double dash ends options", (char const *[]){ "tlsc", "--", "--pin=p", 0 }, "tlsc|--|--pin=p", "");
  split("value that looks like a long option", (char const *[]){ "tlsc", "-k", "--pin=p", "prog", 0 }, "tlsc|-k|--pin=p|prog", "");

  block("empty block", "", 1, 1);
  block("one entry", "SSL_PROTOCOL=TLSv1.2\0", 22, 1);
  block("two entries", "A=1\0B=\0", 8, 1);
  block("no final NUL", "A=1\0", 4, 0);
  block("bare name", "A\0", 3, 0);
  block("bare name before a good one", "A\0B=1\0", 7, 0);
  block("nothing", "", 0, 0);
  block("trailing garbage", "A=1\0\0x", 6, 0);
  block("no terminator at all", "A=1", 3, 0);
  return failures ? 1 : 0;
}
