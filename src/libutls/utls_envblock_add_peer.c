/* ISC license. */

#include <stddef.h>
#include <string.h>
#include <bearssl.h>
#include <utls/utls.h>
#include "der-internal.h"

#define DN_MAX 4096
#define ATTR_MAX 1024
#define SERIAL_MAX 64           /* RFC 5280 allows 20 octets; be generous */

static unsigned char const oid_email[9] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01 };
static char const hex_lower[16] = "0123456789abcdef";
static char const hex_upper[16] = "0123456789ABCDEF";

/* Adds <prefix><suffix>=value. Names are ours: an overlong one is an overflow. */
static void add (utls_envblock *block, char const *prefix, char const *suffix, char const *value)
{
  char name[64];
  size_t plen = strlen(prefix), slen = strlen(suffix);
  if (plen + slen >= sizeof(name))
  {
    block->overflow = 1;
    return;
  }
  memcpy(name, prefix, plen);
  memcpy(name + plen, suffix, slen + 1);
  utls_envblock_add(block, name, value);
}

/* Uppercase hex, without the 00 octet DER adds to keep a serial positive. */
static void serial_hex (char *out, utls_der const *serial)
{
  size_t i, n = serial->len;
  unsigned char const *s = serial->s;
  if (n > 1 && !s[0] && s[1] & 0x80) { s++; n--; }
  if (n > SERIAL_MAX) n = 0;    /* absurd: leave the variable out */
  for (i = 0 ; i < n ; i++)
  {
    out[2 * i] = hex_upper[s[i] >> 4];
    out[2 * i + 1] = hex_upper[s[i] & 15];
  }
  out[2 * n] = 0;
}

/* "SHA256:" and the lowercase hex of the SHA-256 of the whole certificate. */
static void cert_hash (char *out, unsigned char const *der, size_t len)
{
  br_sha256_context ctx;
  unsigned char digest[br_sha256_SIZE];
  size_t i;
  br_sha256_init(&ctx);
  br_sha256_update(&ctx, der, len);
  br_sha256_out(&ctx, digest);
  memcpy(out, "SHA256:", 7);
  for (i = 0 ; i < br_sha256_SIZE ; i++)
  {
    out[7 + 2 * i] = hex_lower[digest[i] >> 4];
    out[8 + 2 * i] = hex_lower[digest[i] & 15];
  }
  out[7 + 2 * br_sha256_SIZE] = 0;
}

/* Names, one at a time to keep the stack small. Too long: left out. */
static void add_names (utls_envblock *block, char const *prefix, utls_x509_info const *info)
{
  char buf[DN_MAX];
  utls_dn_format(buf, sizeof(buf), info->subject.s, info->subject.len);
  add(block, prefix, "S_DN", buf);
  add(block, "", "SSL_PEER_CERT_SUBJECT", buf);
  utls_dn_attr(buf, ATTR_MAX, info->subject.s, info->subject.len, (unsigned char const *)UTLS_OID_CN, UTLS_OID_CN_LEN);
  add(block, prefix, "S_DN_CN", buf);
  utls_dn_attr(buf, ATTR_MAX, info->subject.s, info->subject.len, oid_email, sizeof(oid_email));
  add(block, prefix, "S_DN_Email", buf);
  utls_dn_format(buf, sizeof(buf), info->issuer.s, info->issuer.len);
  add(block, prefix, "I_DN", buf);
}

int utls_envblock_add_peer (utls_envblock *block, char const *prefix, unsigned char const *der, size_t len)
{
  utls_x509_info info;
  char buf[2 * SERIAL_MAX + 8 + 2 * br_sha256_SIZE];
  int r = utls_x509_parse(&info, der, len);
  if (r) return r;
  add_names(block, prefix, &info);
  serial_hex(buf, &info.serial);
  add(block, prefix, "M_SERIAL", buf);
  utls_time_fmt(buf, sizeof(buf), info.not_before);
  add(block, prefix, "V_START", buf);
  utls_time_fmt(buf, sizeof(buf), info.not_after);
  add(block, prefix, "V_END", buf);
  cert_hash(buf, der, len);
  add(block, "", "SSL_PEER_CERT_HASH", buf);
  return 0;
}
