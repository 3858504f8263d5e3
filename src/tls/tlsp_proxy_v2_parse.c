/* ISC license. */

#include <stdint.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "proxy-internal.h"

/*
 * The PROXY protocol, v1 and v2, as HAProxy's specification defines
 * it. The parser never guesses: every field is checked, and anything
 * outside the specification is refused with a reason, since a header
 * we misread would give the application a wrong client address.
 */

/* v2 TLV types (the specification's PP2_TYPE_* values). */
enum tlv_type_e
{
  TLV_ALPN = 0x01,
  TLV_AUTHORITY = 0x02,
  TLV_CRC32C = 0x03,
  TLV_NOOP = 0x04,
  TLV_SSL = 0x20,
  TLV_SSL_VERSION = 0x21,
  TLV_SSL_CN = 0x22,
  TLV_SSL_CIPHER = 0x23,
  TLV_SSL_SIG_ALG = 0x24,
  TLV_SSL_KEY_ALG = 0x25,
};

/*
 * A value for the environment: 1 to TLSP_PROXY_VALUE_MAX bytes, none
 * of them a control character (NUL, CR, LF...). Others are dropped
 * (flagged for a warning) rather than escaped: an application comparing
 * an ALPN or a CN must not see a rewritten one. The first of two TLVs
 * of the same type wins.
 */
static void set_value (tlsp_proxy *p, unsigned int i, unsigned char const *s, size_t len)
{
  size_t j = 0;
  if (p->values[i].len || (p->dropped & (1u << i)) || !len) return;
  if (len > TLSP_PROXY_VALUE_MAX) { p->dropped |= 1u << i; return; }
  for (; j < len; j++)
    if (s[j] < 0x20 || s[j] == 0x7f) { p->dropped |= 1u << i; return; }
  p->values[i].s = (char const *)s;
  p->values[i].len = len;
}

/* The SSL TLV: client bits, verify result, then its own sub-TLVs. */
static int parse_ssl (unsigned char const *s, size_t len, tlsp_proxy *p, char const **why)
{
  size_t off = 5;
  if (len < 5) return (*why = "v2: SSL TLV shorter than 5 bytes", 0);
  if (p->has_ssl) return (*why = "v2: two SSL TLVs", 0);
  p->has_ssl = 1;
  p->ssl_client = s[0];
  p->ssl_verify = (uint32_t)s[1] << 24 | (uint32_t)s[2] << 16 | (uint32_t)s[3] << 8 | s[4];
  while (off < len)
  {
    size_t vlen;
    if (len - off < 3) return (*why = "v2: truncated TLV header inside the SSL TLV", 0);
    vlen = (size_t)s[off + 1] << 8 | s[off + 2];
    if (vlen > len - off - 3) return (*why = "v2: a TLV inside the SSL TLV overruns it", 0);
    switch (s[off])
    {
      case TLV_SSL_VERSION: set_value(p, TLSP_PROXY_SSL_VERSION, s + off + 3, vlen); break;
      case TLV_SSL_CN: set_value(p, TLSP_PROXY_SSL_CN, s + off + 3, vlen); break;
      case TLV_SSL_CIPHER: set_value(p, TLSP_PROXY_SSL_CIPHER, s + off + 3, vlen); break;
      case TLV_SSL_SIG_ALG: set_value(p, TLSP_PROXY_SSL_SIG_ALG, s + off + 3, vlen); break;
      case TLV_SSL_KEY_ALG: set_value(p, TLSP_PROXY_SSL_KEY_ALG, s + off + 3, vlen); break;
      default: break;
    }
    off += 3 + vlen;
  }
  return 1;
}

/* The checksum covers the whole header, its own 4 bytes taken as zeros. */
static int check_crc (unsigned char const *s, size_t len, size_t valoff, tlsp_proxy *p, char const **why)
{
  static unsigned char const zero[4] = { 0, 0, 0, 0 };
  uint32_t expected = (uint32_t)s[valoff] << 24 | (uint32_t)s[valoff + 1] << 16 | (uint32_t)s[valoff + 2] << 8 | s[valoff + 3];
  uint32_t crc = tlsp_crc32c(0, s, valoff);
  crc = tlsp_crc32c(crc, zero, 4);
  crc = tlsp_crc32c(crc, s + valoff + 4, len - valoff - 4);
  if (crc != expected) return (*why = "v2: CRC32C mismatch", 0);
  p->has_crc = 1;
  return 1;
}

static int walk_tlvs (unsigned char const *s, size_t len, size_t off, tlsp_proxy *p, char const **why)
{
  int seen_crc = 0;
  while (off < len)
  {
    size_t vlen;
    unsigned char const *v;
    if (len - off < 3) return (*why = "v2: truncated TLV header", 0);
    vlen = (size_t)s[off + 1] << 8 | s[off + 2];
    if (vlen > len - off - 3) return (*why = "v2: a TLV overruns the header", 0);
    v = s + off + 3;
    switch (s[off])
    {
      case TLV_ALPN: set_value(p, TLSP_PROXY_ALPN, v, vlen); break;
      case TLV_AUTHORITY: set_value(p, TLSP_PROXY_AUTHORITY, v, vlen); break;
      case TLV_CRC32C:
        if (vlen != 4) return (*why = "v2: CRC32C TLV is not 4 bytes long", 0);
        if (seen_crc++) return (*why = "v2: two CRC32C TLVs", 0);
        if (!check_crc(s, len, off + 3, p, why)) return 0;
        break;
      case TLV_SSL: if (!parse_ssl(v, vlen, p, why)) return 0; break;
      default: break;   /* NOOP, UNIQUE_ID, NETNS, custom: skipped by their length */
    }
    off += 3 + vlen;
  }
  return 1;
}

/* The address block: its length by family, and the addresses for INET/INET6. */
static int parse_addresses (unsigned char const *s, size_t len, tlsp_proxy *p, size_t *addrlen, char const **why)
{
  unsigned int family = s[13] >> 4, transport = s[13] & 15;
  size_t body = len - TLSP_PROXY_V2_FIXED;
  unsigned char const *a = s + TLSP_PROXY_V2_FIXED;
  static size_t const need[4] = { 0, 12, 36, 216 };
  if (family > 3) return (*why = "v2: unknown address family", 0);
  if (transport > 2) return (*why = "v2: unknown transport protocol", 0);
  *addrlen = need[family];
  if (body < need[family]) return (*why = "v2: header too short for its address family", 0);
  /* LOCAL: the receiver ignores the address block (still skipped by its length). */
  if (p->local || family == 0) { p->family = TLSP_PROXY_UNKNOWN; return 1; }
  if (family == 3) { p->family = TLSP_PROXY_UNIX; return 1; }
  if (transport != 1) return (*why = "v2: transport is not STREAM (TCP) for an IP address", 0);
  if (family == 1)
  {
    p->family = TLSP_PROXY_TCP4;
    inet_ntop(AF_INET, a, p->remoteip, sizeof p->remoteip);
    inet_ntop(AF_INET, a + 4, p->localip, sizeof p->localip);
    a += 8;
  }
  else
  {
    p->family = TLSP_PROXY_TCP6;
    inet_ntop(AF_INET6, a, p->remoteip, sizeof p->remoteip);
    inet_ntop(AF_INET6, a + 16, p->localip, sizeof p->localip);
    a += 32;
  }
  p->remoteport = (uint16_t)(a[0] << 8 | a[1]);
  p->localport = (uint16_t)(a[2] << 8 | a[3]);
  return 1;
}

int tlsp_proxy_v2_parse (unsigned char const *s, size_t len, tlsp_proxy *p, char const **why)
{
  size_t addrlen;
  size_t total;
  p->version = 2;
  if (len < TLSP_PROXY_V2_FIXED) return (*why = "v2: truncated fixed part", 0);
  total = tlsp_proxy_v2_length(s, why);
  if (!total) return 0;
  if (total != len) return (*why = "v2: length field does not match the header", 0);
  p->local = !(s[12] & 15);
  if (!parse_addresses(s, len, p, &addrlen, why)) return 0;
  return walk_tlvs(s, len, TLSP_PROXY_V2_FIXED + addrlen, p, why);
}
