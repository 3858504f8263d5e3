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

#define UNIT_NAME "cabundle"
#include "unit-files.h"

/* Appends the file src to the file dst. */
static void append_file (char const *dst, char const *src)
{
  size_t len;
  unsigned char *s = slurp(src, &len);
  spit(dst, s, len, "ab");
  free(s);
}

/* ---- subjects of the test PKI ---- */


#define NSUBJECTS 7
static first_cert certbuf[NSUBJECTS];
static utls_der subjects[NSUBJECTS + 1];

static void subjects_init (void)
{
  static unsigned char const other[] = { 0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x04, 'n', 'o', 'n', 'e' };
  static char const *const names[NSUBJECTS] = { "ca.pem", "int.pem", "selfsigned.pem", "ed25519.pem", "rsa.pem", "rogue-ca.pem", "ec384.pem" };
  size_t i = 0;
  for (; i < NSUBJECTS; i++) subjects[i] = subject_of(pki, names[i], certbuf + i);
  subjects[NSUBJECTS].s = other;
  subjects[NSUBJECTS].len = sizeof(other);
}

/* ---- comparison with utls_anchors_readfile_for ---- */


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
  if (utls_anchors_readfile(&want, path_in(0, pki, "int.pem")) || utls_anchors_readfile(&got, path_in(0, pki, "int.pem")))
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
  unsigned char *der = slurp(path_in(0, pki, "rsa.der"), &len);
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
  spit(path_in(1, tmpdir, "oddsan.der"), der, len, "wb");
  free(der);
}

static void make_files (void)
{
  static char const badbody[] = "-----BEGIN CERTIFICATE-----\nMIIBAjCBqaADAgECAgEBMAoGCCqGSM49BAMCMAAwHhcNMjAwMTAxMDAwMDAwWhcN\n-----END CERTIFICATE-----\n";
  static char const badbase64[] = "-----BEGIN CERTIFICATE-----\nMII*@@@@!!!!\n-----END CERTIFICATE-----\n";
  static char const emptyobject[] = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";
  static char const *const parts[] = { "ed25519.pem", "ca.pem", "ec.chain.pem", "rsa.key", "selfsigned.pem", "ec384.chain.pem", "rsa.chain.pem" };
  size_t i = 0;
  spit(path_in(1, tmpdir, "badbody.pem"), badbody, sizeof(badbody) - 1, "wb");
  spit(path_in(1, tmpdir, "badbase64.pem"), badbase64, sizeof(badbase64) - 1, "wb");
  spit(path_in(1, tmpdir, "emptyobject.pem"), emptyobject, sizeof(emptyobject) - 1, "wb");
  spit(path_in(1, tmpdir, "empty.pem"), "", 0, "wb");
  /* text around the objects, a key among them */
  spit(path_in(1, tmpdir, "bundle.pem"), "bundle header\n", 14, "wb");
  for (; i < sizeof(parts) / sizeof(parts[0]); i++)
  {
    append_file(path_in(1, tmpdir, "bundle.pem"), path_in(0, pki, parts[i]));
    spit(path_in(1, tmpdir, "bundle.pem"), "# between\n", 10, "ab");
  }
  /* good certificates, then one that BearSSL refuses */
  spit(path_in(1, tmpdir, "goodbad.pem"), "", 0, "wb");
  append_file(path_in(1, tmpdir, "goodbad.pem"), path_in(0, pki, "ec.chain.pem"));
  append_file(path_in(1, tmpdir, "goodbad.pem"), path_in(1, tmpdir, "badbody.pem"));
  /* more certificates with one subject than an anchor set may hold */
  spit(path_in(1, tmpdir, "toomany.pem"), "", 0, "wb");
  for (i = 0; i < UTLS_ANCHORS_MAX + 1; i++) append_file(path_in(1, tmpdir, "toomany.pem"), path_in(0, pki, "int.pem"));
  make_oddsan();
}

/* The certificate only BearSSL can read is found by its subject. */
static void test_oddsan (void)
{
  utls_cabundle b = UTLS_CABUNDLE_ZERO;
  utls_anchors a = UTLS_ANCHORS_ZERO;
  int r = utls_cabundle_readfile(&b, path_in(1, tmpdir, "oddsan.der"));
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
  for (; i < sizeof(pkifiles) / sizeof(pkifiles[0]); i++) compare_file(path_in(0, pki, pkifiles[i]));
  for (i = 0; i < sizeof(tmpfiles) / sizeof(tmpfiles[0]); i++) compare_file(path_in(1, tmpdir, tmpfiles[i]));
  if (!access(SYSTEM_BUNDLE, R_OK)) compare_file(SYSTEM_BUNDLE);
}

/* The system bundle with the test CA appended: the last block is found. */
static void test_system_bundle (void)
{
  char const *file = path_in(1, tmpdir, "system+ca.pem");
  utls_cabundle b = UTLS_CABUNDLE_ZERO;
  utls_anchors a = UTLS_ANCHORS_ZERO, ca = UTLS_ANCHORS_ZERO;
  int r;
  if (access(SYSTEM_BUNDLE, R_OK)) return;
  spit(file, "", 0, "wb");
  append_file(file, SYSTEM_BUNDLE);
  append_file(file, path_in(0, pki, "ca.pem"));
  r = utls_cabundle_readfile(&b, file);
  CHECK(!r && b.n >= 50, "system bundle + CA: %d (%s), n=%zu", r, utls_error_str(r), b.n);
  r = utls_cabundle_select(&a, &b, subjects, 1);
  CHECK(!r && a.n == 1, "system bundle + CA: select: %d (%s), n=%zu", r, utls_error_str(r), a.n);
  CHECK(!utls_anchors_readfile(&ca, path_in(0, pki, "ca.pem")) && ca.n == 1, "ca.pem");
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
  char const *file = path_in(1, tmpdir, "changing.pem");
  utls_cabundle b = UTLS_CABUNDLE_ZERO;
  utls_anchors a = UTLS_ANCHORS_ZERO;
  int r;
  spit(file, "", 0, "wb");
  append_file(file, path_in(0, pki, "ca.pem"));
  CHECK(!utls_cabundle_readfile(&b, file) && b.n == 1, "changing.pem");
  spit(file, "", 0, "wb");
  append_file(file, path_in(0, pki, "garbage.key"));
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
  for (; i < sizeof(names) / sizeof(names[0]); i++) unlink(path_in(1, tmpdir, names[i]));
  rmdir(tmpdir);
}

int main (int argc, char const *const *argv)
{
  int r = unit_start(argc, argv);
  if (r) return r;
  subjects_init();
  make_files();
  test_compare();
  test_oddsan();
  test_system_bundle();
  test_file_changed();
  cleanup();
  return failures ? 1 : 0;
}
