/* ISC license. */

/*
 * Unit test of the certificate, key and trust anchor loaders.
 * Usage: load PKIDIR, where PKIDIR was made by tests/pki/gen.sh.
 */

#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif

#include <sys/stat.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bearssl.h>
#include <utls/utls.h>
#include "der-internal.h"
#include "load-internal.h"

#define UNIT_NAME "load"
#include "unit-files.h"

static char const *pkifile (char const *name)
{
  return path_in(0, pki, name);
}

static char const *tmpfile_path (char const *name)
{
  return path_in(1, tmpdir, name);
}

static void filler (char const *file, size_t len)
{
  char *s = malloc(len);
  if (!s) exit(1);
  memset(s, 'A', len);
  spit(file, s, len, "wb");
  free(s);
}

/* Appends n copies of a PKI file to file. */
static void repeat (char const *file, char const *pkiname, size_t n)
{
  size_t len;
  unsigned char *s = slurp(pkifile(pkiname), &len);
  spit(file, "", 0, "wb");
  while (n--) spit(file, s, len, "ab");
  free(s);
}

static int contains (unsigned char const *hay, size_t haylen, char const *needle)
{
  size_t n = strlen(needle);
  size_t i = 0;
  for (; i + n <= haylen; i++)
    if (!memcmp(hay + i, needle, n)) return 1;
  return 0;
}

static int all_zero (void const *p, size_t len)
{
  unsigned char const *s = p;
  while (len--) if (*s++) return 0;
  return 1;
}

/* ---- PEM parser ---- */

#define PEM_SEEN_MAX 4

typedef struct pem_seen_s pem_seen;
struct pem_seen_s
{
  size_t count;
  char label[PEM_SEEN_MAX][128];
  unsigned char data[PEM_SEEN_MAX][1024];
  size_t len[PEM_SEEN_MAX];
  int unwiped;                  /* a previous object's bytes were still in the scratch buffer */
  unsigned char const *scratch;
  size_t scratchlen;
};

static int pem_record (void *ctx, char const *label, unsigned char const *der, size_t len)
{
  pem_seen *seen = ctx;
  if (seen->scratch == der && !all_zero(der + len, seen->scratchlen > len ? seen->scratchlen - len : 0)) seen->unwiped = 1;
  seen->scratch = der;
  seen->scratchlen = len;
  if (seen->count < PEM_SEEN_MAX && len <= sizeof(seen->data[0]) && strlen(label) < sizeof(seen->label[0]))
  {
    strcpy(seen->label[seen->count], label);
    memcpy(seen->data[seen->count], der, len);
    seen->len[seen->count] = len;
  }
  seen->count++;
  return 0;
}

static int pem_run (pem_seen *seen, void const *text, size_t len)
{
  memset(seen, 0, sizeof(pem_seen));
  return utlsp_load_pem(text, len, &pem_record, seen);
}

/* Parses text; checks the result and, on success, the object count and the decoded bytes of the first object. */
static void pem_expect (char const *what, char const *text, int expected, size_t count, char const *first, size_t firstlen)
{
  pem_seen seen;
  int r = pem_run(&seen, text, strlen(text));
  CHECK(r == expected, "PEM %s: got %d (%s), wanted %d", what, r, utls_error_str(r), expected);
  if (r || expected) return;
  CHECK(seen.count == count, "PEM %s: %zu objects, wanted %zu", what, seen.count, count);
  if (count && first)
    CHECK(seen.len[0] == firstlen && !memcmp(seen.data[0], first, firstlen), "PEM %s: wrong decoded bytes (%zu)", what, seen.len[0]);
}

#define B "-----BEGIN CERTIFICATE-----\n"
#define E "-----END CERTIFICATE-----\n"
#define PEM_OK(what, text, first) pem_expect(what, text, 0, 1, first, sizeof(first) - 1)
#define PEM_BAD(what, text) pem_expect(what, text, UTLS_ERR_BADPEM, 0, 0, 0)

static void test_pem_accepted (void)
{
  PEM_OK("one quantum", B "AAAA\n" E, "\0\0\0");
  PEM_OK("two pads", B "/w==\n" E, "\xff");
  PEM_OK("one pad", B "//8=\n" E, "\xff\xff");
  PEM_OK("empty object", B E, "");
  PEM_OK("whitespace anywhere", B " A A\tA\vA \f\n\n  //8=  \n\t\n" E, "\0\0\0\xff\xff");
  PEM_OK("padding on its own line", B "AA\n==\n" E, "\0");
  PEM_OK("CRLF and trailing blanks", "-----BEGIN CERTIFICATE----- \t\r\nAAAA\r\n/w==\r\n-----END CERTIFICATE-----\t \r\n", "\0\0\0\xff");
  PEM_OK("CR only inside the body", B "AA\rAA\r\r\n" E, "\0\0\0");
  PEM_OK("no final newline", B "AAAA\n-----END CERTIFICATE-----", "\0\0\0");
  PEM_OK("label with spaces and a hyphen", "-----BEGIN X509-ISH THING-----\nAAAA\n-----END X509-ISH THING-----\n", "\0\0\0");
  pem_expect("text only", "just text\n-----END CERTIFICATE-----\nno objects\n", 0, 0, 0, 0);
  pem_expect("empty", "", 0, 0, 0, 0);
  /* Text between and around objects, stray END lines and BEGIN markers that do not start a line are ignored. */
  {
    static char const text[] = "Subject: CN=x\n# comment -----BEGIN CERTIFICATE-----\n"
      B "AAEC\n" E "\n-----END STRAY-----\nrandom: ***\n"
      "-----BEGIN PRIVATE KEY-----\r\nAwQF\r\n-----END PRIVATE KEY-----\r\n"
      "trailing text, no newline";
    pem_seen seen;
    int r = pem_run(&seen, text, sizeof(text) - 1);
    CHECK(!r && seen.count == 2, "PEM between blocks: %d, %zu objects", r, seen.count);
    if (!r && seen.count == 2)
    {
      CHECK(!strcmp(seen.label[0], "CERTIFICATE") && seen.len[0] == 3 && !memcmp(seen.data[0], "\0\1\2", 3), "PEM between blocks: first object");
      CHECK(!strcmp(seen.label[1], "PRIVATE KEY") && seen.len[1] == 3 && !memcmp(seen.data[1], "\3\4\5", 3), "PEM between blocks: second object");
    }
  }
  /* The scratch buffer is wiped between objects. */
  {
    static char const text[] = B "////////\n" E B "AA==\n" E;
    pem_seen seen;
    int r = pem_run(&seen, text, sizeof(text) - 1);
    CHECK(!r && seen.count == 2 && !seen.unwiped, "PEM scratch not wiped: %d, %zu, %d", r, seen.count, seen.unwiped);
  }
}

static void test_pem_rejected (void)
{
  PEM_BAD("bad character", B "AA*A\n" E);
  PEM_BAD("bad character on a later line", B "AAAA\nAA.A\n" E);
  PEM_BAD("non-ASCII", B "AA\xc3\xa9\n" E);
  PEM_BAD("RFC 1421 header", B "Proc-Type: 4,ENCRYPTED\n\nAAAA\n" E);
  PEM_BAD("BEGIN inside an object", B "AAAA\n" B "AAAA\n" E);
  PEM_BAD("indented END", B "AAAA\n -----END CERTIFICATE-----\n");
  {
    static char const nul[] = B "AA\0A\n" E;
    pem_seen seen;
    int r = pem_run(&seen, nul, sizeof(nul) - 1);
    CHECK(r == UTLS_ERR_BADPEM, "PEM NUL byte: %d", r);
  }
  PEM_BAD("three pads", B "A===\n" E);
  PEM_BAD("four pads", B "====\n" E);
  PEM_BAD("digit after pad", B "AA=A\n" E);
  PEM_BAD("quantum after padding", B "AA==\nAAAA\n" E);
  PEM_BAD("missing pad", B "AA=\n" E);
  PEM_BAD("unpadded", B "AAA\n" E);
  PEM_BAD("one digit too many", B "AAAAA\n" E);
  PEM_BAD("extra pad", B "AA===\n" E);
  PEM_BAD("pad bits set (==)", B "AB==\n" E);
  PEM_BAD("pad bits set (=)", B "AAB=\n" E);
  PEM_BAD("END label differs", B "AAAA\n-----END PRIVATE KEY-----\n");
  PEM_BAD("END label longer", B "AAAA\n-----END CERTIFICATES-----\n");
  PEM_BAD("END label case", B "AAAA\n-----END certificate-----\n");
  PEM_BAD("text after END", B "AAAA\n-----END CERTIFICATE----- x\n");
  PEM_BAD("END without dashes", B "AAAA\n-----END CERTIFICATE\n");
  PEM_BAD("missing END", B "AAAA\n");
  PEM_BAD("missing END, no newline", B "AAAA");
  PEM_BAD("BEGIN line at the end", "text\n-----BEGIN CERTIFICATE-----");
  PEM_BAD("missing END in the second object", B "AAAA\n" E B "AAAA\n");
  PEM_BAD("BEGIN without dashes", "-----BEGIN CERTIFICATE\nAAAA\n" E);
  PEM_BAD("text after BEGIN", "-----BEGIN CERTIFICATE-----x\nAAAA\n" E);
  PEM_BAD("control character in label", "-----BEGIN A\x01" "B-----\nAAAA\n-----END A\x01" "B-----\n");
  {
    char text[512];
    char label[201];
    memset(label, 'A', 200);
    label[200] = 0;
    snprintf(text, sizeof(text), "-----BEGIN %s-----\nAAAA\n-----END %s-----\n", label, label);
    PEM_BAD("label too long", text);
  }
}

#undef B
#undef E

/* Test-side base64 encoder: 4 * ((len + 2) / 3) bytes. */
static size_t b64_encode (char *out, unsigned char const *s, size_t len)
{
  static char const digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t n = 0, i = 0;
  for (; i < len; i += 3)
  {
    unsigned long v = (unsigned long)s[i] << 16 | (i + 1 < len ? (unsigned long)s[i + 1] << 8 : 0) | (i + 2 < len ? s[i + 2] : 0);
    out[n++] = digits[v >> 18 & 63];
    out[n++] = digits[v >> 12 & 63];
    out[n++] = i + 1 < len ? digits[v >> 6 & 63] : '=';
    out[n++] = i + 2 < len ? digits[v & 63] : '=';
  }
  return n;
}

/* Every length from 0 to 300 bytes, wrapped at several widths, with LF or CRLF. */
static void test_pem_roundtrip (void)
{
  static size_t const widths[] = { 64, 76, 4, 1, 1000 };
  unsigned char data[300];
  char b64[404];
  char *text = malloc(4096);
  unsigned long seed = 12345;
  size_t len = 0;
  if (!text) exit(1);
  for (; len <= sizeof(data); len++)
  {
    size_t b64len, w, i;
    for (i = 0; i < len; i++)
    {
      seed = seed * 1103515245 + 12345;
      data[i] = (unsigned char)(seed >> 16);
    }
    b64len = b64_encode(b64, data, len);
    for (w = 0; w < 2 * sizeof(widths) / sizeof(widths[0]); w++)
    {
      size_t width = widths[w / 2];
      char const *eol = w & 1 ? "\r\n" : "\n";
      size_t n = (size_t)sprintf(text, "-----BEGIN TEST DATA-----%s", eol);
      pem_seen seen;
      int r;
      for (i = 0; i < b64len; i += width)
      {
        size_t chunk = b64len - i < width ? b64len - i : width;
        memcpy(text + n, b64 + i, chunk);
        n += chunk;
        n += (size_t)sprintf(text + n, "%s", eol);
      }
      n += (size_t)sprintf(text + n, "-----END TEST DATA-----%s", eol);
      r = pem_run(&seen, text, n);
      CHECK(!r && seen.count == 1 && !strcmp(seen.label[0], "TEST DATA") && seen.len[0] == len && !memcmp(seen.data[0], data, len),
        "PEM round trip: length %zu, width %zu, %s: %d", len, width, w & 1 ? "CRLF" : "LF", r);
    }
  }
  free(text);
}

/* ---- chains ---- */

static void chain_expect (char const *name, int expected, size_t ncerts)
{
  utls_chain chain = UTLS_CHAIN_ZERO;
  int r = utls_chain_readfile(&chain, pkifile(name));
  CHECK(r == expected, "chain %s: got %d (%s), wanted %d", name, r, utls_error_str(r), expected);
  if (!r) CHECK(chain.ncerts == ncerts, "chain %s: %zu certificates, wanted %zu", name, chain.ncerts, ncerts);
  else CHECK(!chain.certs && !chain.ncerts, "chain %s: not empty after failure", name);
  utls_chain_free(&chain);
}

static void test_chain_forms (void)
{
  utls_chain pem = UTLS_CHAIN_ZERO, der = UTLS_CHAIN_ZERO, full = UTLS_CHAIN_ZERO, inter = UTLS_CHAIN_ZERO;
  chain_expect("rsa.pem", 0, 1);
  chain_expect("ec.pem", 0, 1);
  chain_expect("ec.der", 0, 1);
  chain_expect("rsa.chain.pem", 0, 2);
  chain_expect("ec.chain.pem", 0, 2);
  chain_expect("cafile.pem", 0, 1);
  chain_expect("rsa.key", UTLS_ERR_NOCERT, 0);
  chain_expect("garbage.key", UTLS_ERR_NOCERT, 0);
  chain_expect("rsa.key.der", UTLS_ERR_BADCERT, 0);
  chain_expect("ed25519.pem", UTLS_ERR_BADCERT, 0);

  CHECK(!utls_chain_readfile(&pem, pkifile("rsa.pem")), "rsa.pem");
  CHECK(!utls_chain_readfile(&der, pkifile("rsa.der")), "rsa.der");
  CHECK(!utls_chain_readfile(&full, pkifile("rsa.chain.pem")), "rsa.chain.pem");
  CHECK(!utls_chain_readfile(&inter, pkifile("int.pem")), "int.pem");
  if (pem.ncerts == 1 && der.ncerts == 1 && full.ncerts == 2 && inter.ncerts == 1)
  {
    CHECK(pem.certs[0].data_len == der.certs[0].data_len && !memcmp(pem.certs[0].data, der.certs[0].data, der.certs[0].data_len), "PEM and DER forms of rsa differ");
    CHECK(full.certs[0].data_len == der.certs[0].data_len && !memcmp(full.certs[0].data, der.certs[0].data, der.certs[0].data_len), "chain: leaf is not first");
    CHECK(full.certs[1].data_len == inter.certs[0].data_len && !memcmp(full.certs[1].data, inter.certs[0].data, inter.certs[0].data_len), "chain: intermediate is not second");
  }
  /* A failed read leaves the previous chain in place. */
  CHECK(utls_chain_readfile(&pem, pkifile("garbage.key")) == UTLS_ERR_NOCERT, "garbage over a loaded chain");
  CHECK(pem.ncerts == 1 && pem.certs && pem.certs[0].data_len == der.certs[0].data_len, "chain changed by a failed read");
  /* A successful read replaces it. */
  CHECK(!utls_chain_readfile(&pem, pkifile("ec.chain.pem")) && pem.ncerts == 2, "reread into a loaded chain");
  utls_chain_free(&pem);
  CHECK(!pem.certs && !pem.ncerts, "chain_free does not reset");
  utls_chain_free(&pem);
  utls_chain_free(&der);
  utls_chain_free(&full);
  utls_chain_free(&inter);
}

static void chain_expect_tmp (char const *file, int expected)
{
  utls_chain chain = UTLS_CHAIN_ZERO;
  int r = utls_chain_readfile(&chain, file);
  CHECK(r == expected, "chain %s: got %d (%s), wanted %d", file, r, utls_error_str(r), expected);
  utls_chain_free(&chain);
}

static void test_chain_errors (void)
{
  static char const badbody[] = "-----BEGIN CERTIFICATE-----\nMIIBAjCBqaADAgECAgEBMAoGCCqGSM49BAMCMAAwHhcNMjAwMTAxMDAwMDAwWhcN\n-----END CERTIFICATE-----\n";
  static char const unterminated[] = "-----BEGIN CERTIFICATE-----\nMIIBAjCBqaADAgECAgEBMAoGCCqGSM49BAMCMAAwHhcNMjAwMTAxMDAwMDAwWhcN\n";
  static char const badbase64[] = "-----BEGIN CERTIFICATE-----\nMII*@@@@!!!!\n-----END CERTIFICATE-----\n";
  static char const emptyobject[] = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";
  utls_chain chain = UTLS_CHAIN_ZERO;
  size_t len;
  unsigned char *der = slurp(pkifile("ec.der"), &len);

  errno = 0;
  CHECK(utls_chain_readfile(&chain, pkifile("no-such-file.pem")) == -1 && errno == ENOENT, "missing file: not -1/ENOENT");
  filler(tmpfile_path("big.pem"), UTLS_CERTFILE_MAX + 1);
  chain_expect_tmp(tmpfile_path("big.pem"), UTLS_ERR_TOOBIG);
  spit(tmpfile_path("empty.pem"), "", 0, "wb");
  chain_expect_tmp(tmpfile_path("empty.pem"), UTLS_ERR_NOCERT);
  repeat(tmpfile_path("many.pem"), "ec.pem", UTLS_CHAIN_MAX + 1);
  chain_expect_tmp(tmpfile_path("many.pem"), UTLS_ERR_TOOMANY);
  repeat(tmpfile_path("max.pem"), "ec.pem", UTLS_CHAIN_MAX);
  chain_expect_tmp(tmpfile_path("max.pem"), 0);
  spit(tmpfile_path("badbody.pem"), badbody, sizeof(badbody) - 1, "wb");
  chain_expect_tmp(tmpfile_path("badbody.pem"), UTLS_ERR_BADCERT);
  spit(tmpfile_path("unterminated.pem"), unterminated, sizeof(unterminated) - 1, "wb");
  chain_expect_tmp(tmpfile_path("unterminated.pem"), UTLS_ERR_BADPEM);
  spit(tmpfile_path("badbase64.pem"), badbase64, sizeof(badbase64) - 1, "wb");
  chain_expect_tmp(tmpfile_path("badbase64.pem"), UTLS_ERR_BADPEM);
  spit(tmpfile_path("emptyobject.pem"), emptyobject, sizeof(emptyobject) - 1, "wb");
  chain_expect_tmp(tmpfile_path("emptyobject.pem"), UTLS_ERR_BADCERT);
  /* Right outer DER length, damaged inside: the TBSCertificate tag. */
  der[4] ^= 0x30;
  spit(tmpfile_path("bad.der"), der, len, "wb");
  chain_expect_tmp(tmpfile_path("bad.der"), UTLS_ERR_BADCERT);
  /* A DER file with a trailing byte is not one DER certificate. */
  der[4] ^= 0x30;
  der[len] = '\n';
  spit(tmpfile_path("trailing.der"), der, len + 1, "wb");
  chain_expect_tmp(tmpfile_path("trailing.der"), UTLS_ERR_NOCERT);
  /* PEM without a final newline, with CRLF line ends, and with text around it. */
  {
    size_t plen;
    unsigned char *pem = slurp(pkifile("ec.pem"), &plen);
    unsigned char *crlf = malloc(2 * plen + 64);
    size_t i = 0, j = 0;
    spit(tmpfile_path("nonl.pem"), pem, plen - 1, "wb");
    chain_expect_tmp(tmpfile_path("nonl.pem"), 0);
    j = (size_t)sprintf((char *)crlf, "Subject: some comment\r\n");
    for (; i < plen; i++)
    {
      if (pem[i] == '\n') crlf[j++] = '\r';
      crlf[j++] = pem[i];
    }
    spit(tmpfile_path("crlf.pem"), crlf, j, "wb");
    chain_expect_tmp(tmpfile_path("crlf.pem"), 0);
    free(crlf);
    free(pem);
  }
  free(der);
}

/* ---- private keys ---- */

static int inside (utls_skey const *key, void const *p, size_t len)
{
  unsigned char const *s = p;
  return s >= key->data && s + len <= key->data + sizeof(key->data);
}

static void key_expect (char const *keyname, char const *certname, int type, int curve)
{
  utls_skey key = UTLS_SKEY_ZERO;
  utls_chain chain = UTLS_CHAIN_ZERO;
  int r = utls_skey_readfile(&key, pkifile(keyname));
  CHECK(!r, "key %s: %d (%s)", keyname, r, utls_error_str(r));
  CHECK(key.type == type, "key %s: type %d, wanted %d", keyname, key.type, type);
  if (!r && type == BR_KEYTYPE_RSA)
  {
    br_rsa_private_key const *k = &key.key.rsa;
    CHECK(k->n_bitlen == 2048, "key %s: %u bits", keyname, (unsigned int)k->n_bitlen);
    CHECK(inside(&key, k->p, k->plen) && inside(&key, k->q, k->qlen) && inside(&key, k->dp, k->dplen)
      && inside(&key, k->dq, k->dqlen) && inside(&key, k->iq, k->iqlen), "key %s: element outside the struct", keyname);
  }
  if (!r && type == BR_KEYTYPE_EC)
  {
    CHECK(key.key.ec.curve == curve, "key %s: curve %d, wanted %d", keyname, key.key.ec.curve, curve);
    CHECK(inside(&key, key.key.ec.x, key.key.ec.xlen), "key %s: x outside the struct", keyname);
  }
  r = utls_chain_readfile(&chain, pkifile(certname));
  CHECK(!r, "chain %s: %d", certname, r);
  if (!r)
  {
    r = utls_skey_matches_chain(&key, &chain);
    CHECK(!r, "key %s does not match %s: %d (%s)", keyname, certname, r, utls_error_str(r));
    r = utls_skey_fits_chain(&key, &chain);
    CHECK(!r, "key %s does not fit %s: %d (%s)", keyname, certname, r, utls_error_str(r));
  }
  utls_chain_free(&chain);
  utls_skey_wipe(&key);
  CHECK(!key.type && all_zero(&key, sizeof(key)), "key %s: not wiped", keyname);
}

static void key_fail (char const *file, int expected)
{
  utls_skey key;
  int r;
  memset(&key, 0x5a, sizeof(key));
  r = utls_skey_readfile(&key, file);
  CHECK(r == expected, "key %s: got %d (%s), wanted %d", file, r, utls_error_str(r), expected);
  CHECK(!key.type && all_zero(&key, sizeof(key)), "key %s: struct not wiped after failure", file);
}

/* expected from utls_skey_matches_chain, fits_expected from utls_skey_fits_chain. */
static void mismatch_expect (char const *keyname, char const *certname, int expected, int fits_expected)
{
  utls_skey key = UTLS_SKEY_ZERO;
  utls_chain chain = UTLS_CHAIN_ZERO;
  int r;
  CHECK(!utls_skey_readfile(&key, pkifile(keyname)), "key %s", keyname);
  CHECK(!utls_chain_readfile(&chain, pkifile(certname)), "chain %s", certname);
  r = utls_skey_matches_chain(&key, &chain);
  CHECK(r == expected, "%s with %s: got %d (%s), wanted %d", keyname, certname, r, utls_error_str(r), expected);
  r = utls_skey_fits_chain(&key, &chain);
  CHECK(r == fits_expected, "%s fits %s: got %d (%s), wanted %d", keyname, certname, r, utls_error_str(r), fits_expected);
  utls_chain_free(&chain);
  utls_skey_wipe(&key);
}

static void test_keys (void)
{
  static char const ecpem_then_rsa[] = "junk before\n";
  key_expect("rsa.key", "rsa.pem", BR_KEYTYPE_RSA, 0);
  key_expect("rsa.pkcs1.key", "rsa.chain.pem", BR_KEYTYPE_RSA, 0);
  key_expect("rsa.key.der", "rsa.der", BR_KEYTYPE_RSA, 0);
  key_expect("rsa.pkcs1.key.der", "rsa.pem", BR_KEYTYPE_RSA, 0);
  key_expect("ec.key", "ec.pem", BR_KEYTYPE_EC, BR_EC_secp256r1);
  key_expect("ec.pkcs8.key", "ec.chain.pem", BR_KEYTYPE_EC, BR_EC_secp256r1);
  key_expect("ec.key.der", "ec.der", BR_KEYTYPE_EC, BR_EC_secp256r1);
  key_expect("ec.pkcs8.key.der", "ec.pem", BR_KEYTYPE_EC, BR_EC_secp256r1);
  key_expect("ec384.key", "ec384.chain.pem", BR_KEYTYPE_EC, BR_EC_secp384r1);
  key_expect("ec521.key", "ec521.chain.pem", BR_KEYTYPE_EC, BR_EC_secp521r1);
  key_expect("client.key", "client.chain.pem", BR_KEYTYPE_EC, BR_EC_secp256r1);
  key_expect("ca.key", "ca.pem", BR_KEYTYPE_RSA, 0);

  mismatch_expect("ec.key", "rsa.pem", UTLS_ERR_KEYMISMATCH, UTLS_ERR_KEYMISMATCH);
  mismatch_expect("rsa.key", "ec.pem", UTLS_ERR_KEYMISMATCH, UTLS_ERR_KEYMISMATCH);
  mismatch_expect("ca.key", "rsa.pem", UTLS_ERR_KEYMISMATCH, UTLS_ERR_KEYMISMATCH);
  mismatch_expect("ec384.key", "ec.pem", UTLS_ERR_KEYMISMATCH, UTLS_ERR_KEYMISMATCH);
  mismatch_expect("ec.key", "ec384.pem", UTLS_ERR_KEYMISMATCH, UTLS_ERR_KEYMISMATCH);
  mismatch_expect("ec521.key", "ec384.chain.pem", UTLS_ERR_KEYMISMATCH, UTLS_ERR_KEYMISMATCH);
  /* Same curve, another key: only the full check sees it. */
  mismatch_expect("sni-a.key", "ec.chain.pem", UTLS_ERR_KEYMISMATCH, 0);
  mismatch_expect("ec.key", "int.pem", UTLS_ERR_KEYMISMATCH, 0);

  key_fail(pkifile("garbage.key"), UTLS_ERR_BADKEY);
  key_fail(pkifile("rsa.pem"), UTLS_ERR_NOPEM);
  key_fail(pkifile("ec.der"), UTLS_ERR_BADKEY);
  key_fail(pkifile("secp256k1.key"), UTLS_ERR_KEYTYPE);
  key_fail(pkifile("ed25519.key"), UTLS_ERR_KEYTYPE);
  filler(tmpfile_path("big.key"), UTLS_KEYFILE_MAX + 1);
  key_fail(tmpfile_path("big.key"), UTLS_ERR_TOOBIG);
  spit(tmpfile_path("empty.key"), "", 0, "wb");
  key_fail(tmpfile_path("empty.key"), UTLS_ERR_BADKEY);
  errno = 0;
  key_fail(pkifile("no-such.key"), -1);
  CHECK(errno == ENOENT, "missing key: errno %d", errno);
  errno = 0;
  key_fail(pki, -1);
  CHECK(errno == EISDIR, "directory as key: errno %d", errno);

  /* The first key object of a PEM file counts, even after other objects. */
  {
    size_t len;
    unsigned char *s = slurp(pkifile("ec.pem"), &len);
    spit(tmpfile_path("mixed.pem"), ecpem_then_rsa, sizeof(ecpem_then_rsa) - 1, "wb");
    spit(tmpfile_path("mixed.pem"), s, len, "ab");
    free(s);
    s = slurp(pkifile("ec.key"), &len);
    spit(tmpfile_path("mixed.pem"), s, len, "ab");
    free(s);
    s = slurp(pkifile("rsa.key"), &len);
    spit(tmpfile_path("mixed.pem"), s, len, "ab");
    free(s);
    {
      utls_skey key = UTLS_SKEY_ZERO;
      CHECK(!utls_skey_readfile(&key, tmpfile_path("mixed.pem")) && key.type == BR_KEYTYPE_EC, "mixed PEM: not the EC key");
      utls_skey_wipe(&key);
    }
  }

  /* matches_chain with empty arguments */
  {
    utls_skey key = UTLS_SKEY_ZERO;
    utls_chain chain = UTLS_CHAIN_ZERO;
    CHECK(utls_skey_matches_chain(&key, &chain) == UTLS_ERR_NOCERT, "empty chain");
    CHECK(utls_skey_fits_chain(&key, &chain) == UTLS_ERR_NOCERT, "fits: empty chain");
    CHECK(!utls_chain_readfile(&chain, pkifile("ec.pem")), "ec.pem");
    CHECK(utls_skey_matches_chain(&key, &chain) == UTLS_ERR_BADKEY, "empty key");
    CHECK(utls_skey_fits_chain(&key, &chain) == UTLS_ERR_BADKEY, "fits: empty key");
    utls_chain_free(&chain);
  }
}

/* ---- trust anchors ---- */

static void test_anchors_file (void)
{
  utls_anchors a = UTLS_ANCHORS_ZERO;
  int r = utls_anchors_readfile(&a, pkifile("cafile.pem"));
  CHECK(!r && a.n == 1, "cafile.pem: %d, n=%zu", r, a.n);
  if (a.n == 1)
  {
    br_x509_trust_anchor const *ta = a.tas;
    CHECK(ta->flags == BR_X509_TA_CA, "ca: flags %u", ta->flags);
    CHECK(ta->pkey.key_type == BR_KEYTYPE_RSA && ta->pkey.key.rsa.nlen >= 256, "ca: key");
    CHECK(ta->dn.len > 2 && ta->dn.data[0] == 0x30, "ca: DN not a SEQUENCE");
    CHECK(contains(ta->dn.data, ta->dn.len, "ucspi-tls Test Root CA"), "ca: DN lacks the CN");
  }
  r = utls_anchors_readfile(&a, pkifile("int.pem"));
  CHECK(!r && a.n == 2, "int.pem appended: %d, n=%zu", r, a.n);
  if (a.n == 2)
    CHECK(a.tas[1].flags == BR_X509_TA_CA && a.tas[1].pkey.key_type == BR_KEYTYPE_EC && a.tas[1].pkey.key.ec.curve == BR_EC_secp256r1 && a.tas[1].pkey.key.ec.qlen == 65, "int anchor");
  r = utls_anchors_readfile(&a, pkifile("selfsigned.pem"));
  CHECK(!r && a.n == 3 && !a.tas[2].flags, "self-signed leaf anchor: %d n=%zu", r, a.n);
  r = utls_anchors_readfile(&a, pkifile("rsa.der"));
  CHECK(!r && a.n == 4 && !a.tas[3].flags && a.tas[3].pkey.key_type == BR_KEYTYPE_RSA, "DER anchor: %d n=%zu", r, a.n);
  r = utls_anchors_readfile(&a, pkifile("ec.chain.pem"));
  CHECK(!r && a.n == 6 && !a.tas[4].flags && a.tas[5].flags == BR_X509_TA_CA, "chain as anchors: %d n=%zu", r, a.n);

  CHECK(utls_anchors_readfile(&a, pkifile("garbage.key")) == UTLS_ERR_NOCERT && a.n == 6, "garbage anchors");
  CHECK(utls_anchors_readfile(&a, tmpfile_path("badbody.pem")) == UTLS_ERR_BADCERT && a.n == 6, "bad anchors");
  CHECK(utls_anchors_readfile(&a, tmpfile_path("emptyobject.pem")) == UTLS_ERR_BADCERT && a.n == 6, "empty PEM object");
  CHECK(utls_anchors_readfile(&a, pkifile("ed25519.pem")) == UTLS_ERR_NOANCHOR && a.n == 6, "Ed25519 only");
  /* An unsupported root among usable ones is skipped. */
  {
    size_t len;
    unsigned char *s = slurp(pkifile("ed25519.pem"), &len);
    spit(tmpfile_path("mixedroots.pem"), s, len, "wb");
    free(s);
    s = slurp(pkifile("ca.pem"), &len);
    spit(tmpfile_path("mixedroots.pem"), s, len, "ab");
    free(s);
    CHECK(!utls_anchors_readfile(&a, tmpfile_path("mixedroots.pem")) && a.n == 7 && a.tas[6].flags == BR_X509_TA_CA, "mixed roots: n=%zu", a.n);
  }
  errno = 0;
  CHECK(utls_anchors_readfile(&a, pkifile("none.pem")) == -1 && errno == ENOENT && a.n == 7, "missing anchors");
  /* A bad certificate after good ones: everything from that file is dropped. */
  {
    size_t len;
    unsigned char *s = slurp(pkifile("ec.chain.pem"), &len);
    spit(tmpfile_path("goodbad.pem"), s, len, "wb");
    free(s);
    s = slurp(tmpfile_path("badbody.pem"), &len);
    spit(tmpfile_path("goodbad.pem"), s, len, "ab");
    free(s);
    CHECK(utls_anchors_readfile(&a, tmpfile_path("goodbad.pem")) == UTLS_ERR_BADCERT && a.n == 7, "partial file not rolled back: n=%zu", a.n);
  }
  utls_anchors_free(&a);
  CHECK(!a.tas && !a.n && !a.alloc, "anchors_free does not reset");

  repeat(tmpfile_path("toomany.pem"), "int.pem", UTLS_ANCHORS_MAX + 1);
  r = utls_anchors_readfile(&a, tmpfile_path("toomany.pem"));
  CHECK(r == UTLS_ERR_TOOMANY && !a.n, "too many anchors: %d n=%zu", r, a.n);
  utls_anchors_free(&a);

  /* The system bundle is much larger than UTLS_CERTFILE_MAX. */
  if (!access("/etc/ssl/certs/ca-certificates.crt", R_OK))
  {
    r = utls_anchors_readfile(&a, "/etc/ssl/certs/ca-certificates.crt");
    CHECK(!r && a.n >= 50, "system bundle: %d (%s), n=%zu", r, utls_error_str(r), a.n);
    utls_anchors_free(&a);
  }
}

static void test_anchors_dir (void)
{
  utls_anchors a = UTLS_ANCHORS_ZERO;
  char const *d = tmpfile_path("cadir");
  char buf[4096];
  int r = utls_anchors_readdir(&a, pkifile("cadir"));
  CHECK(!r && a.n == 1 && a.tas[0].flags == BR_X509_TA_CA, "cadir: %d n=%zu", r, a.n);
  utls_anchors_free(&a);

  if (mkdir(d, 0700) < 0) exit(1);
  r = utls_anchors_readdir(&a, d);
  CHECK(r == UTLS_ERR_NOANCHOR && !a.n, "empty dir: %d", r);
  snprintf(buf, sizeof(buf), "%s/README", d);
  spit(buf, "not a certificate\n", 18, "wb");
  snprintf(buf, sizeof(buf), "%s/.hidden.pem", d);
  repeat(buf, "int.pem", 1);
  snprintf(buf, sizeof(buf), "%s/sub", d);
  if (mkdir(buf, 0700) < 0) exit(1);
  snprintf(buf, sizeof(buf), "%s/sub/ca.pem", d);
  repeat(buf, "ca.pem", 1);
  snprintf(buf, sizeof(buf), "%s/ed25519.pem", d);
  repeat(buf, "ed25519.pem", 1);
  snprintf(buf, sizeof(buf), "%s/dangling", d);
  if (symlink("/nonexistent/file", buf) < 0) exit(1);
  r = utls_anchors_readdir(&a, d);
  CHECK(r == UTLS_ERR_NOANCHOR && !a.n, "dir without certificates: %d", r);

  snprintf(buf, sizeof(buf), "%s/root.pem", d);
  repeat(buf, "ca.pem", 1);
  snprintf(buf, sizeof(buf), "%s/link.pem", d);
  if (symlink(pkifile("int.pem"), buf) < 0) exit(1);
  r = utls_anchors_readdir(&a, d);
  CHECK(!r && a.n == 2, "dir: %d (%s), n=%zu", r, utls_error_str(r), a.n);
  utls_anchors_free(&a);

  snprintf(buf, sizeof(buf), "%s/broken.pem", d);
  {
    size_t len;
    unsigned char *s = slurp(tmpfile_path("badbody.pem"), &len);
    spit(buf, s, len, "wb");
    free(s);
  }
  CHECK(!utls_anchors_readfile(&a, pkifile("ca.pem")) && a.n == 1, "preload");
  r = utls_anchors_readdir(&a, d);
  CHECK(r == UTLS_ERR_BADCERT && a.n == 1, "dir with a broken certificate: %d n=%zu", r, a.n);
  utls_anchors_free(&a);

  errno = 0;
  CHECK(utls_anchors_readdir(&a, pkifile("nodir")) == -1 && errno == ENOENT, "missing dir");
  CHECK(utls_anchors_readdir(&a, pkifile("ca.pem")) == -1 && errno == ENOTDIR, "file as dir");
}

/* ---- filtered trust anchors ---- */


static int dn_is (br_x509_trust_anchor const *ta, utls_der const *name)
{
  return ta->dn.len == name->len && !memcmp(ta->dn.data, name->s, name->len);
}


/* Names used by the filtered loading tests. */
typedef struct want_s want;
struct want_s
{
  first_cert buf[6];
  utls_der ca, inter, self, ed, leaf, rsa;
  utls_der absent;
};

static void want_init (want *w)
{
  static unsigned char const other[] = { 0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x04, 'n', 'o', 'n', 'e' };
  w->ca = subject_of(pki, "ca.pem", &w->buf[0]);
  w->inter = subject_of(pki, "int.pem", &w->buf[1]);
  w->self = subject_of(pki, "selfsigned.pem", &w->buf[2]);
  w->ed = subject_of(pki, "ed25519.pem", &w->buf[3]);
  w->leaf = subject_of(pki, "ec.pem", &w->buf[4]);
  w->rsa = subject_of(pki, "rsa.pem", &w->buf[5]);
  w->absent.s = other;
  w->absent.len = sizeof(other);
}

static void test_anchors_file_for (want const *w)
{
  utls_anchors a = UTLS_ANCHORS_ZERO, all = UTLS_ANCHORS_ZERO;
  int r = utls_anchors_readfile_for(&a, pkifile("cafile.pem"), &w->ca, 1);
  CHECK(!r && a.n == 1 && dn_is(a.tas, &w->ca), "for: match: %d (%s), n=%zu", r, utls_error_str(r), a.n);
  CHECK(!utls_anchors_readfile(&all, pkifile("cafile.pem")) && all.n == 1, "for: unfiltered cafile.pem");
  if (a.n == 1 && all.n == 1) CHECK(same_anchor(a.tas, all.tas), "for: anchor differs from the unfiltered one");
  utls_anchors_free(&all);

  r = utls_anchors_readfile_for(&a, pkifile("cafile.pem"), &w->inter, 1);
  CHECK(!r && a.n == 1, "for: no match: %d n=%zu", r, a.n);
  r = utls_anchors_readfile_for(&a, pkifile("cafile.pem"), 0, 0);
  CHECK(!r && a.n == 1, "for: no names: %d n=%zu", r, a.n);
  r = utls_anchors_readfile_for(&a, pkifile("rsa.der"), &w->rsa, 1);
  CHECK(!r && a.n == 2 && dn_is(a.tas + 1, &w->rsa) && !a.tas[1].flags, "for: DER file: %d n=%zu", r, a.n);
  utls_anchors_free(&a);
  CHECK(!utls_anchors_readfile(&a, pkifile("cafile.pem")) && !utls_anchors_readfile(&a, pkifile("rsa.der")) && a.n == 2, "for: reload");

  /* Several names, several certificates, text around them; an Ed25519 match is skipped. */
  {
    utls_der const names[] = { w->absent, w->self, w->inter, w->ed, w->ca };
    char const *bundle = tmpfile_path("forbundle.pem");
    size_t len;
    unsigned char *s;
    static char const *const parts[] = { "ed25519.pem", "ca.pem", "ec.chain.pem", "rsa.key", "selfsigned.pem" };
    size_t i = 0;
    spit(bundle, "bundle header\n", 14, "wb");
    for (; i < sizeof(parts) / sizeof(parts[0]); i++)
    {
      s = slurp(pkifile(parts[i]), &len);
      spit(bundle, s, len, "ab");
      spit(bundle, "# between\n", 10, "ab");
      free(s);
    }
    r = utls_anchors_readfile_for(&a, bundle, names, 5);
    CHECK(!r && a.n == 6, "for: several names: %d (%s), n=%zu", r, utls_error_str(r), a.n);
    /* The EC leaf (in ec.chain.pem) and the self-signed certificate share their subject. */
    CHECK(w->leaf.len == w->self.len && !memcmp(w->leaf.s, w->self.s, w->self.len), "for: test PKI changed: ec.pem and selfsigned.pem subjects differ");
    if (a.n == 6)
      CHECK(dn_is(a.tas + 2, &w->ca) && a.tas[2].flags == BR_X509_TA_CA && dn_is(a.tas + 3, &w->self) && !a.tas[3].flags
        && dn_is(a.tas + 4, &w->inter) && a.tas[4].pkey.key_type == BR_KEYTYPE_EC && dn_is(a.tas + 5, &w->self), "for: several names: wrong anchors");
    r = utls_anchors_readfile_for(&a, bundle, &w->leaf, 1);
    CHECK(!r && a.n == 8 && !a.tas[6].flags && !a.tas[7].flags, "for: leaf: %d n=%zu", r, a.n);
    r = utls_anchors_readfile_for(&a, bundle, &w->ed, 1);
    CHECK(!r && a.n == 8, "for: Ed25519 only: %d n=%zu", r, a.n);
    utls_anchors_free(&a);
  }

  /* Errors as with utls_anchors_readfile; nothing is added. */
  CHECK(!utls_anchors_readfile(&a, pkifile("ca.pem")) && a.n == 1, "for: preload");
  errno = 0;
  CHECK(utls_anchors_readfile_for(&a, pkifile("none.pem"), &w->ca, 1) == -1 && errno == ENOENT && a.n == 1, "for: missing file");
  CHECK(utls_anchors_readfile_for(&a, pkifile("garbage.key"), &w->ca, 1) == UTLS_ERR_NOCERT && a.n == 1, "for: no certificate");
  CHECK(utls_anchors_readfile_for(&a, tmpfile_path("badbase64.pem"), &w->ca, 1) == UTLS_ERR_BADPEM && a.n == 1, "for: bad PEM");
  /* A certificate our walker can't parse goes to BearSSL, as without a filter. */
  CHECK(utls_anchors_readfile_for(&a, tmpfile_path("badbody.pem"), &w->absent, 1) == UTLS_ERR_BADCERT && a.n == 1, "for: bad certificate");
  r = utls_anchors_readfile_for(&a, tmpfile_path("goodbad.pem"), &w->leaf, 1);
  CHECK(r == UTLS_ERR_BADCERT && a.n == 1, "for: partial file not rolled back: %d n=%zu", r, a.n);
  r = utls_anchors_readfile_for(&a, tmpfile_path("toomany.pem"), &w->inter, 1);
  CHECK(r == UTLS_ERR_TOOMANY && a.n == 1, "for: too many: %d n=%zu", r, a.n);
  r = utls_anchors_readfile_for(&a, tmpfile_path("toomany.pem"), &w->ca, 1);
  CHECK(!r && a.n == 1, "for: many unwanted: %d n=%zu", r, a.n);
  utls_anchors_free(&a);

  if (!access("/etc/ssl/certs/ca-certificates.crt", R_OK))
  {
    r = utls_anchors_readfile(&all, "/etc/ssl/certs/ca-certificates.crt");
    if (!r && all.n)
    {
      br_x509_trust_anchor const *ta = all.tas + all.n / 2;
      utls_der const name = { .s = ta->dn.data, .len = ta->dn.len };
      size_t i = 0;
      r = utls_anchors_readfile_for(&a, "/etc/ssl/certs/ca-certificates.crt", &name, 1);
      CHECK(!r && a.n >= 1, "for: system bundle: %d (%s), n=%zu", r, utls_error_str(r), a.n);
      for (; i < a.n; i++) CHECK(dn_is(a.tas + i, &name), "for: system bundle: wrong DN");
      if (a.n) CHECK(same_anchor(a.tas, ta) || a.n > 1, "for: system bundle: anchor differs");
    }
    utls_anchors_free(&a);
    utls_anchors_free(&all);
  }
}

static size_t count_dn (utls_anchors const *a, utls_der const *name)
{
  size_t n = 0, i = 0;
  for (; i < a->n; i++) n += dn_is(a->tas + i, name);
  return n;
}

static void test_anchors_dir_for (want const *w)
{
  utls_anchors a = UTLS_ANCHORS_ZERO;
  char const *d = tmpfile_path("cadir-for");
  char buf[4096];
  int r;
  if (mkdir(d, 0700) < 0) exit(1);
  snprintf(buf, sizeof(buf), "%s/README", d);
  spit(buf, "not a certificate\n", 18, "wb");
  snprintf(buf, sizeof(buf), "%s/.hidden.pem", d);
  repeat(buf, "int.pem", 1);
  snprintf(buf, sizeof(buf), "%s/sub", d);
  if (mkdir(buf, 0700) < 0) exit(1);
  snprintf(buf, sizeof(buf), "%s/sub/int.pem", d);
  repeat(buf, "int.pem", 1);
  snprintf(buf, sizeof(buf), "%s/ed25519.pem", d);
  repeat(buf, "ed25519.pem", 1);
  snprintf(buf, sizeof(buf), "%s/dangling.0", d);
  if (symlink("/nonexistent/file", buf) < 0) exit(1);
  snprintf(buf, sizeof(buf), "%s/root.pem", d);
  repeat(buf, "ca.pem", 1);
  /* As c_rehash makes them: a relative hash link, and an absolute link elsewhere. */
  snprintf(buf, sizeof(buf), "%s/0123abcd.0", d);
  if (symlink("root.pem", buf) < 0) exit(1);
  snprintf(buf, sizeof(buf), "%s/link.pem", d);
  if (symlink(pkifile("int.pem"), buf) < 0) exit(1);
  snprintf(buf, sizeof(buf), "%s/bundle.crt", d);
  repeat(buf, "ec.chain.pem", 1);

  r = utls_anchors_readdir_for(&a, d, &w->ca, 1);
  CHECK(!r && a.n == 2 && count_dn(&a, &w->ca) == 2, "dir for: match: %d (%s), n=%zu", r, utls_error_str(r), a.n);
  utls_anchors_free(&a);
  r = utls_anchors_readdir_for(&a, d, &w->inter, 1);
  CHECK(!r && a.n == 2 && count_dn(&a, &w->inter) == 2, "dir for: intermediate: %d n=%zu", r, a.n);
  utls_anchors_free(&a);
  {
    utls_der const names[] = { w->leaf, w->absent, w->inter, w->ca };
    r = utls_anchors_readdir_for(&a, d, names, 4);
    CHECK(!r && a.n == 5 && count_dn(&a, &w->leaf) == 1 && count_dn(&a, &w->inter) == 2 && count_dn(&a, &w->ca) == 2, "dir for: several names: %d n=%zu", r, a.n);
    utls_anchors_free(&a);
  }
  r = utls_anchors_readdir_for(&a, d, &w->absent, 1);
  CHECK(!r && !a.n, "dir for: no match: %d n=%zu", r, a.n);
  r = utls_anchors_readdir_for(&a, d, &w->ed, 1);
  CHECK(!r && !a.n, "dir for: Ed25519 only: %d n=%zu", r, a.n);
  r = utls_anchors_readdir(&a, d);
  CHECK(!r && a.n == 5, "dir: same directory unfiltered: %d n=%zu", r, a.n);
  utls_anchors_free(&a);

  snprintf(buf, sizeof(buf), "%s/broken.pem", d);
  {
    size_t len;
    unsigned char *s = slurp(tmpfile_path("badbody.pem"), &len);
    spit(buf, s, len, "wb");
    free(s);
  }
  CHECK(!utls_anchors_readfile(&a, pkifile("ca.pem")) && a.n == 1, "dir for: preload");
  r = utls_anchors_readdir_for(&a, d, &w->ca, 1);
  CHECK(r == UTLS_ERR_BADCERT && a.n == 1, "dir for: broken certificate: %d n=%zu", r, a.n);
  utls_anchors_free(&a);
  errno = 0;
  CHECK(utls_anchors_readdir_for(&a, pkifile("nodir"), &w->ca, 1) == -1 && errno == ENOENT, "dir for: missing dir");
}

static void test_anchors_for (void)
{
  want *w = malloc(sizeof(want));
  if (!w) exit(1);
  want_init(w);
  test_anchors_file_for(w);
  test_anchors_dir_for(w);
  free(w);
}

/* ---- RSA keys: our DER walker against br_skey_decoder ---- */

/* Runs a shell command; exits on failure (harness error). */
static void run (char const *cmd)
{
  if (system(cmd))
  {
    fprintf(stderr, "load: FAIL: cannot run: %s\n", cmd);
    exit(1);
  }
}

/* 1 if key (from utls_skey_readfile) holds exactly what br_skey_decoder makes of der. */
static int same_as_bearssl (utls_skey const *key, unsigned char const *der, size_t len)
{
  br_skey_decoder_context d;
  br_rsa_private_key const *sk;
  br_rsa_private_key const *k = &key->key.rsa;
  br_skey_decoder_init(&d);
  br_skey_decoder_push(&d, der, len);
  if (br_skey_decoder_last_error(&d) || br_skey_decoder_key_type(&d) != BR_KEYTYPE_RSA || key->type != BR_KEYTYPE_RSA) return 0;
  sk = br_skey_decoder_get_rsa(&d);
  return sk->n_bitlen == k->n_bitlen
    && sk->plen == k->plen && !memcmp(sk->p, k->p, k->plen)
    && sk->qlen == k->qlen && !memcmp(sk->q, k->q, k->qlen)
    && sk->dplen == k->dplen && !memcmp(sk->dp, k->dp, k->dplen)
    && sk->dqlen == k->dqlen && !memcmp(sk->dq, k->dq, k->dqlen)
    && sk->iqlen == k->iqlen && !memcmp(sk->iq, k->iq, k->iqlen);
}

/* A DER RSA key file decodes, to what BearSSL's decoder makes of it. */
static void rsa_same (char const *file, uint32_t bits)
{
  utls_skey key = UTLS_SKEY_ZERO;
  size_t len;
  unsigned char *der = slurp(file, &len);
  int r = utls_skey_readfile(&key, file);
  CHECK(!r && key.type == BR_KEYTYPE_RSA, "RSA %s: %d (%s)", file, r, utls_error_str(r));
  if (!r)
  {
    CHECK(key.key.rsa.n_bitlen == bits, "RSA %s: %u bits, wanted %u", file, (unsigned int)key.key.rsa.n_bitlen, (unsigned int)bits);
    CHECK(same_as_bearssl(&key, der, len), "RSA %s: differs from br_skey_decoder", file);
  }
  utls_skey_wipe(&key);
  free(der);
}

/* Appends tag, minimal length and contents (if s is not null) at out + at; returns the new end. */
static size_t der_put (unsigned char *out, size_t at, unsigned int tag, void const *s, size_t len)
{
  out[at++] = (unsigned char)tag;
  if (len < 0x80) out[at++] = (unsigned char)len;
  else if (len < 0x100)
  {
    out[at++] = 0x81;
    out[at++] = (unsigned char)len;
  }
  else
  {
    out[at++] = 0x82;
    out[at++] = (unsigned char)(len >> 8);
    out[at++] = (unsigned char)len;
  }
  if (s) memmove(out + at, s, len);
  return at + len;
}

/* Writes SEQUENCE { contents } to file. */
static void spit_seq (char const *file, unsigned char const *contents, size_t len)
{
  unsigned char *buf = malloc(len + 8);
  if (!buf) exit(1);
  spit(file, buf, der_put(buf, 0, 0x30, contents, len), "wb");
  free(buf);
}

#define RSA_BUILD_MAX 8192

/* RSAPrivateKey from INTEGER contents (version, n, e, d, p, q, dp, dq, iq, ...); element badtag (if < nints) gets an OCTET STRING tag. */
static size_t rsa_build (unsigned char *out, utls_der const *ints, size_t nints, size_t badtag)
{
  unsigned char *contents = malloc(RSA_BUILD_MAX);
  size_t n = 0, i = 0, total;
  if (!contents) exit(1);
  for (; i < nints; i++) n = der_put(contents, n, i == badtag ? 0x04 : 0x02, ints[i].s, ints[i].len);
  total = der_put(out, 0, 0x30, contents, n);
  free(contents);
  return total;
}

/* PrivateKeyInfo around an RSAPrivateKey; extra bytes inside the OCTET STRING, attributes after it. */
static size_t p8_build (unsigned char *out, unsigned char version, unsigned char const *rsakey, size_t len, int octets_trailer, int attributes)
{
  static unsigned char const alg[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00 };
  unsigned char *contents = malloc(len + 64);
  unsigned char *octets = malloc(len + 8);
  size_t n, o = len, total;
  if (!contents || !octets) exit(1);
  memcpy(octets, rsakey, len);
  if (octets_trailer)
  {
    octets[o++] = 0x05;
    octets[o++] = 0x00;
  }
  n = der_put(contents, 0, 0x02, &version, 1);
  n = der_put(contents, n, 0x30, alg, sizeof(alg));
  n = der_put(contents, n, 0x04, octets, o);
  if (attributes) n = der_put(contents, n, 0xa0, 0, 0);
  total = der_put(out, 0, 0x30, contents, n);
  free(octets);
  free(contents);
  return total;
}

/* Writes a built key and reads it: expected 0 (then compared with BearSSL) or an error. */
static void built_expect (char const *what, unsigned char const *der, size_t len, int expected, uint32_t bits)
{
  char const *file = tmpfile_path("built.der");
  spit(file, der, len, "wb");
  if (expected)
  {
    utls_skey key;
    int r;
    memset(&key, 0x5a, sizeof(key));
    r = utls_skey_readfile(&key, file);
    CHECK(r == expected, "built key, %s: got %d (%s), wanted %d", what, r, utls_error_str(r), expected);
    CHECK(!key.type && all_zero(&key, sizeof(key)), "built key, %s: not wiped", what);
  }
  else rsa_same(file, bits);
}

/* Hand-made RSA keys: INTEGER contents of the nine elements (and a tenth), and output buffers. */
typedef struct built_s built;
struct built_s
{
  unsigned char n[600];
  unsigned char big[1300];
  unsigned char out[RSA_BUILD_MAX];
  unsigned char wrapped[RSA_BUILD_MAX + 64];
  utls_der ints[10];
};

static unsigned char const zero[1] = { 0 }, one[1] = { 1 }, two[1] = { 2 }, neg[2] = { 0x80, 1 };

/* A 4096-bit modulus 00 80 ff..ff, and small elements, some with redundant leading zeros. */
static void built_init (built *b)
{
  static unsigned char const e[3] = { 1, 0, 1 }, p[5] = { 0, 0, 0xe1, 2, 3 }, small[3] = { 0, 0x7f, 9 };
  memset(b->n, 0xff, sizeof(b->n));
  b->n[0] = 0;
  b->n[1] = 0x80;
  memset(b->big, 0x42, sizeof(b->big));
  b->ints[0] = (utls_der){ zero, 1 };
  b->ints[1] = (utls_der){ b->n, 513 };
  b->ints[2] = (utls_der){ e, 3 };
  b->ints[3] = (utls_der){ small, 3 };
  b->ints[4] = (utls_der){ p, 5 };
  b->ints[5] = (utls_der){ small, 3 };
  b->ints[6] = (utls_der){ one, 1 };
  b->ints[7] = (utls_der){ small + 1, 2 };
  b->ints[8] = (utls_der){ two, 1 };
  b->ints[9] = (utls_der){ one, 1 };
}

/* Wrappers, tags, element counts, modulus sizes, versions. */
static void test_rsa_built_forms (built *b)
{
  size_t len = rsa_build(b->out, b->ints, 9, 9), i;
  built_expect("4096-bit modulus", b->out, len, 0, 4096);
  built_expect("in PKCS#8", b->wrapped, p8_build(b->wrapped, 0, b->out, len, 0, 0), 0, 4096);
  built_expect("in PKCS#8 v2 with attributes", b->wrapped, p8_build(b->wrapped, 1, b->out, len, 0, 1), 0, 4096);
  built_expect("in PKCS#8 version 2", b->wrapped, p8_build(b->wrapped, 2, b->out, len, 0, 0), UTLS_ERR_KEYTYPE, 0);
  built_expect("in PKCS#8, trailing bytes in the OCTET STRING", b->wrapped, p8_build(b->wrapped, 0, b->out, len, 1, 0), UTLS_ERR_BADKEY, 0);
  /* A modulus that is not an INTEGER makes it a SEC1 key to BearSSL, which refuses it as such. */
  for (i = 0; i < 9; i++)
  {
    char what[64];
    snprintf(what, sizeof(what), "bad tag at element %zu", i);
    built_expect(what, b->out, rsa_build(b->out, b->ints, 9, i), i == 1 ? UTLS_ERR_KEYTYPE : UTLS_ERR_BADKEY, 0);
  }
  built_expect("ten elements", b->out, rsa_build(b->out, b->ints, 10, 10), UTLS_ERR_BADKEY, 0);
  built_expect("eight elements", b->out, rsa_build(b->out, b->ints, 8, 8), UTLS_ERR_BADKEY, 0);
  b->ints[1] = (utls_der){ b->n, 512 };
  built_expect("4088-bit modulus", b->out, rsa_build(b->out, b->ints, 9, 9), 0, 4088);
  b->n[1] = 1;
  b->ints[1] = (utls_der){ b->n + 1, 513 };
  built_expect("4097-bit modulus", b->out, rsa_build(b->out, b->ints, 9, 9), UTLS_ERR_KEYTYPE, 0);
  b->ints[1] = (utls_der){ b->n + 1, 64 };
  built_expect("505-bit modulus", b->out, rsa_build(b->out, b->ints, 9, 9), 0, 505);
  b->ints[1] = (utls_der){ zero, 1 };
  built_expect("zero modulus", b->out, rsa_build(b->out, b->ints, 9, 9), UTLS_ERR_BADKEY, 0);
  b->ints[1] = (utls_der){ b->n + 1, 64 };
  b->ints[0] = (utls_der){ one, 1 };
  built_expect("version 1", b->out, len = rsa_build(b->out, b->ints, 9, 9), UTLS_ERR_KEYTYPE, 0);
  built_expect("version 1 in PKCS#8", b->wrapped, p8_build(b->wrapped, 0, b->out, len, 0, 0), UTLS_ERR_KEYTYPE, 0);
  b->ints[0] = (utls_der){ two, 1 };
  built_expect("version 2", b->out, rsa_build(b->out, b->ints, 9, 9), UTLS_ERR_KEYTYPE, 0);
  b->ints[0] = (utls_der){ neg, 1 };
  built_expect("negative version", b->out, rsa_build(b->out, b->ints, 9, 9), UTLS_ERR_BADKEY, 0);
}

/* p, q, dp, dq, iq: zero, negative, empty, too big; and a negative exponent. */
static void test_rsa_built_elements (built *b)
{
  size_t i = 4;
  for (; i < 9; i++)
  {
    utls_der keep = b->ints[i];
    char what[64];
    b->ints[i] = (utls_der){ zero, 1 };
    snprintf(what, sizeof(what), "element %zu zero", i);
    built_expect(what, b->out, rsa_build(b->out, b->ints, 9, 9), UTLS_ERR_BADKEY, 0);
    b->ints[i] = (utls_der){ neg, 2 };
    snprintf(what, sizeof(what), "element %zu negative", i);
    built_expect(what, b->out, rsa_build(b->out, b->ints, 9, 9), UTLS_ERR_BADKEY, 0);
    b->ints[i] = (utls_der){ zero, 0 };
    snprintf(what, sizeof(what), "element %zu empty", i);
    built_expect(what, b->out, rsa_build(b->out, b->ints, 9, 9), UTLS_ERR_BADKEY, 0);
    b->ints[i] = (utls_der){ b->big, sizeof(b->big) };
    snprintf(what, sizeof(what), "element %zu too big for utls_skey", i);
    built_expect(what, b->out, rsa_build(b->out, b->ints, 9, 9), UTLS_ERR_KEYTYPE, 0);
    b->ints[i] = keep;
  }
  built_expect("all elements back", b->out, rsa_build(b->out, b->ints, 9, 9), 0, 4096);
  {
    utls_der keep = b->ints[2];
    b->ints[2] = (utls_der){ neg, 2 };
    built_expect("negative exponent", b->out, rsa_build(b->out, b->ints, 9, 9), UTLS_ERR_BADKEY, 0);
    b->ints[2] = keep;
  }
}

static void test_rsa_built (void)
{
  built *b = malloc(sizeof(built));
  if (!b) exit(1);
  built_init(b);
  test_rsa_built_elements(b);
  test_rsa_built_forms(b);
  free(b);
}

/* Makes the i-th damaged form of der into out; returns its length. */
typedef size_t key_maker (unsigned char *out, unsigned char const *der, size_t len, size_t i);

static size_t make_prefix (unsigned char *out, unsigned char const *der, size_t len, size_t i)
{
  (void)len;
  memcpy(out, der, i);
  return i;
}

/* The first i content octets, in a SEQUENCE of the right length: the walker, not the outer length, sees the cut. */
static size_t make_cut (unsigned char *out, unsigned char const *der, size_t len, size_t i)
{
  size_t header = der[1] < 0x80 ? 2 : 2 + (der[1] & 0x7f);
  (void)len;
  return der_put(out, 0, 0x30, der + header, i);
}

/* Every form i < count fails with expected, and leaves the key wiped. */
static void fail_all (char const *what, unsigned char const *der, size_t len, size_t count, key_maker *make, int expected)
{
  unsigned char *buf = malloc(len + 16);
  char const *file = tmpfile_path("cut.der");
  size_t i = 0, bad = 0, first = 0;
  int firstr = 0;
  if (!buf) exit(1);
  for (; i < count; i++)
  {
    utls_skey key;
    int r;
    spit(file, buf, (*make)(buf, der, len, i), "wb");
    memset(&key, 0x5a, sizeof(key));
    r = utls_skey_readfile(&key, file);
    if (r != expected || key.type || !all_zero(&key, sizeof(key)))
    {
      if (!bad++) { first = i; firstr = r; }
    }
  }
  CHECK(!bad, "%s: %zu of %zu wrong, first at %zu: %d (%s)", what, bad, count, first, firstr, utls_error_str(firstr));
  free(buf);
}

/* Offset of the i-th element (tag octet) inside the outer SEQUENCE of der. */
static size_t element_at (unsigned char const *der, size_t len, size_t i)
{
  utls_der in = { .s = der, .len = len }, contents, v, whole;
  unsigned int tag;
  if (!utlsp_der_next(&in, &tag, &contents, 0)) exit(1);
  do
    if (!utlsp_der_next(&contents, &tag, &v, &whole)) exit(1);
  while (i--);
  return (size_t)(whole.s - der);
}

/*
 * BER, not DER: p's length in a non-minimal form (82 00 81 for 81 81).
 * Our walker cannot read it, BearSSL can: its verdict stands, and the
 * key loads with BearSSL's fields, as it did before our decoder.
 */
static void rsa_ber (char const *name, uint32_t bits)
{
  size_t len, at, n = 0;
  unsigned char *der = slurp(pkifile(name), &len);
  unsigned char *buf = malloc(len + 16);
  char const *file = tmpfile_path("ber.der");
  if (!buf) exit(1);
  at = element_at(der, len, 4);
  CHECK(der[at] == 0x02 && der[at + 1] == 0x81, "%s: p is not 02 81 LL", name);
  memcpy(buf, der + 4, at - 4);
  n = at - 4;
  buf[n++] = 0x02;
  buf[n++] = 0x82;
  buf[n++] = 0x00;
  buf[n++] = der[at + 2];
  memcpy(buf + n, der + at + 3, len - at - 3);
  n += len - at - 3;
  spit_seq(file, buf, n);
  rsa_same(file, bits);
  free(buf);
  free(der);
}

/* Damaged forms of a real PKCS#1 key. */
static void rsa_damaged (char const *name)
{
  size_t len, at;
  unsigned char *der = slurp(pkifile(name), &len);
  unsigned char *buf = malloc(len + 16);
  char const *file = tmpfile_path("damaged.der");
  if (!buf) exit(1);
  CHECK(der[0] == 0x30 && der[1] == 0x82 && der[4] == 0x02 && der[7] == 0x02, "%s is not a PKCS#1 DER key", name);
  fail_all("truncated", der, len, len, &make_prefix, UTLS_ERR_BADKEY);
  fail_all("cut inside", der, len, len - 4, &make_cut, UTLS_ERR_BADKEY);
  /* A trailing byte after the key, and an extra element inside it. */
  memcpy(buf, der, len);
  buf[len] = 0;
  spit(file, buf, len + 1, "wb");
  key_fail(file, UTLS_ERR_BADKEY);
  memcpy(buf, der + 4, len - 4);
  buf[len - 4] = 0x02;
  buf[len - 3] = 0x01;
  buf[len - 2] = 0x00;
  spit_seq(file, buf, len - 1);
  key_fail(file, UTLS_ERR_BADKEY);
  /* Version 1 (multi-prime), without the other primes. */
  memcpy(buf, der, len);
  buf[6] = 1;
  spit(file, buf, len, "wb");
  key_fail(file, UTLS_ERR_KEYTYPE);
  /* p: a bad tag, a negative value, a length that overruns its SEQUENCE. */
  at = element_at(der, len, 4);
  memcpy(buf, der, len);
  buf[at] = 0x04;
  spit(file, buf, len, "wb");
  key_fail(file, UTLS_ERR_BADKEY);
  memcpy(buf, der, len);
  CHECK(buf[at + 1] == 0x81 && buf[at + 3] == 0, "%s: p is not 00 and 128 bytes", name);
  buf[at + 3] = 0xff;
  spit(file, buf, len, "wb");
  key_fail(file, UTLS_ERR_BADKEY);
  memcpy(buf, der, len);
  buf[at + 1] = 0x84;
  spit(file, buf, len, "wb");
  key_fail(file, UTLS_ERR_BADKEY);
  free(buf);
  free(der);
}

/* Runs "OPENSSL_CONF=/dev/null openssl ARGS" with in and out (tmpfile_path and pkifile names do not survive 4 more calls). */
static void openssl (char const *args, char const *in, char const *out)
{
  char cmd[16384];
  snprintf(cmd, sizeof(cmd), "OPENSSL_CONF=/dev/null openssl %s -in '%s' -out '%s' 2>/dev/null", args, in, out);
  run(cmd);
}

static void test_rsa_keys (void)
{
  char cmd[8192];
  /* gen.sh's DER keys are PKCS#1 (OpenSSL 3 writes "traditional" DER); PKCS#8 DER is made here. */
  rsa_same(pkifile("rsa.key.der"), 2048);
  rsa_same(pkifile("rsa.pkcs1.key.der"), 2048);
  openssl("pkcs8 -topk8 -nocrypt -outform DER", pkifile("rsa.key"), tmpfile_path("rsa2048.p8.der"));
  openssl("pkcs8 -topk8 -nocrypt -outform DER", pkifile("ca.key"), tmpfile_path("ca.p8.der"));
  snprintf(cmd, sizeof(cmd), "OPENSSL_CONF=/dev/null openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -outform DER -out '%s' 2>/dev/null", tmpfile_path("rsa3072.p1.der"));
  run(cmd);
  snprintf(cmd, sizeof(cmd), "OPENSSL_CONF=/dev/null openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -outform DER -out '%s' 2>/dev/null", tmpfile_path("rsa4096.p1.der"));
  run(cmd);
  openssl("pkcs8 -topk8 -nocrypt -inform DER -outform DER", tmpfile_path("rsa3072.p1.der"), tmpfile_path("rsa3072.p8.der"));
  openssl("pkcs8 -topk8 -nocrypt -inform DER -outform DER", tmpfile_path("rsa4096.p1.der"), tmpfile_path("rsa4096.p8.der"));
  openssl("pkey -inform DER", tmpfile_path("rsa4096.p1.der"), tmpfile_path("rsa4096.pem"));
  rsa_same(tmpfile_path("rsa2048.p8.der"), 2048);
  rsa_same(tmpfile_path("ca.p8.der"), 2048);
  rsa_same(tmpfile_path("rsa3072.p1.der"), 3072);
  rsa_same(tmpfile_path("rsa3072.p8.der"), 3072);
  rsa_same(tmpfile_path("rsa4096.p1.der"), 4096);
  rsa_same(tmpfile_path("rsa4096.p8.der"), 4096);
  {
    utls_skey key = UTLS_SKEY_ZERO;
    CHECK(!utls_skey_readfile(&key, tmpfile_path("rsa4096.pem")) && key.key.rsa.n_bitlen == 4096, "RSA-4096 PEM");
    utls_skey_wipe(&key);
  }
  rsa_damaged("rsa.pkcs1.key.der");
  rsa_ber("rsa.pkcs1.key.der", 2048);
  /* The same cuts of a PKCS#8 key. */
  {
    size_t len;
    unsigned char *der = slurp(tmpfile_path("rsa2048.p8.der"), &len);
    CHECK(der[0] == 0x30 && der[1] == 0x82 && der[7] == 0x30, "rsa2048.p8.der is not PKCS#8");
    fail_all("PKCS#8 truncated", der, len, len, &make_prefix, UTLS_ERR_BADKEY);
    fail_all("PKCS#8 cut inside", der, len, len - 4, &make_cut, UTLS_ERR_BADKEY);
    free(der);
  }
  test_rsa_built();
}

/* ---- the end-entity key kept by utls_chain_readfile ---- */

static int same_pkey (br_x509_pkey const *a, br_x509_pkey const *b)
{
  if (a->key_type != b->key_type) return 0;
  if (a->key_type == BR_KEYTYPE_RSA)
    return a->key.rsa.nlen == b->key.rsa.nlen && !memcmp(a->key.rsa.n, b->key.rsa.n, a->key.rsa.nlen)
      && a->key.rsa.elen == b->key.rsa.elen && !memcmp(a->key.rsa.e, b->key.rsa.e, a->key.rsa.elen);
  return a->key_type == BR_KEYTYPE_EC && a->key.ec.curve == b->key.ec.curve && a->key.ec.qlen == b->key.ec.qlen
    && !memcmp(a->key.ec.q, b->key.ec.q, a->key.ec.qlen);
}

static void eekey_expect (char const *name)
{
  utls_chain chain = UTLS_CHAIN_ZERO;
  br_x509_decoder_context d;
  int r = utls_chain_readfile(&chain, pkifile(name));
  CHECK(!r, "chain %s: %d", name, r);
  if (!r)
  {
    unsigned char const *start = chain.certs[0].data;
    unsigned char const *end = start + chain.certs[0].data_len;
    br_x509_pkey const *pk = &chain.ee_key;
    unsigned char const *q = pk->key_type == BR_KEYTYPE_RSA ? pk->key.rsa.n : pk->key.ec.q;
    CHECK(!utlsp_load_x509(&d, chain.certs[0].data, chain.certs[0].data_len, 0, 0), "%s: BearSSL decode", name);
    CHECK(same_pkey(pk, br_x509_decoder_get_pkey(&d)), "%s: kept key differs from br_x509_decoder's", name);
    CHECK(q >= start && q < end, "%s: kept key outside certs[0]", name);
  }
  utls_chain_free(&chain);
  CHECK(!chain.ee_key.key_type, "%s: chain_free leaves the key", name);
}

/* der with its first occurrence of the bytes from replaced by to; exits if absent. */
static void patch (unsigned char *der, size_t len, unsigned char const *from, unsigned char const *to, size_t n)
{
  size_t i = 0;
  for (; i + n <= len; i++)
    if (!memcmp(der + i, from, n))
    {
      memcpy(der + i, to, n);
      return;
    }
  fprintf(stderr, "load: FAIL: test PKI changed: pattern not found\n");
  exit(1);
}

static void chain_key_expect (char const *chainfile, char const *keyname, int fits, int matches)
{
  utls_chain chain = UTLS_CHAIN_ZERO;
  utls_skey key = UTLS_SKEY_ZERO;
  CHECK(!utls_chain_readfile(&chain, chainfile) && !utls_skey_readfile(&key, pkifile(keyname)), "%s, %s", chainfile, keyname);
  CHECK(utls_skey_fits_chain(&key, &chain) == fits, "%s fits %s: %d", keyname, chainfile, utls_skey_fits_chain(&key, &chain));
  CHECK(utls_skey_matches_chain(&key, &chain) == matches, "%s matches %s: %d", keyname, chainfile, utls_skey_matches_chain(&key, &chain));
  utls_skey_wipe(&key);
  utls_chain_free(&chain);
}

static void test_chain_eekey (void)
{
  static unsigned char const critical_true[3] = { 0x01, 0x01, 0xff }, critical_one[3] = { 0x01, 0x01, 0x01 };
  static unsigned char const p384[5] = { 0x2b, 0x81, 0x04, 0x00, 0x22 }, k256[5] = { 0x2b, 0x81, 0x04, 0x00, 0x0a };
  size_t len;
  unsigned char *der;
  utls_x509_info info;
  br_x509_decoder_context d;
  utls_chain chain = UTLS_CHAIN_ZERO;
  eekey_expect("rsa.pem");
  eekey_expect("rsa.der");
  eekey_expect("ca.pem");
  eekey_expect("ec.pem");
  eekey_expect("ec.chain.pem");
  eekey_expect("ec384.chain.pem");
  eekey_expect("ec521.pem");
  eekey_expect("int.pem");

  /*
   * A critical flag of 01 is BER, not DER: utls_x509_parse refuses it,
   * br_x509_decoder takes it. The chain loads as before, without a kept
   * key, and the checks decode the certificate.
   */
  der = slurp(pkifile("ec.der"), &len);
  patch(der, len, critical_true, critical_one, 3);
  spit(tmpfile_path("ber.der"), der, len, "wb");
  CHECK(utls_x509_parse(&info, der, len) == UTLS_ERR_BADDER, "BER certificate: utls_x509_parse takes it");
  CHECK(!utlsp_load_x509(&d, der, len, 0, 0), "BER certificate: br_x509_decoder refuses it");
  CHECK(!utls_chain_readfile(&chain, tmpfile_path("ber.der")) && chain.ncerts == 1 && !chain.ee_key.key_type, "BER certificate: not loaded as before");
  utls_chain_free(&chain);
  chain_key_expect(tmpfile_path("ber.der"), "ec.key", 0, 0);
  chain_key_expect(tmpfile_path("ber.der"), "sni-a.key", 0, UTLS_ERR_KEYMISMATCH);
  chain_key_expect(tmpfile_path("ber.der"), "ec384.key", UTLS_ERR_KEYMISMATCH, UTLS_ERR_KEYMISMATCH);
  chain_key_expect(tmpfile_path("ber.der"), "rsa.key", UTLS_ERR_KEYMISMATCH, UTLS_ERR_KEYMISMATCH);
  free(der);

  /* A well-formed certificate on a curve BearSSL does not know (secp256k1): refused, by both. */
  der = slurp(pkifile("ec384.pem"), &len);
  {
    first_cert c = { .len = 0 };
    CHECK(!utlsp_load_certs(der, len, &first_cert_keep, &c) && c.len, "ec384.pem");
    patch(c.der, c.len, p384, k256, 5);
    spit(tmpfile_path("k256.der"), c.der, c.len, "wb");
    CHECK(!utls_x509_parse(&info, c.der, c.len), "secp256k1 certificate: utls_x509_parse refuses it");
    CHECK(utlsp_load_x509(&d, c.der, c.len, 0, 0) == UTLS_ERR_BADCERT, "secp256k1 certificate: br_x509_decoder takes it");
    chain_expect_tmp(tmpfile_path("k256.der"), UTLS_ERR_BADCERT);
  }
  free(der);
}

static void cleanup (void)
{
  char cmd[4200];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
  if (system(cmd)) fprintf(stderr, "load: warning: cannot remove %s\n", tmpdir);
}

int main (int argc, char const *const *argv)
{
  int r = unit_start(argc, argv);
  if (r) return r;
  test_pem_accepted();
  test_pem_rejected();
  test_pem_roundtrip();
  test_chain_forms();
  test_chain_errors();
  test_keys();
  test_rsa_keys();
  test_anchors_file();
  test_anchors_dir();
  test_anchors_for();
  test_chain_eekey();
  cleanup();
  return failures ? 1 : 0;
}
