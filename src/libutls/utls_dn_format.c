/* ISC license. */

#include <stddef.h>
#include <string.h>
#include <utls/utls.h>
#include "der-internal.h"

/* Short names: RFC 4514 section 3, plus emailAddress as OpenSSL prints it. */
struct short_name_s
{
  char const *name;
  unsigned char oidlen;
  unsigned char oid[10];
};

static struct short_name_s const short_names[] =
{
  { "CN", UTLS_OID_CN_LEN, UTLS_OID_CN },
  { "L", 3, { 0x55, 0x04, 0x07 } },
  { "ST", 3, { 0x55, 0x04, 0x08 } },
  { "O", 3, { 0x55, 0x04, 0x0a } },
  { "OU", 3, { 0x55, 0x04, 0x0b } },
  { "C", 3, { 0x55, 0x04, 0x06 } },
  { "STREET", 3, { 0x55, 0x04, 0x09 } },
  { "DC", 10, { 0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19 } },
  { "UID", 10, { 0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01 } },
  { "emailAddress", 9, { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01 } }
};

static char const *short_name (utls_der const *oid)
{
  size_t i;
  for (i = 0 ; i < sizeof(short_names) / sizeof(short_names[0]) ; i++)
    if (oid->len == short_names[i].oidlen && !memcmp(oid->s, short_names[i].oid, oid->len))
      return short_names[i].name;
  return 0;
}

/* RFC 4514 section 2.4: "#" and the hex of the whole BER encoding. */
static void put_hexvalue (utlsp_out *out, utls_der const *whole)
{
  static char const hex[16] = "0123456789ABCDEF";
  size_t i;
  utlsp_out_put(out, "#", 1);
  for (i = 0 ; i < whole->len ; i++)
  {
    char buf[2] = { hex[whole->s[i] >> 4], hex[whole->s[i] & 15] };
    utlsp_out_put(out, buf, 2);
  }
}

/*
 * One AttributeTypeAndValue. A known type with a string value is written
 * as a string; a dotted OID, or a value that is not a string we can
 * decode, is written in the #hex form. 0 if an OID arc is too large.
 */
static int put_atv (utlsp_out *out, utls_der *rdn)
{
  utls_der oid, value, whole;
  unsigned int vtag;
  char const *name;
  if (!utlsp_dn_atv(rdn, &oid, &vtag, &value, &whole)) return 0;
  name = short_name(&oid);
  if (name) utlsp_out_put(out, name, strlen(name));
  else if (!utlsp_oid_fmt(out, &oid)) return 0;
  utlsp_out_put(out, "=", 1);
  if (!name || !utlsp_dn_value(out, vtag, &value, UTLSP_DN_RFC4514))
    put_hexvalue(out, &whole);
  return 1;
}

size_t utls_dn_format (char *out, size_t max, unsigned char const *name, size_t namelen)
{
  utlsp_out o = UTLSP_OUT_INIT(out, max);
  utls_der rdns;
  size_t n;
  if (!utlsp_dn_open(name, namelen, &rdns, &n)) o.full = 1;
  /* the most specific RDN is the last one in the DER sequence */
  else while (n-- && !o.full)
  {
    utls_der rdn;
    int first = 1;
    if (!utlsp_dn_rdn(&rdns, n, &rdn)) { o.full = 1; break; }
    while (rdn.len)
    {
      if (!first) utlsp_out_put(&o, "+", 1);
      first = 0;
      if (!put_atv(&o, &rdn)) { o.full = 1; break; }
    }
    if (n) utlsp_out_put(&o, ",", 1);
  }
  return utlsp_out_finish(&o);
}
