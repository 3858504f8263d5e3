/* ISC license. */

#include <stddef.h>
#include <string.h>
#include <utls/utls.h>
#include "der-internal.h"

/* Finds the most specific attribute with that OID: last RDN first. */
static int find_attr (utls_der const *rdns, size_t n, utls_der const *want, unsigned int *vtag, utls_der *value)
{
  while (n--)
  {
    utls_der rdn, oid;
    if (!utlsp_dn_rdn(rdns, n, &rdn)) return 0;
    while (rdn.len)
    {
      if (!utlsp_dn_atv(&rdn, &oid, vtag, value, 0)) return 0;
      if (oid.len == want->len && !memcmp(oid.s, want->s, oid.len)) return 1;
    }
  }
  return 0;
}

/* Bytes per code unit of the string types utlsp_dn_value decodes; 0 for others. */
static size_t unit_size (unsigned int tag)
{
  switch (tag)
  {
    case UTLSP_TAG_UTF8STRING:
    case UTLSP_TAG_NUMERICSTRING:
    case UTLSP_TAG_PRINTABLESTRING:
    case UTLSP_TAG_IA5STRING:
    case UTLSP_TAG_VISIBLESTRING:
    case UTLSP_TAG_TELETEXSTRING: return 1;
    case UTLSP_TAG_BMPSTRING: return 2;
    case UTLSP_TAG_UNIVERSALSTRING: return 4;
    default: return 0;
  }
}

/* 1 if the big-endian code unit at s is U+005C, a backslash. */
static int is_backslash (unsigned char const *s, size_t unit)
{
  size_t i = 0;
  for (; i + 1 < unit; i++) if (s[i]) return 0;
  return s[unit - 1] == '\\';
}

/*
 * The value, escaped as utlsp_dn_value does without RFC 4514 escaping,
 * except that a backslash is written \5C like other escaped bytes: a raw
 * one would make "a\41" read either as itself or as "aA". The value is
 * cut around each backslash, which changes nothing else: 0x5C is never
 * part of a multibyte UTF-8 sequence, and BMPString and UniversalString
 * units are cut on their boundaries.
 */
static int put_value (utlsp_out *out, unsigned int tag, utls_der const *value)
{
  size_t unit = unit_size(tag);
  size_t start = 0, i = 0;
  utls_der piece;
  if (!unit || value->len % unit) return utlsp_dn_value(out, tag, value, 0);
  for (; i < value->len; i += unit)
  {
    if (!is_backslash(value->s + i, unit)) continue;
    piece.s = value->s + start;
    piece.len = i - start;
    utlsp_dn_value(out, tag, &piece, 0);
    utlsp_out_hexbyte(out, '\\');
    start = i + unit;
  }
  piece.s = value->s + start;
  piece.len = value->len - start;
  return utlsp_dn_value(out, tag, &piece, 0);
}

size_t utls_dn_attr (char *out, size_t max, unsigned char const *name, size_t namelen, unsigned char const *oid, size_t oidlen)
{
  utlsp_out o = UTLSP_OUT_INIT(out, max);
  utls_der const want = { .s = oid, .len = oidlen };
  utls_der rdns, value;
  unsigned int vtag;
  size_t n;
  if (!utlsp_dn_open(name, namelen, &rdns, &n)
   || !find_attr(&rdns, n, &want, &vtag, &value)
   || !put_value(&o, vtag, &value))
    o.full = 1;
  return utlsp_out_finish(&o);
}
