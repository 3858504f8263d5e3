/* ISC license. */

/*
 * The option parsers of the engines: tlsp_split_long, then
 * tlsp_getopt with tlsd's or tlsc's option string. The input is the
 * argument list, words separated by NUL bytes; its first byte picks the
 * program. tlsp_getopt dies (exit 100) on a bad value: fuzz-common.h
 * turns that into a longjmp, and the harness checks that the code is 100.
 */

#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#define FUZZ_CATCH_DIE
#include "fuzz-common.h"
#include "tls-internal.h"

char const *PROG = "fuzz_getopt";

#define MAXWORDS 64

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  static char const *const optstrings[2] = { "v:K:SsJjYyZzk:a:6:7:", "v:K:SsJjYyZzk:a:" };
  static char const *out[TLSP_ARGV_MAX + 1];
  static char const *longs[TLSP_ARGV_MAX];
  char const *words[MAXWORDS + 2];
  char *copy;
  size_t i = 0;
  int argc = 1, is_server, n;
  unsigned int nlongs;
  if (!size || size > 4096) return 0;
  is_server = data[0] & 1;
  copy = malloc(size);
  FUZZ_ASSERT(copy);
  memcpy(copy, data + 1, size - 1);
  copy[size - 1] = 0;
  words[0] = is_server ? "tlsd" : "tlsc";
  for (i = 0; i < size - 1 && argc < MAXWORDS; i += strlen(copy + i) + 1)
    words[argc++] = copy + i;
  words[argc] = 0;

  n = tlsp_split_long(argc, words, optstrings[is_server], out, longs, &nlongs);
  FUZZ_ASSERT(n + (int)nlongs == argc);
  FUZZ_ASSERT(!out[n]);

  {
    tlsp_opts opts = TLSP_OPTS_ZERO;
    int ac = argc;
    char const *const *av = words;
    int died;
    FUZZ_TRY(died, tlsp_getopt(&ac, &av, optstrings[is_server], &opts, "usage", is_server));
    if (died) FUZZ_ASSERT(fuzz_exitcode == UTLS_EXIT_USAGE);
    else
    {
      FUZZ_ASSERT(ac >= 0 && ac <= argc);
      FUZZ_ASSERT(!av[ac]);
      FUZZ_ASSERT(opts.nalpn <= UTLS_ALPN_MAX);
      FUZZ_ASSERT(opts.snilevel >= -1 && opts.snilevel <= 2);
      FUZZ_ASSERT(opts.fd_read >= 0 && opts.fd_read <= 1023 && opts.fd_write >= 0 && opts.fd_write <= 1023);
      for (i = 0; i < opts.nalpn; i++) FUZZ_ASSERT(strlen(opts.alpn[i]) >= 1 && strlen(opts.alpn[i]) <= 255);
      if (opts.name) FUZZ_ASSERT(strlen(opts.name) >= 1 && strlen(opts.name) <= UTLS_NAME_MAX);
    }
  }
  free(copy);
  return 0;
}
