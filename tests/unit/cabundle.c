/* ISC license. */

/*
 * Unit test of utls_cabundle_readfile, utls_cabundle_select and
 * utls_cabundle_free: reading a CA file once and picking anchors from
 * memory must give what utls_anchors_readfile_for gives on the file,
 * for every file and every set of names: the same return code, the same
 * anchors in the same order. Also: the system bundle with the test CA as
 * its last block, and a file changed after it was read.
 * Usage: cabundle PKIDIR, where PKIDIR was made by tests/pki/gen.sh.
 */

#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bearssl.h>
#include <utls/utls.h>
#include "load-internal.h"

#define SYSTEM_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

static char const *pki;
static char tmpdir[] = "/tmp/utls-cabundle.XXXXXX";
static int failures = 0;

#define CHECK(cond, ...) do { if (!(cond)) fail(__LINE__, __VA_ARGS__); } while (0)

static void fail (int line, char const *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail (int line, char const *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "cabundle: FAIL: line %d: ", line);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  failures++;
}

static char const *path_in (char const *dir, char const *name)
{
  static char buf[4][4096];
  static unsigned int which = 0;
  char *s = buf[which++ & 3];
  snprintf(s, sizeof(buf[0]), "%s/%s", dir, name);
  return s;
}

static unsigned char *slurp (char const *file, size_t *len)
{
  FILE *f = fopen(file, "rb");
  unsigned char *buf;
  long n;
  if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
  {
    fprintf(stderr, "cabundle: FAIL: cannot read %s\n", file);
    exit(1);
  }
  buf = malloc((size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) exit(1);
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static void spit (char const *file, void const *s, size_t len, char const *mode)
{
  FILE *f = fopen(file, mode);
  if (!f || fwrite(s, 1, len, f) != len || fclose(f))
  {
    fprintf(stderr, "cabundle: FAIL: cannot write %s\n", file);
    exit(1);
  }
}

/* Appends the file src to the file dst. */
static void append_file (char const *dst, char const *src)
{
  size_t len;
  unsigned char *s = slurp(src, &len);
  spit(dst, s, len, "ab");
  free(s);
}

/* ---- subjects of the test PKI ---- */

typedef struct first_cert_s first_cert;
struct first_cert_s
{
  unsigned char der[4096];
  size_t len;
};

static int first_cert_keep (void *ctx, unsigned char const *der, size_t len)
{
  first_cert *c = ctx;
  if (c->len || len > sizeof(c->der)) return 0;
  memcpy(c->der, der, len);
  c->len = len;
  return 0;
}

static utls_der subject_of (char const *name, first_cert *buf)
{
  size_t len;
  unsigned char *s = slurp(path_in(pki, name), &len);
  utls_x509_info info;
  buf->len = 0;
  if (utlsp_load_certs(s, len, &first_cert_keep, buf) || !buf->len || utls_x509_parse(&info, buf->der, buf->len))
  {
    fprintf(stderr, "cabundle: FAIL: no subject in %s\n", name);
    exit(1);
  }
  free(s);
  return info.subject;
}

#define NSUBJECTS 7
static first_cert certbuf[NSUBJECTS];
static utls_der subjects[NSUBJECTS + 1];

static void subjects_init (void)
{
  static unsigned char const other[] = { 0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x04, 'n', 'o', 'n', 'e' };
  static char const *const names[NSUBJECTS] = { "ca.pem", "int.pem", "selfsigned.pem", "ed25519.pem", "rsa.pem", "rogue-ca.pem", "ec384.pem" };
  size_t i = 0;
  for (; i < NSUBJECTS; i++) subjects[i] = subject_of(names[i], certbuf + i);
  subjects[NSUBJECTS].s = other;
  subjects[NSUBJECTS].len = sizeof(other);
}

/* ---- comparison with utls_anchors_readfile_for ---- */

static int same_anchor (br_x509_trust_anchor const *a, br_x509_trust_anchor const *b)
{
  if (a->dn.len != b->dn.len || memcmp(a->dn.data, b->dn.data, a->dn.len)) return 0;
  if (a->flags != b->flags || a->pkey.key_type != b->pkey.key_type) return 0;
  if (a->pkey.key_type == BR_KEYTYPE_RSA)
    return a->pkey.key.rsa.nlen == b->pkey.key.rsa.nlen && !memcmp(a->pkey.key.rsa.n, b->pkey.key.rsa.n, a->pkey.key.rsa.nlen)
      && a->pkey.key.rsa.elen == b->pkey.key.rsa.elen && !memcmp(a->pkey.key.rsa.e, b->pkey.key.rsa.e, a->pkey.key.rsa.elen);
  return a->pkey.key.ec.curve == b->pkey.key.ec.curve && a->pkey.key.ec.qlen == b->pkey.key.ec.qlen
    && !memcmp(a->pkey.key.ec.q, b->pkey.key.ec.q, a->pkey.key.ec.qlen);
}

static int same_anchors (utls_anchors const *a, utls_anchors const *b)
{
  size_t i = 0;
  if (a->n != b->n) return 0;
  for (; i < a->n; i++) if (!same_anchor(a->tas + i, b->tas + i)) return 0;
  return 1;
}

static int bundle_empty (utls_cabundle const *b)
{
  return !b->data && !b->len && !b->certs && !b->n && !b->alloc;
}

/*
 * One name set against file and its bundle. Both start with one anchor
 * already there, which must survive a failure.
 */
static void compare_select (char const *file, utls_cabundle const *b, utls_der const *names, size_t nnames, char const *what)
{
  utls_anchors want = UTLS_ANCHORS_ZERO, got = UTLS_ANCHORS_ZERO;
  int rw, rg;
  if (utls_anchors_readfile(&want, path_in(pki, "int.pem")) || utls_anchors_readfile(&got, path_in(pki, "int.pem")))
  {
    fprintf(stderr, "cabundle: FAIL: cannot load int.pem\n");
    exit(1);
  }
  rw = utls_anchors_readfile_for(&want, file, names, nnames);
  rg = utls_cabundle_select(&got, b, names, nnames);
  CHECK(rw == rg, "%s, %s: select gave %d (%s), readfile_for %d (%s)", file, what, rg, utls_error_str(rg), rw, utls_error_str(rw));
  CHECK(same_anchors(&want, &got), "%s, %s: select gave %zu anchors, readfile_for %zu, or different ones", file, what, got.n, want.n);
  CHECK(got.n >= 1 && (rg ? got.n == 1 : 1), "%s, %s: select did not keep the anchors before it or roll back (n=%zu)", file, what, got.n);
  utls_anchors_free(&want);
  utls_anchors_free(&got);
}

/* file read both ways, then every single name, all names, and none. */
static void compare_file (char const *name)
{
  char file[4096];
  utls_cabundle b = UTLS_CABUNDLE_ZERO;
  utls_anchors none = UTLS_ANCHORS_ZERO;
  int e0, e1, r0, r1;
  size_t i = 0;
  snprintf(file, sizeof file, "%s", name);  /* path_in's buffers are reused */
  errno = 0;
  r0 = utls_anchors_readfile_for(&none, file, 0, 0);
  e0 = errno;
  errno = 0;
  r1 = utls_cabundle_readfile(&b, file);
  e1 = errno;
  CHECK(r0 == r1, "%s: readfile gave %d (%s), readfile_for without names %d (%s)", file, r1, utls_error_str(r1), r0, utls_error_str(r0));
  CHECK(r1 != -1 || e0 == e1, "%s: errno %d, wanted %d", file, e1, e0);
  CHECK(!none.n, "%s: readfile_for without names kept anchors", file);
  utls_anchors_free(&none);
  if (r1)
  {
    CHECK(bundle_empty(&b), "%s: bundle not empty after failure", file);
    return;
  }
  CHECK(b.n >= 1 && b.len >= b.n, "%s: empty bundle (n=%zu len=%zu)", file, b.n, b.len);
  for (; i <= NSUBJECTS; i++)
  {
    char what[32];
    snprintf(what, sizeof what, "name %zu", i);
    compare_select(file, &b, subjects + i, 1, what);
  }
  compare_select(file, &b, subjects, NSUBJECTS + 1, "all names");
  compare_select(file, &b, 0, 0, "no names");
  utls_cabundle_free(&b);
  CHECK(bundle_empty(&b), "%s: bundle not empty after free", file);
}

/*
 * rsa.der with its first SAN entry tagged as a universal INTEGER: our
 * walker refuses it, BearSSL's decoder (which skips that extension)
 * accepts it. Such a certificate is kept without a subject and judged
 * by BearSSL at select time.
 */
static void make_oddsan (void)
{
  static unsigned char const san_oid[5] = { 0x06, 0x03, 0x55, 0x1d, 0x11 };
  size_t len, i = 0;
  unsigned char *der = slurp(path_in(pki, "rsa.der"), &len);
  utls_x509_info info;
  for (; i + 12 < len; i++) if (!memcmp(der + i, san_oid, 5)) break;
  /* OID, [critical,] OCTET STRING 04 LL, SEQUENCE 30 LL, first name */
  i += 5;
  if (i + 8 < len && der[i] == 0x01) i += 3;
  if (i + 4 >= len || der[i] != 0x04 || der[i + 2] != 0x30 || (der[i + 4] & 0xc0) != 0x80)
  {
    fprintf(stderr, "cabundle: FAIL: no SAN found in rsa.der\n");
    exit(1);
  }
  der[i + 4] = 0x02;
  CHECK(utls_x509_parse(&info, der, len) == UTLS_ERR_BADDER, "oddsan.der: the walker reads it");
  spit(path_in(tmpdir, "oddsan.der"), der, len, "wb");
  free(der);
}

static void make_files (void)
{
  static char const badbody[] = "-----BEGIN CERTIFICATE-----\nMIIBAjCBqaADAgECAgEBMAoGCCqGSM49BAMCMAAwHhcNMjAwMTAxMDAwMDAwWhcN\n-----END CERTIFICATE-----\n";
  static char const badbase64[] = "-----BEGIN CERTIFICATE-----\nMII*@@@@!!!!\n-----END CERTIFICATE-----\n";
  static char const emptyobject[] = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";
  static char const *const parts[] = { "ed25519.pem", "ca.pem", "ec.chain.pem", "rsa.key", "selfsigned.pem", "ec384.chain.pem", "rsa.chain.pem" };
  size_t i = 0;
  spit(path_in(tmpdir, "badbody.pem"), badbody, sizeof(badbody) - 1, "wb");
  spit(path_in(tmpdir, "badbase64.pem"), badbase64, sizeof(badbase64) - 1, "wb");
  spit(path_in(tmpdir, "emptyobject.pem"), emptyobject, sizeof(emptyobject) - 1, "wb");
  spit(path_in(tmpdir, "empty.pem"), "", 0, "wb");
  /* text around the objects, a key among them */
  spit(path_in(tmpdir, "bundle.pem"), "bundle header\n", 14, "wb");
  for (; i < sizeof(parts) / sizeof(parts[0]); i++)
  {
    append_file(path_in(tmpdir, "bundle.pem"), path_in(pki, parts[i]));
    spit(path_in(tmpdir, "bundle.pem"), "# between\n", 10, "ab");
  }
  /* good certificates, then one that BearSSL refuses */
  spit(path_in(tmpdir, "goodbad.pem"), "", 0, "wb");
  append_file(path_in(tmpdir, "goodbad.pem"), path_in(pki, "ec.chain.pem"));
  append_file(path_in(tmpdir, "goodbad.pem"), path_in(tmpdir, "badbody.pem"));
  /* more certificates with one subject than an anchor set may hold */
  spit(path_in(tmpdir, "toomany.pem"), "", 0, "wb");
  for (i = 0; i < UTLS_ANCHORS_MAX + 1; i++) append_file(path_in(tmpdir, "toomany.pem"), path_in(pki, "int.pem"));
  make_oddsan();
}

/* The certificate only BearSSL can read is found by its subject. */
static void test_oddsan (void)
{
  utls_cabundle b = UTLS_CABUNDLE_ZERO;
  utls_anchors a = UTLS_ANCHORS_ZERO;
  int r = utls_cabundle_readfile(&b, path_in(tmpdir, "oddsan.der"));
  CHECK(!r && b.n == 1 && !b.certs[0].subject.s, "oddsan.der: %d (%s), n=%zu", r, utls_error_str(r), b.n);
  r = utls_cabundle_select(&a, &b, subjects + 4, 1);
  CHECK(!r && a.n == 1, "oddsan.der: not selected by its subject: %d n=%zu", r, a.n);
  utls_anchors_free(&a);
  r = utls_cabundle_select(&a, &b, subjects, 1);
  CHECK(!r && !a.n, "oddsan.der: selected by another subject: %d n=%zu", r, a.n);
  utls_anchors_free(&a);
  utls_cabundle_free(&b);
}

static void test_compare (void)
{
  static char const *const pkifiles[] = { "cafile.pem", "ca.pem", "int.pem", "rsa.der", "ec.der", "ec.chain.pem", "selfsigned.pem", "ed25519.pem", "garbage.key", "rsa.key", "none.pem", "cadir" };
  static char const *const tmpfiles[] = { "badbody.pem", "badbase64.pem", "emptyobject.pem", "empty.pem", "bundle.pem", "goodbad.pem", "toomany.pem", "oddsan.der" };
  size_t i = 0;
  for (; i < sizeof(pkifiles) / sizeof(pkifiles[0]); i++) compare_file(path_in(pki, pkifiles[i]));
  for (i = 0; i < sizeof(tmpfiles) / sizeof(tmpfiles[0]); i++) compare_file(path_in(tmpdir, tmpfiles[i]));
  if (!access(SYSTEM_BUNDLE, R_OK)) compare_file(SYSTEM_BUNDLE);
}

/* The system bundle with the test CA appended: the last block is found. */
static void test_system_bundle (void)
{
  char const *file = path_in(tmpdir, "system+ca.pem");
  utls_cabundle b = UTLS_CABUNDLE_ZERO;
  utls_anchors a = UTLS_ANCHORS_ZERO, ca = UTLS_ANCHORS_ZERO;
  int r;
  if (access(SYSTEM_BUNDLE, R_OK)) return;
  spit(file, "", 0, "wb");
  append_file(file, SYSTEM_BUNDLE);
  append_file(file, path_in(pki, "ca.pem"));
  r = utls_cabundle_readfile(&b, file);
  CHECK(!r && b.n >= 50, "system bundle + CA: %d (%s), n=%zu", r, utls_error_str(r), b.n);
  r = utls_cabundle_select(&a, &b, subjects, 1);
  CHECK(!r && a.n == 1, "system bundle + CA: select: %d (%s), n=%zu", r, utls_error_str(r), a.n);
  CHECK(!utls_anchors_readfile(&ca, path_in(pki, "ca.pem")) && ca.n == 1, "ca.pem");
  CHECK(same_anchors(&a, &ca), "system bundle + CA: not the test CA's anchor");
  utls_anchors_free(&a);
  r = utls_cabundle_select(&a, &b, subjects + 5, 1);
  CHECK(!r && !a.n, "system bundle + CA: the rogue CA was found: %d n=%zu", r, a.n);
  utls_anchors_free(&a);
  utls_anchors_free(&ca);
  utls_cabundle_free(&b);
  compare_file(file);
}

/* Once read, the bundle does not depend on the file any more. */
static void test_file_changed (void)
{
  char const *file = path_in(tmpdir, "changing.pem");
  utls_cabundle b = UTLS_CABUNDLE_ZERO;
  utls_anchors a = UTLS_ANCHORS_ZERO;
  int r;
  spit(file, "", 0, "wb");
  append_file(file, path_in(pki, "ca.pem"));
  CHECK(!utls_cabundle_readfile(&b, file) && b.n == 1, "changing.pem");
  spit(file, "", 0, "wb");
  append_file(file, path_in(pki, "garbage.key"));
  r = utls_cabundle_select(&a, &b, subjects, 1);
  CHECK(!r && a.n == 1, "file replaced by garbage: %d (%s), n=%zu", r, utls_error_str(r), a.n);
  utls_anchors_free(&a);
  unlink(file);
  r = utls_cabundle_select(&a, &b, subjects, 1);
  CHECK(!r && a.n == 1, "file removed: %d (%s), n=%zu", r, utls_error_str(r), a.n);
  utls_anchors_free(&a);
  utls_cabundle_free(&b);
  /* an empty bundle selects nothing, without error */
  r = utls_cabundle_select(&a, &b, subjects, 1);
  CHECK(!r && !a.n, "freed bundle: %d n=%zu", r, a.n);
  utls_cabundle_free(&b);
}

static void cleanup (void)
{
  static char const *const names[] = { "badbody.pem", "badbase64.pem", "emptyobject.pem", "empty.pem", "bundle.pem", "goodbad.pem", "toomany.pem", "system+ca.pem", "changing.pem", "oddsan.der" };
  size_t i = 0;
  for (; i < sizeof(names) / sizeof(names[0]); i++) unlink(path_in(tmpdir, names[i]));
  rmdir(tmpdir);
}

int main (int argc, char const *const *argv)
{
  if (argc < 2)
  {
    fprintf(stderr, "cabundle: usage: cabundle pkidir\n");
    return 99;
  }
  pki = argv[1];
  if (access(path_in(pki, ".done"), F_OK))
  {
    fprintf(stderr, "cabundle: FAIL: %s was not made by tests/pki/gen.sh\n", pki);
    return 99;
  }
  if (!mkdtemp(tmpdir))
  {
    perror("cabundle: mkdtemp");
    return 99;
  }
  subjects_init();
  make_files();
  test_compare();
  test_oddsan();
  test_system_bundle();
  test_file_changed();
  cleanup();
  return failures ? 1 : 0;
}
