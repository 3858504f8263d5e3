/* ISC license. */

#include <string.h>
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

/* A decimal port: 1 to 5 digits, no leading zero, at most 65535. */
static int port_scan (char const *s, size_t len, uint16_t *port)
{
  uint32_t u = 0;
  size_t i = 0;
  if (!len || len > 5 || (len > 1 && s[0] == '0')) return 0;
  for (; i < len; i++)
  {
    if (s[i] < '0' || s[i] > '9') return 0;
    u = u * 10 + (s[i] - '0');
  }
  if (u > 65535) return 0;
  *port = (uint16_t)u;
  return 1;
}

/* An address of family af written as inet_pton reads it; out gets the canonical form. */
static int ip_scan (int af, char const *s, size_t len, char *out)
{
  char tmp[TLSP_PROXY_IP_FMT];
  unsigned char bin[16];
  if (!len || len >= sizeof tmp) return 0;
  memcpy(tmp, s, len);
  tmp[len] = 0;
  if (inet_pton(af, tmp, bin) != 1) return 0;
  return !!inet_ntop(af, bin, out, TLSP_PROXY_IP_FMT);
}

/* Splits s into exactly n fields separated by single spaces. */
static int split_fields (char const *s, size_t len, char const **field, size_t *flen, unsigned int n)
{
  unsigned int i = 0;
  size_t start = 0, j = 0;
  for (; j <= len; j++)
  {
    if (j < len && s[j] != ' ') continue;
    if (i >= n || j == start) return 0;
    field[i] = s + start;
    flen[i++] = j - start;
    start = j + 1;
  }
  return i == n;
}

int tlsp_proxy_v1_parse (char const *s, size_t len, tlsp_proxy *p, char const **why)
{
  char const *field[4];
  size_t flen[4];
  size_t body;
  int af;
  p->version = 1;
  if (len < 8 || len > TLSP_PROXY_V1_MAX || memcmp(s, TLSP_PROXY_V1_PREFIX, 6))
    return (*why = "v1: not a PROXY line", 0);
  if (s[len - 2] != '\r' || s[len - 1] != '\n' || memchr(s, '\n', len - 1) || memchr(s, '\r', len - 2))
    return (*why = "v1: the line does not end with its only CRLF", 0);
  if (memchr(s, 0, len)) return (*why = "v1: NUL byte in the line", 0);
  body = len - 2;
  /* UNKNOWN: the receiver ignores the rest of the line. */
  if (body >= 13 && !memcmp(s + 6, "UNKNOWN", 7) && (body == 13 || s[13] == ' '))
  {
    p->family = TLSP_PROXY_UNKNOWN;
    return 1;
  }
  if (body > 11 && !memcmp(s + 6, "TCP4 ", 5)) { p->family = TLSP_PROXY_TCP4; af = AF_INET; }
  else if (body > 11 && !memcmp(s + 6, "TCP6 ", 5)) { p->family = TLSP_PROXY_TCP6; af = AF_INET6; }
  else return (*why = "v1: protocol is not TCP4, TCP6 or UNKNOWN", 0);
  if (!split_fields(s + 11, body - 11, field, flen, 4))
    return (*why = "v1: not four fields separated by single spaces after the protocol", 0);
  if (!ip_scan(af, field[0], flen[0], p->remoteip))
    return (*why = af == AF_INET ? "v1: source address is not an IPv4 address" : "v1: source address is not an IPv6 address", 0);
  if (!ip_scan(af, field[1], flen[1], p->localip))
    return (*why = af == AF_INET ? "v1: destination address is not an IPv4 address" : "v1: destination address is not an IPv6 address", 0);
  if (!port_scan(field[2], flen[2], &p->remoteport))
    return (*why = "v1: source port is not a number from 0 to 65535", 0);
  if (!port_scan(field[3], flen[3], &p->localport))
    return (*why = "v1: destination port is not a number from 0 to 65535", 0);
  return 1;
}
