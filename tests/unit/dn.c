/* ISC license. */

/*
 * Unit test: utls_dn_format and utls_dn_attr on distinguished names
 * built by hand, so that every escaping rule and string type is reached.
 */

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <utls/utls.h>
#include "der-internal.h"

#define UNIT_NAME "dn"
#include "unit.h"

/* A DER buffer under construction. */
typedef struct buf_s buf;
struct buf_s
{
  unsigned char s[2048];
  size_t len;
};

static void put_tlv (buf *b, unsigned int tag, void const *v, size_t n)
{
  if (b->len + n + 4 > sizeof(b->s)) { fail("builder", "buffer too small"); return; }
  b->s[b->len++] = (unsigned char)tag;
  if (n >= 0x100) { b->s[b->len++] = 0x82; b->s[b->len++] = (unsigned char)(n >> 8); b->s[b->len++] = (unsigned char)n; }
  else if (n >= 0x80) { b->s[b->len++] = 0x81; b->s[b->len++] = (unsigned char)n; }
  else b->s[b->len++] = (unsigned char)n;
  memcpy(b->s + b->len, v, n);
  b->len += n;
}

/* One attribute of a test name: OID contents, value tag and bytes. */
typedef struct attr_s attr;
struct attr_s
{
  char const *oid;              /* contents, as a string of bytes */
  size_t oidlen;
  unsigned int tag;
  char const *value;
  size_t vlen;
  int rdn;                      /* RDN index: equal indexes form a multi-valued RDN */
};

#define OID_CN "\x55\x04\x03", 3
#define OID_C "\x55\x04\x06", 3
#define OID_L "\x55\x04\x07", 3
#define OID_ST "\x55\x04\x08", 3
#define OID_STREET "\x55\x04\x09", 3
#define OID_O "\x55\x04\x0a", 3
#define OID_OU "\x55\x04\x0b", 3
#define OID_DC "\x09\x92\x26\x89\x93\xf2\x2c\x64\x01\x19", 10
#define OID_UID "\x09\x92\x26\x89\x93\xf2\x2c\x64\x01\x01", 10
#define OID_EMAIL "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x01", 9
#define OID_PREFIX "\x55\x04", 2
#define V(s) s, sizeof(s) - 1

/* Builds Name ::= SEQUENCE OF SET OF SEQUENCE { OID, value } from n attributes in DER order. */
static void build (buf *name, attr const *a, size_t n)
{
  buf seq = { .len = 0 };
  size_t i = 0;
  while (i < n)
  {
    buf set = { .len = 0 };
    int rdn = a[i].rdn;
    for (; i < n && a[i].rdn == rdn ; i++)
    {
      buf atv = { .len = 0 };
      put_tlv(&atv, UTLSP_TAG_OID, a[i].oid, a[i].oidlen);
      put_tlv(&atv, a[i].tag, a[i].value, a[i].vlen);
      put_tlv(&set, UTLSP_TAG_SEQUENCE, atv.s, atv.len);
    }
    put_tlv(&seq, UTLSP_TAG_SET, set.s, set.len);
  }
  name->len = 0;
  put_tlv(name, UTLSP_TAG_SEQUENCE, seq.s, seq.len);
}

static void expect_format (char const *what, attr const *a, size_t n, char const *want)
{
  buf name;
  char out[1024];
  size_t r;
  build(&name, a, n);
  r = utls_dn_format(out, sizeof(out), name.s, name.len);
  if (r != strlen(want) || strcmp(out, want))
  {
    char d[1200];
    snprintf(d, sizeof(d), "got [%s] (%zu), want [%s]", out, r, want);
    fail(what, d);
  }
}

static void expect_attr (char const *what, attr const *a, size_t n, char const *oid, size_t oidlen, char const *want)
{
  buf name;
  char out[1024];
  size_t r;
  build(&name, a, n);
  r = utls_dn_attr(out, sizeof(out), name.s, name.len, (unsigned char const *)oid, oidlen);
  if (r != strlen(want) || strcmp(out, want))
  {
    char d[1200];
    snprintf(d, sizeof(d), "got [%s] (%zu), want [%s]", out, r, want);
    fail(what, d);
  }
}

#define FMT(what, want, ...) do \
{ \
  attr const a_[] = { __VA_ARGS__ }; \
  expect_format(what, a_, sizeof(a_) / sizeof(a_[0]), want); \
} while (0)

#define ATTR(what, oid, want, ...) do \
{ \
  attr const a_[] = { __VA_ARGS__ }; \
  expect_attr(what, a_, sizeof(a_) / sizeof(a_[0]), oid, want); \
} while (0)

#define UTF8 UTLSP_TAG_UTF8STRING
#define PRINT UTLSP_TAG_PRINTABLESTRING
#define IA5 UTLSP_TAG_IA5STRING
#define T61 UTLSP_TAG_TELETEXSTRING
#define BMP UTLSP_TAG_BMPSTRING
#define UCS4 UTLSP_TAG_UNIVERSALSTRING

static void test_order_and_names (void)
{
  FMT("single", "CN=foo", { OID_CN, PRINT, V("foo"), 0 });
  FMT("reverse order", "CN=test,O=Example,C=FR",
    { OID_C, PRINT, V("FR"), 0 }, { OID_O, UTF8, V("Example"), 1 }, { OID_CN, UTF8, V("test"), 2 });
  FMT("short names", "UID=u,DC=d,STREET=s,OU=ou,ST=st,L=l",
    { OID_L, UTF8, V("l"), 0 }, { OID_ST, UTF8, V("st"), 1 }, { OID_OU, UTF8, V("ou"), 2 },
    { OID_STREET, UTF8, V("s"), 3 }, { OID_DC, IA5, V("d"), 4 }, { OID_UID, UTF8, V("u"), 5 });
  FMT("emailAddress", "emailAddress=a@b.example,CN=x",
    { OID_CN, UTF8, V("x"), 0 }, { OID_EMAIL, IA5, V("a@b.example"), 1 });
  FMT("multi-valued RDN", "CN=a,OU=R\\+D+UID=jdoe,C=FR",
    { OID_C, PRINT, V("FR"), 0 }, { OID_OU, UTF8, V("R+D"), 1 }, { OID_UID, UTF8, V("jdoe"), 1 },
    { OID_CN, UTF8, V("a"), 2 });
  FMT("three-valued RDN", "CN=x+O=y+C=z",
    { OID_CN, UTF8, V("x"), 0 }, { OID_O, UTF8, V("y"), 0 }, { OID_C, PRINT, V("z"), 0 });
  FMT("unknown OID as #hex", "CN=x,1.2.3.4=#0C026869",
    { "\x2a\x03\x04", 3, UTF8, V("hi"), 0 }, { OID_CN, UTF8, V("x"), 1 });
  FMT("OID first arc 2", "2.999.1=#0C0161", { "\x88\x37\x01", 3, UTF8, V("a"), 0 });
  FMT("OID first arc 0", "0.9.2342.19200300.100.1.3=#0C0161",
    { "\x09\x92\x26\x89\x93\xf2\x2c\x64\x01\x03", 10, UTF8, V("a"), 0 });
  FMT("OID 64-bit arc", "1.2.18446744073709551615=#0C0161",
    { "\x2a\x81\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11, UTF8, V("a"), 0 });
  FMT("OID arc over 64 bits", "", { "\x2a\x83\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11, UTF8, V("a"), 0 });
  FMT("known type, INTEGER value", "CN=#020101", { OID_CN, UTLSP_TAG_INTEGER, V("\x01"), 0 });
  FMT("known type, OCTET STRING value", "CN=#04022C00", { OID_CN, UTLSP_TAG_OCTETSTRING, V("\x2c\x00"), 0 });
  FMT("empty value", "CN=", { OID_CN, UTF8, V(""), 0 });
}

static void test_escaping (void)
{
  FMT("leading #", "CN=\\#foo", { OID_CN, UTF8, V("#foo"), 0 });
  FMT("inner #", "CN=a#b#", { OID_CN, UTF8, V("a#b#"), 0 });
  FMT("leading space", "CN=\\ foo", { OID_CN, UTF8, V(" foo"), 0 });
  FMT("trailing space", "CN=foo\\ ", { OID_CN, UTF8, V("foo "), 0 });
  FMT("single space", "CN=\\ ", { OID_CN, UTF8, V(" "), 0 });
  FMT("two spaces", "CN=\\ \\ ", { OID_CN, UTF8, V("  "), 0 });
  FMT("inner spaces", "CN=a  b", { OID_CN, UTF8, V("a  b"), 0 });
  FMT("specials", "O=a\\,b\\+c\\\"d\\\\e\\<f\\>g\\;h\\=i",
    { OID_O, UTF8, V("a,b+c\"d\\e<f>g;h=i"), 0 });
  FMT("embedded comma in PrintableString", "O=Example\\, Inc.", { OID_O, PRINT, V("Example, Inc."), 0 });
  FMT("NUL", "CN=a\\00b", { OID_CN, UTF8, V("a\0b"), 0 });
  FMT("controls", "CN=a\\0Ab\\01\\1F\\7Fc\\1B[31m", { OID_CN, UTF8, V("a\nb\x01\x1f\x7f" "c\x1b[31m"), 0 });
  FMT("C1 control", "CN=x\\C2\\85\\C2\\9By", { OID_CN, UTF8, V("x\xc2\x85\xc2\x9by"), 0 });
  FMT("leading control then #", "CN=\\0A#", { OID_CN, UTF8, V("\n#"), 0 });
  FMT("valid UTF-8 raw", "CN=Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80", { OID_CN, UTF8, V("Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80"), 0 });
  FMT("invalid byte", "CN=a\\FFb", { OID_CN, UTF8, V("a\xff" "b"), 0 });
  FMT("truncated sequence", "CN=a\\C3", { OID_CN, UTF8, V("a\xc3"), 0 });
  FMT("truncated then ASCII", "CN=\\E2\\82z", { OID_CN, UTF8, V("\xe2\x82z"), 0 });
  FMT("overlong", "CN=\\C0\\AF", { OID_CN, UTF8, V("\xc0\xaf"), 0 });
  FMT("overlong 3 bytes", "CN=\\E0\\80\\AF", { OID_CN, UTF8, V("\xe0\x80\xaf"), 0 });
  FMT("surrogate in UTF-8", "CN=\\ED\\A0\\80", { OID_CN, UTF8, V("\xed\xa0\x80"), 0 });
  FMT("above U+10FFFF", "CN=\\F4\\90\\80\\80", { OID_CN, UTF8, V("\xf4\x90\x80\x80"), 0 });
  FMT("lone continuation", "CN=\\80a", { OID_CN, UTF8, V("\x80" "a"), 0 });
  FMT("non-ASCII in PrintableString", "CN=\\E9t\\E9", { OID_CN, PRINT, V("\xe9t\xe9"), 0 });
  FMT("IA5String specials", "emailAddress=\\\"a\\\"@b", { OID_EMAIL, IA5, V("\"a\"@b"), 0 });
}

static void test_string_types (void)
{
  FMT("TeletexString Latin-1", "CN=caf\\E9 #1", { OID_CN, T61, V("caf\xe9 #1"), 0 });
  FMT("TeletexString leading #", "CN=\\#x", { OID_CN, T61, V("#x"), 0 });
  FMT("BMPString", "CN=Zo\xc3\xab\\, \xe2\x82\xac", { OID_CN, BMP, V("\0Z\0o\0\xeb\0,\0 \x20\xac"), 0 });
  FMT("BMPString leading space", "CN=\\ a", { OID_CN, BMP, V("\0 \0a"), 0 });
  FMT("BMPString NUL and control", "CN=\\00\\0A", { OID_CN, BMP, V("\0\0\0\n"), 0 });
  FMT("BMPString C1", "CN=\\C2\\9B", { OID_CN, BMP, V("\0\x9b"), 0 });
  FMT("BMPString surrogate pair", "CN=\xf0\x9f\x98\x80", { OID_CN, BMP, V("\xd8\x3d\xde\x00"), 0 });
  FMT("BMPString lone high surrogate", "CN=\\D8\\3Da", { OID_CN, BMP, V("\xd8\x3d\0a"), 0 });
  FMT("BMPString high surrogate at end", "CN=a\\D8\\3D", { OID_CN, BMP, V("\0a\xd8\x3d"), 0 });
  FMT("BMPString lone low surrogate", "CN=\\DE\\00", { OID_CN, BMP, V("\xde\x00"), 0 });
  FMT("BMPString odd length", "CN=#1E03005A00", { OID_CN, BMP, V("\0Z\0"), 0 });
  FMT("UniversalString", "CN=A\xe2\x82\xac\\+", { OID_CN, UCS4, V("\0\0\0A\0\0\x20\xac\0\0\0+"), 0 });
  FMT("UniversalString astral", "CN=\xf0\x9f\x98\x80", { OID_CN, UCS4, V("\0\x01\xf6\x00"), 0 });
  FMT("UniversalString out of range", "CN=\\00\\11\\00\\00", { OID_CN, UCS4, V("\0\x11\0\0"), 0 });
  FMT("UniversalString surrogate", "CN=\\00\\00\\D8\\00", { OID_CN, UCS4, V("\0\0\xd8\0"), 0 });
  FMT("UniversalString bad length", "CN=#1C03000041", { OID_CN, UCS4, V("\0\0A"), 0 });
  FMT("VisibleString", "CN=vis", { OID_CN, UTLSP_TAG_VISIBLESTRING, V("vis"), 0 });
  FMT("NumericString", "CN=123", { OID_CN, UTLSP_TAG_NUMERICSTRING, V("123"), 0 });
}

static void test_attr (void)
{
  ATTR("CN", OID_CN, "test",
    { OID_C, PRINT, V("FR"), 0 }, { OID_CN, UTF8, V("test"), 1 }, { OID_EMAIL, IA5, V("a@b"), 2 });
  ATTR("emailAddress", OID_EMAIL, "a@b",
    { OID_C, PRINT, V("FR"), 0 }, { OID_CN, UTF8, V("test"), 1 }, { OID_EMAIL, IA5, V("a@b"), 2 });
  ATTR("absent", OID_EMAIL, "", { OID_CN, UTF8, V("test"), 0 });
  ATTR("most specific wins", OID_CN, "second",
    { OID_CN, UTF8, V("first"), 0 }, { OID_O, UTF8, V("o"), 1 }, { OID_CN, UTF8, V("second"), 2 });
  ATTR("in multi-valued RDN", OID_CN, "x",
    { OID_O, UTF8, V("o"), 0 }, { OID_OU, UTF8, V("u"), 1 }, { OID_CN, UTF8, V("x"), 1 });
  ATTR("first of same RDN", OID_CN, "x",
    { OID_CN, UTF8, V("x"), 0 }, { OID_CN, UTF8, V("y"), 0 });
  ATTR("no RFC 4514 escaping", OID_CN, "#a,b+c\"d\\5Ce<f>g;h=i ",
    { OID_CN, UTF8, V("#a,b+c\"d\\e<f>g;h=i "), 0 });
  /* A backslash is escaped like other bytes, so that the output reads back one way only. */
  ATTR("backslash", OID_CN, "a\\5C41", { OID_CN, UTF8, V("a\\41"), 0 });
  ATTR("what backslash-41 is not", OID_CN, "aA", { OID_CN, UTF8, V("aA"), 0 });
  ATTR("backslashes at both ends", OID_CN, "\\5C\\5Cx\\5C", { OID_CN, UTF8, V("\\\\x\\"), 0 });
  ATTR("only a backslash", OID_CN, "\\5C", { OID_CN, IA5, V("\\"), 0 });
  ATTR("backslash after a cut UTF-8 sequence", OID_CN, "\\C3\\5C\xc3\xa9", { OID_CN, UTF8, V("\xc3\\\xc3\xa9"), 0 });
  ATTR("TeletexString backslash", OID_CN, "a\\5C\\E9", { OID_CN, T61, V("a\\\xe9"), 0 });
  ATTR("BMPString backslash", OID_CN, "a\\5Cb", { OID_CN, BMP, V("\0a\0\\\0b"), 0 });
  ATTR("BMPString U+5C00 is no backslash", OID_CN, "\xe5\xb0\x80", { OID_CN, BMP, V("\x5c\x00"), 0 });
  ATTR("BMPString high surrogate then backslash", OID_CN, "\\D8\\3D\\5C", { OID_CN, BMP, V("\xd8\x3d\0\\"), 0 });
  ATTR("UniversalString backslash", OID_CN, "\\5Cz", { OID_CN, UCS4, V("\0\0\0\\\0\0\0z"), 0 });
  ATTR("UniversalString U+5C000000 is no backslash", OID_CN, "\\5C\\00\\00\\00", { OID_CN, UCS4, V("\x5c\0\0\0"), 0 });
  ATTR("odd BMPString with a backslash", OID_CN, "", { OID_CN, BMP, V("\0\\\0"), 0 });
  ATTR("leading space kept", OID_CN, " a", { OID_CN, UTF8, V(" a"), 0 });
  ATTR("controls escaped", OID_CN, "a\\0Ab\\00\\7F\\C2\\85", { OID_CN, UTF8, V("a\nb\0\x7f\xc2\x85"), 0 });
  ATTR("invalid UTF-8 escaped", OID_CN, "\\FF\\C3x\xc3\xa9", { OID_CN, UTF8, V("\xff\xc3x\xc3\xa9"), 0 });
  ATTR("BMPString", OID_CN, "Zo\xc3\xab", { OID_CN, BMP, V("\0Z\0o\0\xeb"), 0 });
  ATTR("TeletexString", OID_CN, "caf\\E9", { OID_CN, T61, V("caf\xe9"), 0 });
  ATTR("UniversalString", OID_CN, "A", { OID_CN, UCS4, V("\0\0\0A"), 0 });
  ATTR("non-string value", OID_CN, "", { OID_CN, UTLSP_TAG_INTEGER, V("\x01"), 0 });
  ATTR("odd BMPString", OID_CN, "", { OID_CN, BMP, V("\0Z\0"), 0 });
  ATTR("empty value", OID_CN, "", { OID_CN, UTF8, V(""), 0 });
  ATTR("prefix OID does not match", OID_PREFIX, "", { OID_CN, UTF8, V("x"), 0 });
}

/* Names that must be refused whole: 0 and an empty string. */
static void expect_bad (char const *what, unsigned char const *name, size_t len)
{
  char out[256] = "junk";
  if (utls_dn_format(out, sizeof(out), name, len) || out[0]) fail(what, "format accepted");
  strcpy(out, "junk");
  if (utls_dn_attr(out, sizeof(out), name, len, (unsigned char const *)"\x55\x04\x03", 3) || out[0]) fail(what, "attr accepted");
}

static void test_malformed (void)
{
  static unsigned char const good[] = { 0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 'a' };
  static unsigned char const empty_set[] = { 0x30, 0x02, 0x31, 0x00 };
  static unsigned char const not_seq[] = { 0x31, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 'a' };
  static unsigned char const rdn_seq[] = { 0x30, 0x0c, 0x30, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 'a' };
  static unsigned char const no_value[] = { 0x30, 0x09, 0x31, 0x07, 0x30, 0x05, 0x06, 0x03, 0x55, 0x04, 0x03 };
  static unsigned char const extra[] = { 0x30, 0x0e, 0x31, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 'a', 0x05, 0x00 };
  static unsigned char const bad_oid[] = { 0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x04, 0x55, 0x80, 0x04, 0x03, 0x0c, 0x01, 'a' };
  static unsigned char const cut_oid[] = { 0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x83, 0x0c, 0x01, 'a' };
  static unsigned char const empty_oid[] = { 0x30, 0x09, 0x31, 0x07, 0x30, 0x05, 0x06, 0x00, 0x0c, 0x01, 'a' };
  static unsigned char const indefinite[] = { 0x30, 0x80, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 'a', 0, 0 };
  unsigned char trailing[sizeof(good) + 1];
  char out[64];
  size_t i;
  if (utls_dn_format(out, sizeof(out), good, sizeof(good)) != 4 || strcmp(out, "CN=a")) fail("good", out);
  for (i = 0 ; i < sizeof(good) ; i++) expect_bad("truncated", good, i);
  memcpy(trailing, good, sizeof(good));
  trailing[sizeof(good)] = 0;
  expect_bad("trailing byte", trailing, sizeof(trailing));
  expect_bad("empty RDN", empty_set, sizeof(empty_set));
  expect_bad("Name is a SET", not_seq, sizeof(not_seq));
  expect_bad("RDN is a SEQUENCE", rdn_seq, sizeof(rdn_seq));
  expect_bad("ATV without value", no_value, sizeof(no_value));
  expect_bad("ATV with extra element", extra, sizeof(extra));
  expect_bad("non-minimal OID arc", bad_oid, sizeof(bad_oid));
  expect_bad("OID ends mid-arc", cut_oid, sizeof(cut_oid));
  expect_bad("empty OID", empty_oid, sizeof(empty_oid));
  expect_bad("indefinite length", indefinite, sizeof(indefinite));
  if (utls_dn_format(out, sizeof(out), (unsigned char const *)"\x30\x00", 2) || out[0]) fail("empty Name", out);
}

static void test_sizes (void)
{
  static unsigned char const good[] = { 0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 'a' };
  static unsigned char const esc[] = { 0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, '\n' };
  char out[16];
  memset(out, 'x', sizeof(out));
  if (utls_dn_format(out, 5, good, sizeof(good)) != 4 || strcmp(out, "CN=a")) fail("exact fit", out);
  if (utls_dn_format(out, 4, good, sizeof(good)) || out[0]) fail("one short", out);
  if (utls_dn_format(out, 1, good, sizeof(good)) || out[0]) fail("max 1", out);
  if (utls_dn_format(0, 0, good, sizeof(good))) fail("max 0", "nonzero");
  if (utls_dn_format(out, 7, esc, sizeof(esc)) != 6 || strcmp(out, "CN=\\0A")) fail("escape exact fit", out);
  if (utls_dn_format(out, 6, esc, sizeof(esc)) || out[0]) fail("escape one short", out);
  if (utls_dn_attr(out, 2, good, sizeof(good), (unsigned char const *)"\x55\x04\x03", 3) != 1 || strcmp(out, "a")) fail("attr exact fit", out);
  if (utls_dn_attr(out, 1, good, sizeof(good), (unsigned char const *)"\x55\x04\x03", 3) || out[0]) fail("attr one short", out);
  {
    static unsigned char const bs[] = { 0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, '\\' };
    if (utls_dn_attr(out, 4, bs, sizeof(bs), (unsigned char const *)"\x55\x04\x03", 3) != 3 || strcmp(out, "\\5C")) fail("attr backslash exact fit", out);
    if (utls_dn_attr(out, 3, bs, sizeof(bs), (unsigned char const *)"\x55\x04\x03", 3) || out[0]) fail("attr backslash one short", out);
  }
}

/* The subject of a real certificate, as openssl made it (see x509.c). */
static void test_real (void)
{
  attr const a[] =
  {
    { OID_C, PRINT, V("FR"), 0 }, { OID_O, UTF8, V("Example, Inc."), 1 },
    { OID_OU, UTF8, V("R+D"), 2 }, { OID_UID, UTF8, V("jdoe"), 2 },
    { OID_CN, UTF8, V("test.example.com"), 3 }, { OID_EMAIL, IA5, V("admin@example.com"), 4 }
  };
  expect_format("real subject", a, 6, "emailAddress=admin@example.com,CN=test.example.com,OU=R\\+D+UID=jdoe,O=Example\\, Inc.,C=FR");
}

int main (void)
{
  test_order_and_names();
  test_escaping();
  test_string_types();
  test_attr();
  test_malformed();
  test_sizes();
  test_real();
  return failures ? 1 : 0;
}
