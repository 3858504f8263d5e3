/* ISC license. */

/*
 * Unit test: utls_x509_parse, utls_x509_san_next, utls_time_fmt, the
 * Extended Key Usage reader (utlsp_eku_scan, utls_x509_eku_allows) and
 * the DER helpers under them, on the test certificates cert_a and cert_b
 * (unit-certs.h, which describes them).
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utls/utls.h>
#include "der-internal.h"

#define UNIT_NAME "x509"
#include "unit.h"
#include "unit-certs.h"

static void test_cert_a (void)
{
  static unsigned char const serial[10] = { 0x00, 0x8a, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 };
  static unsigned char const ip4[4] = { 192, 0, 2, 1 };
  static unsigned char const ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
  static unsigned char const sha256_ecdsa[8] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 };
  utls_x509_info info;
  utls_der v;
  size_t pos = 0;
  unsigned int type;
  CHECK(utls_x509_parse(&info, cert_a, sizeof(cert_a)) == 0, "cert_a");
  CHECK(info.serial.len == 10 && !memcmp(info.serial.s, serial, 10), "cert_a serial");
  CHECK(info.not_before == 1577836800, "cert_a not_before");
  CHECK(info.not_after == 2524608000, "cert_a not_after (GeneralizedTime)");
  CHECK(info.issuer.len == info.subject.len && !memcmp(info.issuer.s, info.subject.s, info.subject.len), "cert_a issuer = subject");
  CHECK(info.subject.s[0] == 0x30 && info.subject.len == 135, "cert_a subject is a whole TLV");
  CHECK(info.subject.s == cert_a + 206, "cert_a subject offset");
  CHECK(info.spki.s == cert_a + 341 && info.spki.len == 91, "cert_a spki");
  CHECK(info.san.s == cert_a + 449 && info.san.len == 76, "cert_a san");
  CHECK(info.sigalg.len == 8 && !memcmp(info.sigalg.s, sha256_ecdsa, 8), "cert_a signatureAlgorithm");
  CHECK(utls_x509_san_next(&info, &pos, &type, &v) == 1 && type == 2 && v.len == 16 && !memcmp(v.s, "test.example.com", 16), "san 1");
  CHECK(utls_x509_san_next(&info, &pos, &type, &v) == 1 && type == 2 && v.len == 13 && !memcmp(v.s, "*.example.org", 13), "san 2");
  CHECK(utls_x509_san_next(&info, &pos, &type, &v) == 1 && type == 7 && v.len == 4 && !memcmp(v.s, ip4, 4), "san 3");
  CHECK(utls_x509_san_next(&info, &pos, &type, &v) == 1 && type == 1 && v.len == 17 && !memcmp(v.s, "admin@example.com", 17), "san 4");
  CHECK(utls_x509_san_next(&info, &pos, &type, &v) == 1 && type == 7 && v.len == 16 && !memcmp(v.s, ip6, 16), "san 5");
  CHECK(utls_x509_san_next(&info, &pos, &type, &v) == 0, "san end");
  CHECK(utls_x509_san_next(&info, &pos, &type, &v) == 0, "san end again");
  pos = 1000;
  CHECK(utls_x509_san_next(&info, &pos, &type, &v) == -1, "san pos past end");
  pos = 1;
  CHECK(utls_x509_san_next(&info, &pos, &type, &v) == -1, "san pos mid-entry");
}

static void test_cert_b (void)
{
  utls_x509_info a, b;
  utls_der v;
  size_t pos = 0;
  unsigned int type;
  CHECK(utls_x509_parse(&b, cert_b, sizeof(cert_b)) == 0, "cert_b");
  CHECK(utls_x509_parse(&a, cert_a, sizeof(cert_a)) == 0, "cert_a");
  CHECK(b.serial.len == 1 && b.serial.s[0] == 1, "cert_b serial");
  CHECK(b.not_before == 1709210096, "cert_b not_before");
  CHECK(b.not_after == 2524607999, "cert_b not_after (UTCTime 49)");
  CHECK(b.issuer.len == a.subject.len && !memcmp(b.issuer.s, a.subject.s, a.subject.len), "cert_b issuer = cert_a subject");
  CHECK(b.san.len == 0 && b.san.s, "cert_b no san");
  CHECK(utls_x509_san_next(&b, &pos, &type, &v) == 0, "cert_b san_next");
}

/* Every proper prefix, and any trailing byte, must be rejected. */
static void test_truncation (void)
{
  utls_x509_info info;
  unsigned char buf[sizeof(cert_a) + 1];
  size_t i;
  for (i = 0 ; i < sizeof(cert_a) ; i++)
  {
    unsigned char *copy = malloc(i ? i : 1);  /* exact size, so ASan sees overreads */
    if (!copy) { fail("malloc", "null"); return; }
    memcpy(copy, cert_a, i);
    if (utls_x509_parse(&info, copy, i) != UTLS_ERR_BADDER)
    {
      char d[64];
      snprintf(d, sizeof(d), "prefix of length %zu accepted", i);
      fail("truncation", d);
    }
    free(copy);
  }
  memcpy(buf, cert_a, sizeof(cert_a));
  buf[sizeof(cert_a)] = 0;
  CHECK(utls_x509_parse(&info, buf, sizeof(buf)) == UTLS_ERR_BADDER, "trailing byte");
}

/* Patches one byte of cert_a and expects rejection. */
static void expect_bad (char const *what, size_t offset, unsigned char byte)
{
  unsigned char buf[sizeof(cert_a)];
  utls_x509_info info;
  memcpy(buf, cert_a, sizeof(buf));
  CHECK(buf[offset] != byte, "%s", what);
  buf[offset] = byte;
  if (utls_x509_parse(&info, buf, sizeof(buf)) != UTLS_ERR_BADDER) fail(what, "accepted");
}

static void test_patched (void)
{
  expect_bad("outer indefinite length", 1, 0x80);
  expect_bad("outer length too long", 3, 0x8e);
  expect_bad("outer length too short", 3, 0x8c);
  expect_bad("version 4", 12, 0x03);
  expect_bad("version not INTEGER", 10, 0x04);
  expect_bad("serial tag", 13, 0x04);
  expect_bad("UTCTime not Z", 174 + 2 + 12, '+');
  expect_bad("UTCTime month 21", 174 + 2 + 2, '2');
  expect_bad("UTCTime digit", 174 + 2 + 5, 'x');
  expect_bad("GeneralizedTime not Z", 189 + 2 + 14, '0');
  expect_bad("GeneralizedTime tag", 189, 0x04);
  expect_bad("validity tag", 172, 0x31);
  expect_bad("subject tag", 206, 0x31);
  expect_bad("RDN tag", 209, 0x30);
  expect_bad("ATV OID tag", 213, 0x04);
  expect_bad("SAN entry not context class", 449, 0x02);
  expect_bad("extensions tag", 432, 0xa4);
  expect_bad("critical not boolean", 532, 0x01 + 1);
  expect_bad("critical not DER", 534, 0x01);
  expect_bad("signature tag", 582, 0x04);
}

/*
 * Inserts n bytes into a copy of cert_a at offset, and grows the
 * enclosing lengths: the outer and tbsCertificate SEQUENCEs always
 * (two-octet lengths at 2 and 6), the extensions [3] and its SEQUENCE
 * (one-octet lengths at 434 and 437) when inside_exts is set.
 */
static utls_x509_info inserted_info;   /* what the last parse_inserted parsed */

static int parse_inserted (size_t offset, unsigned char const *bytes, size_t n, int inside_exts, int outer_only)
{
  static unsigned char buf[sizeof(cert_a) + 64];
  utls_x509_info info;
  size_t outer = ((size_t)cert_a[2] << 8 | cert_a[3]) + n;
  size_t tbs = ((size_t)cert_a[6] << 8 | cert_a[7]) + n;
  int r;
  memcpy(buf, cert_a, offset);
  memcpy(buf + offset, bytes, n);
  memcpy(buf + offset + n, cert_a + offset, sizeof(cert_a) - offset);
  buf[2] = (unsigned char)(outer >> 8); buf[3] = (unsigned char)outer;
  if (!outer_only) { buf[6] = (unsigned char)(tbs >> 8); buf[7] = (unsigned char)tbs; }
  if (inside_exts) { buf[434] += (unsigned char)n; buf[437] += (unsigned char)n; }
  memset(&inserted_info, 0, sizeof inserted_info);
  r = utls_x509_parse(&info, buf, sizeof(cert_a) + n);
  if (!r) inserted_info = info;
  return r;
}

static void test_inserted (void)
{
  static unsigned char const null[2] = { 0x05, 0x00 };
  static unsigned char const unknown_ext[8] = { 0x30, 0x06, 0x06, 0x02, 0x2a, 0x03, 0x04, 0x00 };
  static unsigned char const second_san[17] =
  {
    0x30, 0x0f, 0x06, 0x03, 0x55, 0x1d, 0x11, 0x04, 0x08,
    0x30, 0x06, 0x82, 0x04, 'a', '.', 'b', 'c'
  };
  static unsigned char const uids[8] = { 0x81, 0x02, 0x00, 0xff, 0x82, 0x02, 0x00, 0xee };
  static unsigned char const uids_swapped[8] = { 0x82, 0x02, 0x00, 0xee, 0x81, 0x02, 0x00, 0xff };
  CHECK(parse_inserted(570, null, 0, 1, 0) == 0, "insert nothing");
  CHECK(parse_inserted(sizeof(cert_a), null, 2, 0, 1) == UTLS_ERR_BADDER, "element after signature");
  CHECK(parse_inserted(570, null, 2, 0, 0) == UTLS_ERR_BADDER, "element after extensions");
  CHECK(parse_inserted(570, unknown_ext, sizeof(unknown_ext), 1, 0) == 0, "unknown extension");
  CHECK(parse_inserted(570, second_san, sizeof(second_san), 1, 0) == UTLS_ERR_BADDER, "second SAN extension");
  CHECK(parse_inserted(432, uids, sizeof(uids), 0, 0) == 0, "unique identifiers");
  CHECK(parse_inserted(432, uids_swapped, sizeof(uids_swapped), 0, 0) == UTLS_ERR_BADDER, "unique identifiers swapped");
}

/* ExtKeyUsageSyntax values (the extnValue contents) */
#define EKU_SERVER 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01
#define EKU_CLIENT 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02
#define EKU_CODESIGN 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03
#define EKU_ANY 0x06, 0x04, 0x55, 0x1d, 0x25, 0x00

static int eku_of (unsigned char const *s, size_t len, unsigned int *eku)
{
  utls_der v = { .s = s, .len = len };
  *eku = 0xdead;
  return utlsp_eku_scan(&v, eku);
}

static void test_eku_scan (void)
{
  static unsigned char const server[] = { 0x30, 0x0a, EKU_SERVER };
  static unsigned char const client[] = { 0x30, 0x0a, EKU_CLIENT };
  static unsigned char const both[] = { 0x30, 0x14, EKU_CLIENT, EKU_SERVER };
  static unsigned char const any[] = { 0x30, 0x06, EKU_ANY };
  static unsigned char const codesign[] = { 0x30, 0x0a, EKU_CODESIGN };
  static unsigned char const empty[] = { 0x30, 0x00 };
  static unsigned char const set[] = { 0x31, 0x0a, EKU_SERVER };
  static unsigned char const trailing[] = { 0x30, 0x0a, EKU_SERVER, 0x05, 0x00 };
  static unsigned char const not_oid[] = { 0x30, 0x0b, EKU_SERVER, 0x05 };
  static unsigned char const integer[] = { 0x30, 0x0d, EKU_SERVER, 0x02, 0x01, 0x01 };
  static unsigned char const bad_arc[] = { 0x30, 0x05, 0x06, 0x03, 0x2b, 0x80, 0x01 };
  static unsigned char const open_arc[] = { 0x30, 0x04, 0x06, 0x02, 0x2b, 0x86 };
  static unsigned char const empty_oid[] = { 0x30, 0x02, 0x06, 0x00 };
  static unsigned char const long_inner[] = { 0x30, 0x0a, 0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01 };
  static unsigned char const indefinite[] = { 0x30, 0x80, EKU_SERVER, 0x00, 0x00 };
  unsigned int eku;
  size_t i;
  CHECK(eku_of(server, sizeof server, &eku) && eku == (UTLS_EKU_PRESENT | UTLS_EKU_SERVER), "eku server");
  CHECK(eku_of(client, sizeof client, &eku) && eku == (UTLS_EKU_PRESENT | UTLS_EKU_CLIENT), "eku client");
  CHECK(eku_of(both, sizeof both, &eku) && eku == (UTLS_EKU_PRESENT | UTLS_EKU_SERVER | UTLS_EKU_CLIENT), "eku both");
  CHECK(eku_of(any, sizeof any, &eku) && eku == (UTLS_EKU_PRESENT | UTLS_EKU_ANY), "eku any");
  CHECK(eku_of(codesign, sizeof codesign, &eku) && eku == UTLS_EKU_PRESENT, "eku other purpose");
  CHECK(!eku_of(empty, sizeof empty, &eku) && eku == 0xdead, "eku empty SEQUENCE");
  CHECK(!eku_of(set, sizeof set, &eku), "eku SET");
  CHECK(!eku_of(trailing, sizeof trailing, &eku), "eku trailing bytes");
  CHECK(!eku_of(not_oid, sizeof not_oid, &eku), "eku truncated element");
  CHECK(!eku_of(integer, sizeof integer, &eku), "eku INTEGER element");
  CHECK(!eku_of(bad_arc, sizeof bad_arc, &eku), "eku non-minimal arc");
  CHECK(!eku_of(open_arc, sizeof open_arc, &eku), "eku unterminated arc");
  CHECK(!eku_of(empty_oid, sizeof empty_oid, &eku), "eku empty OID");
  CHECK(!eku_of(long_inner, sizeof long_inner, &eku), "eku OID past its SEQUENCE");
  CHECK(!eku_of(indefinite, sizeof indefinite, &eku), "eku indefinite length");
  CHECK(!eku_of(server, 0, &eku), "eku nothing");
  for (i = 1 ; i < sizeof both ; i++)
  {
    unsigned char *copy = malloc(i);  /* exact size, so ASan sees overreads */
    if (!copy) { fail("malloc", "null"); return; }
    memcpy(copy, both, i);
    if (eku_of(copy, i, &eku)) fail("eku truncation", "a proper prefix was accepted");
    free(copy);
  }
}

static void test_eku_allows (void)
{
  utls_x509_info info;
  memset(&info, 0, sizeof info);
  CHECK(utls_x509_eku_allows(&info, UTLS_EKU_SERVER), "no EKU: server");
  CHECK(utls_x509_eku_allows(&info, UTLS_EKU_CLIENT), "no EKU: client");
  info.eku = UTLS_EKU_PRESENT | UTLS_EKU_SERVER;
  CHECK(utls_x509_eku_allows(&info, UTLS_EKU_SERVER), "serverAuth: server");
  CHECK(!utls_x509_eku_allows(&info, UTLS_EKU_CLIENT), "serverAuth: not client");
  info.eku = UTLS_EKU_PRESENT | UTLS_EKU_CLIENT;
  CHECK(utls_x509_eku_allows(&info, UTLS_EKU_CLIENT), "clientAuth: client");
  CHECK(!utls_x509_eku_allows(&info, UTLS_EKU_SERVER), "clientAuth: not server");
  info.eku = UTLS_EKU_PRESENT | UTLS_EKU_ANY;
  CHECK(utls_x509_eku_allows(&info, UTLS_EKU_SERVER), "anyEKU: server");
  CHECK(utls_x509_eku_allows(&info, UTLS_EKU_CLIENT), "anyEKU: client");
  info.eku = UTLS_EKU_PRESENT;
  CHECK(!utls_x509_eku_allows(&info, UTLS_EKU_SERVER), "other purpose: not server");
  CHECK(!utls_x509_eku_allows(&info, UTLS_EKU_CLIENT), "other purpose: not client");
}

/* The EKU extension inside a certificate: kept, at most once, well formed. */
static void test_eku_parse (void)
{
  static unsigned char const ext[21] =
  {
    0x30, 0x13, 0x06, 0x03, 0x55, 0x1d, 0x25, 0x04, 0x0c,
    0x30, 0x0a, EKU_CLIENT
  };
  static unsigned char const critical[24] =
  {
    0x30, 0x16, 0x06, 0x03, 0x55, 0x1d, 0x25, 0x01, 0x01, 0xff, 0x04, 0x0c,
    0x30, 0x0a, EKU_SERVER
  };
  static unsigned char const twice[42] =
  {
    0x30, 0x13, 0x06, 0x03, 0x55, 0x1d, 0x25, 0x04, 0x0c, 0x30, 0x0a, EKU_CLIENT,
    0x30, 0x13, 0x06, 0x03, 0x55, 0x1d, 0x25, 0x04, 0x0c, 0x30, 0x0a, EKU_CLIENT
  };
  static unsigned char const empty[13] =
  {
    0x30, 0x0b, 0x06, 0x03, 0x55, 0x1d, 0x25, 0x04, 0x02, 0x30, 0x00
  };
  static unsigned char const not_der[11] =
  {
    0x30, 0x09, 0x06, 0x03, 0x55, 0x1d, 0x25, 0x04, 0x02, 0x05, 0x00
  };
  utls_x509_info info;
  CHECK(utls_x509_parse(&info, cert_a, sizeof(cert_a)) == 0, "cert_a");
  CHECK(info.eku == 0 && utls_x509_eku_allows(&info, UTLS_EKU_CLIENT), "cert_a has no EKU");
  CHECK(parse_inserted(570, ext, sizeof ext, 1, 0) == 0
    && inserted_info.eku == (UTLS_EKU_PRESENT | UTLS_EKU_CLIENT), "EKU clientAuth");
  CHECK(parse_inserted(570, critical, sizeof critical, 1, 0) == 0
    && inserted_info.eku == (UTLS_EKU_PRESENT | UTLS_EKU_SERVER), "EKU critical serverAuth");
  CHECK(parse_inserted(570, twice, sizeof twice, 1, 0) == UTLS_ERR_BADDER, "EKU twice");
  CHECK(parse_inserted(570, empty, sizeof empty, 1, 0) == UTLS_ERR_BADDER, "EKU empty");
  CHECK(parse_inserted(570, not_der, sizeof not_der, 1, 0) == UTLS_ERR_BADDER, "EKU not a SEQUENCE");
}

/* Random bit flips: must never crash; what parses must iterate cleanly. */
static void test_bitflips (void)
{
  size_t i;
  unsigned int bit;
  for (i = 0 ; i < sizeof(cert_a) ; i++)
    for (bit = 0 ; bit < 8 ; bit++)
    {
      unsigned char *copy = malloc(sizeof(cert_a));
      utls_x509_info info;
      if (!copy) { fail("malloc", "null"); return; }
      memcpy(copy, cert_a, sizeof(cert_a));
      copy[i] ^= (unsigned char)(1u << bit);
      if (!utls_x509_parse(&info, copy, sizeof(cert_a)))
      {
        char out[512];
        size_t pos = 0;
        unsigned int type;
        utls_der v;
        int r;
        while ((r = utls_x509_san_next(&info, &pos, &type, &v)) == 1) ;
        if (r) fail("bitflip", "parsed SAN fails to iterate");
        utls_dn_format(out, sizeof(out), info.subject.s, info.subject.len);
        utls_dn_format(out, sizeof(out), info.issuer.s, info.issuer.len);
      }
      free(copy);
    }
}

static int time_of (char const *s, int64_t *t)
{
  utls_der v = { .s = (unsigned char const *)s, .len = strlen(s) };
  return utlsp_der_time(strlen(s) == 13 ? UTLSP_TAG_UTCTIME : UTLSP_TAG_GENERALIZEDTIME, &v, t);
}

static void test_der_time (void)
{
  int64_t t;
  utls_der v = { .s = (unsigned char const *)"700101000000Z", .len = 13 };
  CHECK(time_of("700101000000Z", &t) && t == 0, "UTC epoch");
  CHECK(time_of("491231235959Z", &t) && t == 2524607999, "UTC 49 is 2049");
  CHECK(time_of("500101000000Z", &t) && t == -631152000, "UTC 50 is 1950");
  CHECK(time_of("000229000000Z", &t) && t == 951782400, "UTC 00 is 2000");
  CHECK(time_of("20000229000000Z", &t) && t == 951782400, "Gen leap 2000");
  CHECK(time_of("20500101000000Z", &t) && t == 2524608000, "Gen 2050");
  CHECK(time_of("99991231235959Z", &t) && t == 253402300799, "Gen 9999");
  CHECK(time_of("00000101000000Z", &t) && t == -62167219200, "Gen year 0");
  CHECK(!time_of("19000229000000Z", &t), "Gen 1900 not leap");
  CHECK(!time_of("20230229000000Z", &t), "Gen 2023 not leap");
  CHECK(!time_of("20230431000000Z", &t), "Gen Apr 31");
  CHECK(!time_of("20230100000000Z", &t), "Gen day 0");
  CHECK(!time_of("20230001000000Z", &t), "Gen month 0");
  CHECK(!time_of("20230101240000Z", &t), "Gen hour 24");
  CHECK(!time_of("20230101006000Z", &t), "Gen minute 60");
  CHECK(!time_of("20230101000060Z", &t), "Gen second 60");
  CHECK(!time_of("202301010000000", &t), "Gen no Z");
  CHECK(!time_of("20230101000000.5Z", &t), "Gen fraction");
  CHECK(!time_of("20230101000000+0100", &t), "Gen offset");
  CHECK(!time_of("-0230101000000Z", &t), "Gen minus sign");
  CHECK(!time_of("7001010000Z", &t), "UTC no seconds");
  CHECK(!time_of("70010100 000Z", &t), "UTC space");
  CHECK(!utlsp_der_time(UTLSP_TAG_OCTETSTRING, &v, &t), "wrong tag");
  v.len = 12;
  CHECK(!utlsp_der_time(UTLSP_TAG_UTCTIME, &v, &t), "UTC short");
}

/* utls_time_fmt against libc's gmtime, and back through utlsp_der_time. */
static void test_time_fmt (void)
{
  char buf[64];
  int64_t t;
  CHECK(utls_time_fmt(buf, sizeof(buf), 0) == 24 && !strcmp(buf, "Jan  1 00:00:00 1970 GMT"), "fmt epoch");
  CHECK(utls_time_fmt(buf, sizeof(buf), 1735830245) == 24 && !strcmp(buf, "Jan  2 15:04:05 2025 GMT"), "fmt sample");
  CHECK(utls_time_fmt(buf, sizeof(buf), 1709210096) == 24 && !strcmp(buf, "Feb 29 12:34:56 2024 GMT"), "fmt leap");
  CHECK(utls_time_fmt(buf, sizeof(buf), -1) == 24 && !strcmp(buf, "Dec 31 23:59:59 1969 GMT"), "fmt negative");
  CHECK(utls_time_fmt(buf, sizeof(buf), 253402300799) == 24 && !strcmp(buf, "Dec 31 23:59:59 9999 GMT"), "fmt 9999");
  CHECK(utls_time_fmt(buf, sizeof(buf), -62167219200) == 21 && !strcmp(buf, "Jan  1 00:00:00 0 GMT"), "fmt year 0");
  CHECK(utls_time_fmt(buf, sizeof(buf), 253402300800) == 0 && !buf[0], "fmt 10000");
  CHECK(utls_time_fmt(buf, sizeof(buf), -62167219201) == 0, "fmt before year 0");
  CHECK(utls_time_fmt(buf, 25, 0) == 24, "fmt exact fit");
  CHECK(utls_time_fmt(buf, 24, 0) == 0 && !buf[0], "fmt no room for NUL");
  CHECK(utls_time_fmt(0, 0, 0) == 0, "fmt max 0");
  for (t = -2208988800LL ; t < 4102444800LL ; t += 86400 * 7 + 3607)
  {
    char want[64], gen[16];
    time_t tt = (time_t)t;
    struct tm const *tm = gmtime(&tt);
    int64_t back;
    utls_der v = { .s = (unsigned char const *)gen, .len = 15 };
    if (!tm) { fail("gmtime", "failed"); return; }
    strftime(want, sizeof(want), "%b %e %H:%M:%S %Y GMT", tm);
    if (!utls_time_fmt(buf, sizeof(buf), t) || strcmp(buf, want)) { fail("fmt vs gmtime", want); return; }
    strftime(gen, sizeof(gen), "%Y%m%d%H%M%SZ", tm);
    if (!utlsp_der_time(UTLSP_TAG_GENERALIZEDTIME, &v, &back) || back != t) { fail("der_time vs gmtime", gen); return; }
  }
}

static int next_of (unsigned char const *s, size_t len, unsigned int *tag, utls_der *c)
{
  utls_der in = { .s = s, .len = len };
  return utlsp_der_next(&in, tag, c, 0);
}

static void test_der_next (void)
{
  static unsigned char const ok_short[] = { 0x04, 0x02, 'a', 'b' };
  static unsigned char const ok_long[] = { 0x04, 0x81, 0x80 };
  static unsigned char const indefinite[] = { 0x30, 0x80, 0x00, 0x00 };
  static unsigned char const nonminimal1[] = { 0x04, 0x81, 0x05, 1, 2, 3, 4, 5 };
  static unsigned char const nonminimal2[] = { 0x04, 0x82, 0x00, 0x85 };
  static unsigned char const five_octets[] = { 0x04, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00 };
  static unsigned char const past_end[] = { 0x04, 0x03, 'a', 'b' };
  static unsigned char const high_tag[] = { 0x1f, 0x81, 0x01, 0x00 };
  static unsigned char const no_length[] = { 0x04 };
  static unsigned char const cut_length[] = { 0x04, 0x82, 0x01 };
  static unsigned char const huge[] = { 0x04, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00 };
  unsigned char big[0x10004] = { 0x04, 0x83, 0x01, 0x00, 0x00 };
  unsigned int tag;
  utls_der c, in, whole;
  CHECK(next_of(ok_short, sizeof(ok_short), &tag, &c) && tag == 4 && c.len == 2 && c.s == ok_short + 2, "der short");
  CHECK(!next_of(ok_long, sizeof(ok_long), &tag, &c), "der long form past end");
  CHECK(next_of(big, 5 + 0x10000, &tag, &c) && c.len == 0x10000 && c.s == big + 5, "der 3-octet length");
  CHECK(!next_of(indefinite, sizeof(indefinite), &tag, &c), "der indefinite");
  CHECK(!next_of(nonminimal1, sizeof(nonminimal1), &tag, &c), "der non-minimal short");
  CHECK(!next_of(nonminimal2, sizeof(nonminimal2), &tag, &c), "der non-minimal zero");
  CHECK(!next_of(five_octets, sizeof(five_octets), &tag, &c), "der 5 length octets");
  CHECK(!next_of(past_end, sizeof(past_end), &tag, &c), "der past end");
  CHECK(!next_of(high_tag, sizeof(high_tag), &tag, &c), "der high tag");
  CHECK(!next_of(no_length, sizeof(no_length), &tag, &c), "der no length");
  CHECK(!next_of(cut_length, sizeof(cut_length), &tag, &c), "der cut length");
  CHECK(!next_of(huge, sizeof(huge), &tag, &c), "der huge length");
  CHECK(!next_of(ok_short, 0, &tag, &c), "der empty");
  in.s = ok_short; in.len = sizeof(ok_short);
  CHECK(utlsp_der_next(&in, &tag, &c, &whole) && whole.s == ok_short && whole.len == 4 && !in.len, "der whole");
  in.s = ok_short; in.len = sizeof(ok_short);
  CHECK(!utlsp_der_expect(&in, 0x30, &c, 0) && in.len == sizeof(ok_short), "der expect wrong tag");
}

int main (void)
{
  test_cert_a();
  test_cert_b();
  test_truncation();
  test_patched();
  test_inserted();
  test_bitflips();
  test_der_time();
  test_time_fmt();
  test_der_next();
  test_eku_scan();
  test_eku_allows();
  test_eku_parse();
  return failures ? 1 : 0;
}
