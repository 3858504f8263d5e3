/* ISC license. */

#include <stddef.h>
#include <stdint.h>
#include <utls/utls.h>
#include "der-internal.h"

/* How the bytes of a string type encode characters. */
enum charset_e
{
  CHARSET_UTF8,                 /* also the ASCII subsets: decoded leniently as UTF-8 */
  CHARSET_ASCII8,               /* TeletexString: ASCII, the rest is escaped */
  CHARSET_UCS2,                 /* BMPString, big endian; surrogate pairs accepted */
  CHARSET_UCS4                  /* UniversalString, big endian */
};

static int charset_of (unsigned int tag, size_t len, enum charset_e *cs)
{
  switch (tag)
  {
    case UTLSP_TAG_UTF8STRING:
    case UTLSP_TAG_NUMERICSTRING:
    case UTLSP_TAG_PRINTABLESTRING:
    case UTLSP_TAG_IA5STRING:
    case UTLSP_TAG_VISIBLESTRING: *cs = CHARSET_UTF8; return 1;
    case UTLSP_TAG_TELETEXSTRING: *cs = CHARSET_ASCII8; return 1;
    case UTLSP_TAG_BMPSTRING: *cs = CHARSET_UCS2; return !(len & 1);
    case UTLSP_TAG_UNIVERSALSTRING: *cs = CHARSET_UCS4; return !(len & 3);
    default: return 0;
  }
}

static int is_scalar (uint32_t c)
{
  return c <= 0x10ffff && (c < 0xd800 || c > 0xdfff);
}

/* Strict UTF-8: no overlong forms, no surrogates. Bytes used, or 0 if invalid. */
static size_t utf8_decode (unsigned char const *s, size_t len, uint32_t *cp)
{
  static uint32_t const min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
  uint32_t c = s[0];
  size_t n, i;
  if (c < 0x80) { *cp = c; return 1; }
  if (c >= 0xc2 && c <= 0xdf) { n = 2; c &= 0x1f; }
  else if ((c & 0xf0) == 0xe0) { n = 3; c &= 0x0f; }
  else if (c >= 0xf0 && c <= 0xf4) { n = 4; c &= 0x07; }
  else return 0;
  if (n > len) return 0;
  for (i = 1 ; i < n ; i++)
  {
    if ((s[i] & 0xc0) != 0x80) return 0;
    c = (c << 6) | (s[i] & 0x3f);
  }
  if (c < min[n] || !is_scalar(c)) return 0;
  *cp = c;
  return n;
}

/*
 * Decodes the character at *pos and advances *pos past it. Returns 1
 * with *cp set, or 0 if the bytes passed over must be escaped as \XX.
 */
static int next_char (enum charset_e cs, utls_der const *v, size_t *pos, uint32_t *cp)
{
  unsigned char const *s = v->s + *pos;
  size_t left = v->len - *pos;
  uint32_t c, lo;
  size_t n;
  switch (cs)
  {
    case CHARSET_UTF8:
      n = utf8_decode(s, left, cp);
      *pos += n ? n : 1;
      return n != 0;
    case CHARSET_ASCII8:
      *pos += 1; *cp = s[0];
      return s[0] < 0x80;
    case CHARSET_UCS2:
      c = (uint32_t)s[0] << 8 | s[1];
      *pos += 2; *cp = c;
      if (c < 0xd800 || c > 0xdbff || left < 4) return is_scalar(c);
      lo = (uint32_t)s[2] << 8 | s[3];
      if (lo < 0xdc00 || lo > 0xdfff) return 0;
      *pos += 2;
      *cp = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
      return 1;
    case CHARSET_UCS4:
      c = (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 | s[3];
      *pos += 4; *cp = c;
      return is_scalar(c);
  }
  return 0;
}

static size_t utf8_encode (uint32_t c, char *buf)
{
  if (c < 0x80) { buf[0] = (char)c; return 1; }
  if (c < 0x800)
  {
    buf[0] = (char)(0xc0 | c >> 6); buf[1] = (char)(0x80 | (c & 0x3f));
    return 2;
  }
  if (c < 0x10000)
  {
    buf[0] = (char)(0xe0 | c >> 12); buf[1] = (char)(0x80 | (c >> 6 & 0x3f));
    buf[2] = (char)(0x80 | (c & 0x3f));
    return 3;
  }
  buf[0] = (char)(0xf0 | c >> 18); buf[1] = (char)(0x80 | (c >> 12 & 0x3f));
  buf[2] = (char)(0x80 | (c >> 6 & 0x3f)); buf[3] = (char)(0x80 | (c & 0x3f));
  return 4;
}

/* RFC 4514 section 2.4; '=' is not required there, but allowed and safer. */
static int needs_backslash (uint32_t c, int first, int last)
{
  switch (c)
  {
    case '"': case '+': case ',': case ';': case '<': case '>': case '\\': case '=':
      return 1;
    case ' ': return first || last;
    case '#': return first;
    default: return 0;
  }
}

/* C0, DEL and C1 controls never reach the output raw: \XX per UTF-8 byte. */
static void put_char (utlsp_out *out, uint32_t c, unsigned int flags, int first, int last)
{
  char buf[4];
  size_t n = utf8_encode(c, buf);
  if (c < 0x20 || (c >= 0x7f && c < 0xa0))
  {
    size_t i;
    for (i = 0 ; i < n ; i++) utlsp_out_hexbyte(out, (unsigned char)buf[i]);
    return;
  }
  if (flags & UTLSP_DN_RFC4514 && needs_backslash(c, first, last))
    utlsp_out_put(out, "\\", 1);
  utlsp_out_put(out, buf, n);
}

int utlsp_dn_value (utlsp_out *out, unsigned int tag, utls_der const *value, unsigned int flags)
{
  enum charset_e cs;
  size_t pos = 0;
  if (!charset_of(tag, value->len, &cs)) return 0;
  while (pos < value->len)
  {
    size_t start = pos;
    uint32_t c;
    if (next_char(cs, value, &pos, &c))
      put_char(out, c, flags, !start, pos == value->len);
    else
      for (; start < pos ; start++) utlsp_out_hexbyte(out, value->s[start]);
  }
  return 1;
}
