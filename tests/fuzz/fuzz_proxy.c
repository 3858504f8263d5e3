/* ISC license. */

/*
 * The PROXY protocol header parser of proxy-accept (src/tls/tlsp_proxy.c).
 * Input: a candidate header, as proxy-accept would have read it. If it
 * starts with "PROXY ", the v1 parser gets it up to its first LF (at
 * most 107 bytes), as read_v1 delivers it; else, if it is 16 bytes or
 * more, the v2 parser gets exactly the length that the fixed part
 * announces, when the input holds that many bytes. Every input is also
 * given whole to both parsers, to hit the length and CRLF checks.
 *
 * Each input is copied to a heap buffer of its exact size, so that
 * AddressSanitizer sees any read past the header. Invariants checked on
 * success: the addresses read back, the exported values lie inside the
 * buffer and hold no control character, and the v2 CRC32C (when
 * present) is the one of the bytes.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "proxy-internal.h"
#include "fuzz-common.h"

static void check_result (tlsp_proxy const *p, unsigned char const *buf, size_t len)
{
  unsigned int i = 0;
  unsigned char bin[16];
  FUZZ_ASSERT(p->version == 1 || p->version == 2);
  if (!p->local && p->family == TLSP_PROXY_TCP4)
  {
    FUZZ_ASSERT(inet_pton(AF_INET, p->remoteip, bin) == 1);
    FUZZ_ASSERT(inet_pton(AF_INET, p->localip, bin) == 1);
  }
  if (!p->local && p->family == TLSP_PROXY_TCP6)
  {
    FUZZ_ASSERT(inet_pton(AF_INET6, p->remoteip, bin) == 1);
    FUZZ_ASSERT(inet_pton(AF_INET6, p->localip, bin) == 1);
  }
  for (; i < TLSP_PROXY_NVALUES; i++)
  {
    size_t j = 0;
    tlsp_proxy_value const *v = p->values + i;
    if (!v->len) continue;
    FUZZ_ASSERT(p->version == 2);
    FUZZ_ASSERT(v->len <= TLSP_PROXY_VALUE_MAX);
    FUZZ_ASSERT((unsigned char const *)v->s >= buf && (unsigned char const *)v->s + v->len <= buf + len);
    for (; j < v->len; j++) FUZZ_ASSERT((unsigned char)v->s[j] >= 0x20 && v->s[j] != 0x7f);
    FUZZ_ASSERT(!(p->dropped & (1u << i)));
  }
}

static void try_v1 (uint8_t const *data, size_t size)
{
  tlsp_proxy p = TLSP_PROXY_ZERO;
  char const *why = 0;
  char *buf = malloc(size ? size : 1);
  FUZZ_ASSERT(buf);
  memcpy(buf, data, size);
  if (tlsp_proxy_v1_parse(buf, size, &p, &why))
  {
    FUZZ_ASSERT(size <= TLSP_PROXY_V1_MAX && buf[size - 1] == '\n' && buf[size - 2] == '\r');
    check_result(&p, (unsigned char *)buf, size);
  }
  else FUZZ_ASSERT(why);
  free(buf);
}

static void try_v2 (uint8_t const *data, size_t size)
{
  tlsp_proxy p = TLSP_PROXY_ZERO;
  char const *why = 0;
  unsigned char *buf = malloc(size ? size : 1);
  FUZZ_ASSERT(buf);
  memcpy(buf, data, size);
  if (tlsp_proxy_v2_parse(buf, size, &p, &why))
  {
    FUZZ_ASSERT(size >= TLSP_PROXY_V2_FIXED && size == TLSP_PROXY_V2_FIXED + ((size_t)buf[14] << 8 | buf[15]));
    check_result(&p, buf, size);
  }
  else FUZZ_ASSERT(why);
  free(buf);
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  if (size >= 6 && !memcmp(data, TLSP_PROXY_V1_PREFIX, 6))
  {
    uint8_t const *lf = memchr(data, '\n', size < TLSP_PROXY_V1_MAX ? size : TLSP_PROXY_V1_MAX);
    if (lf) try_v1(data, lf - data + 1);
  }
  else if (size >= TLSP_PROXY_V2_FIXED)
  {
    char const *why = 0;
    size_t len = tlsp_proxy_v2_length(data, &why);
    if (len && len <= size) try_v2(data, len);
    else FUZZ_ASSERT(len || why);
  }
  try_v1(data, size);
  try_v2(data, size);
  {
    /* The checksum goes on across calls as over the whole. */
    size_t half = size / 2;
    FUZZ_ASSERT(tlsp_crc32c(tlsp_crc32c(0, data, half), data + half, size - half) == tlsp_crc32c(0, data, size));
  }
  return 0;
}
