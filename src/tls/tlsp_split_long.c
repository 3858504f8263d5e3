/* ISC license. */

#include <string.h>

#include <skalibs/strerr.h>

#include "tls-internal.h"

static int takes_arg (char const *optstring, char c)
{
  char const *p = strchr(optstring, c);
  return c != ':' && p && p[1] == ':';
}

/* Does word (an option word such as "-Sk" or "-kname") consume the next word? */
static int takes_next_word (char const *optstring, char const *word)
{
  size_t j = 1;
  for (; word[j]; j++)
    if (takes_arg(optstring, word[j])) return !word[j + 1];
  return 0;
}

int tlsp_split_long (int argc, char const *const *argv, char const *optstring, char const **out, char const **longs, unsigned int *nlongs)
{
  int i = 1, n = 1;
  *nlongs = 0;
  if (argc >= TLSP_ARGV_MAX) strerr_dief(UTLS_EXIT_USAGE, "too many arguments");
  out[0] = argv[0];
  for (; i < argc; i++)
  {
    char const *a = argv[i];
    if (a[0] != '-' || !a[1] || !strcmp(a, "--")) break;
    if (a[1] == '-') { longs[(*nlongs)++] = a; continue; }
    out[n++] = a;
    if (takes_next_word(optstring, a) && i + 1 < argc) out[n++] = argv[++i];
  }
  for (; i < argc; i++) out[n++] = argv[i];
  out[n] = 0;
  return n;
}
