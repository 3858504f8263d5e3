/* ISC license. */

/*
 * utls_hostname_match (pattern from a certificate, host from the user)
 * and utls_pin_scan. Input: pattern bytes, a 0xff separator, host.
 * Both live in buffers allocated to the byte. The whole input is also
 * given to utls_pin_scan as a string.
 */

#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <utls/utls.h>
#include "fuzz-common.h"

static char *dup0 (uint8_t const *s, size_t n)
{
  char *p = malloc(n + 1);
  FUZZ_ASSERT(p);
  if (n) memcpy(p, s, n);
  p[n] = 0;
  return p;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  uint8_t const *sep = memchr(data, 0xff, size);
  size_t plen = sep ? (size_t)(sep - data) : size;
  char *pattern = malloc(plen ? plen : 1);
  char *host = dup0(sep ? sep + 1 : data + size, sep ? size - plen - 1 : 0);
  char *all = dup0(data, size);
  unsigned char pin[32];
  int m;
  FUZZ_ASSERT(pattern);
  if (plen) memcpy(pattern, data, plen);
  m = utls_hostname_match(pattern, plen, host);
  FUZZ_ASSERT(m == 0 || m == 1);
  /* A match without a wildcard is an exact case-insensitive match
     (the host may end with the root's dot). */
  if (m && plen && pattern[0] != '*')
    FUZZ_ASSERT(strlen(host) == plen || (strlen(host) == plen + 1 && host[plen] == '.'));
  m = utls_pin_scan(all, pin);
  FUZZ_ASSERT(m == 0 || m == 1);
  free(all);
  free(host);
  free(pattern);
  return 0;
}
