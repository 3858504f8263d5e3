/* ISC license. */

/*
 * Shared by the unit tests of the file loaders (load.c, cabundle.c), on
 * top of unit.h (CHECK and the failure count): paths, and whole-file
 * reads and writes. The file that includes it defines UNIT_NAME (its
 * name, for messages) and includes <stdio.h>, <stdlib.h>, <string.h>,
 * <utls/utls.h>, <unistd.h> and "load-internal.h" first. A harness
 * error (a file that cannot be read or written) exits 1 at once.
 */

#ifndef UTLS_UNIT_FILES_H
#define UTLS_UNIT_FILES_H

#include "unit.h"

static char const *pki;                                /* the PKI directory */
static char tmpdir[] = "/tmp/utls-" UNIT_NAME ".XXXXXX"; /* made by unit_start */

/* dir/name, in one of four rotating static buffers of set 0 or 1: a
   caller may hold a path of one set across many calls of the other
   (a temporary directory while PKI files are copied into it). */
static char const *path_in (unsigned int set, char const *dir, char const *name)
{
  static char buf[2][4][4096];
  static unsigned int which[2] = { 0, 0 };
  char *s = buf[set & 1][which[set & 1]++ & 3];
  snprintf(s, sizeof(buf[0][0]), "%s/%s", dir, name);
  return s;
}

/* Whole file into a malloc'ed buffer. */
static unsigned char *slurp (char const *file, size_t *len)
{
  FILE *f = fopen(file, "rb");
  unsigned char *buf;
  long n;
  if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
  {
    fprintf(stderr, UNIT_NAME ": FAIL: cannot read %s\n", file);
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
    fprintf(stderr, UNIT_NAME ": FAIL: cannot write %s\n", file);
    exit(1);
  }
}

/* The first certificate of a PKI file, kept whole (even one BearSSL
   cannot decode), and its subject Name. */
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

/* Subject of the first certificate of pkidir/name, pointing into *buf. */
static utls_der subject_of (char const *pkidir, char const *name, first_cert *buf)
{
  size_t len;
  unsigned char *s = slurp(path_in(0, pkidir, name), &len);
  utls_x509_info info;
  buf->len = 0;
  if (utlsp_load_certs(s, len, &first_cert_keep, buf) || !buf->len || utls_x509_parse(&info, buf->der, buf->len))
  {
    fprintf(stderr, UNIT_NAME ": FAIL: no subject in %s\n", name);
    exit(1);
  }
  free(s);
  return info.subject;
}

/* Same DN, flags and public key. */
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

/* argv[1] is a PKI made by tests/pki/gen.sh: pki set, tmpdir made.
   0, or 99 (harness error) after a message. */
static int unit_start (int argc, char const *const *argv)
{
  if (argc < 2)
  {
    fprintf(stderr, UNIT_NAME ": usage: " UNIT_NAME " pkidir\n");
    return 99;
  }
  pki = argv[1];
  if (access(path_in(0, pki, ".done"), F_OK))
  {
    fprintf(stderr, UNIT_NAME ": FAIL: %s was not made by tests/pki/gen.sh\n", pki);
    return 99;
  }
  if (!mkdtemp(tmpdir))
  {
    perror(UNIT_NAME ": mkdtemp");
    return 99;
  }
  return 0;
}

#endif
