/* ISC license. */

/*
 * benchpem.h: the few PEM/DER helpers the bench programs share.
 * Header-only (static functions), bench/ only: not part of libutls.
 */

#ifndef BENCHPEM_H
#define BENCHPEM_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bearssl.h>

typedef struct bench_der_s bench_der;
struct bench_der_s
{
  unsigned char *buf;
  size_t len;
  size_t cap;
  char name[128];
};

static inline void bench_der_append (void *ctx, void const *src, size_t len)
{
  bench_der *d = ctx;
  if (d->len + len > d->cap)
  {
    size_t ncap = (d->len + len) * 2 + 256;
    unsigned char *p = realloc(d->buf, ncap);
    if (!p) { perror("realloc"); exit(111); }
    d->buf = p;
    d->cap = ncap;
  }
  memcpy(d->buf + d->len, src, len);
  d->len += len;
}

/* Decodes the first PEM object of file into out. Returns 0 on success. */
static inline int bench_pem_first (char const *file, bench_der *out)
{
  br_pem_decoder_context pc;
  unsigned char chunk[4096];
  FILE *f = fopen(file, "rb");
  int inobj = 0;
  size_t n;
  memset(out, 0, sizeof *out);
  if (!f) return -1;
  br_pem_decoder_init(&pc);
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
  {
    size_t off = 0;
    while (off < n)
    {
      off += br_pem_decoder_push(&pc, chunk + off, n - off);
      switch (br_pem_decoder_event(&pc))
      {
        case BR_PEM_BEGIN_OBJ:
          snprintf(out->name, sizeof out->name, "%s", br_pem_decoder_name(&pc));
          br_pem_decoder_setdest(&pc, &bench_der_append, out);
          inobj = 1;
          break;
        case BR_PEM_END_OBJ:
          if (inobj) { fclose(f); return 0; }
          break;
        case BR_PEM_ERROR:
          fclose(f);
          return -1;
        default: break;
      }
    }
  }
  fclose(f);
  return -1;
}

/* Private key (PKCS#8, PKCS#1 or SEC1, PEM). Returns 0 on success. */
static inline int bench_load_skey (char const *file, br_skey_decoder_context *kd)
{
  bench_der d;
  if (bench_pem_first(file, &d)) return -1;
  br_skey_decoder_init(kd);
  br_skey_decoder_push(kd, d.buf, d.len);
  free(d.buf);
  return br_skey_decoder_last_error(kd) ? -1 : 0;
}

/* The public key of the first certificate of a PEM file. The key data
   is copied to fresh memory. Returns the key type, or 0 on failure. */
static inline int bench_load_cert_pkey (char const *file, br_x509_pkey *pk)
{
  br_x509_decoder_context xd;
  br_x509_pkey const *p;
  bench_der d;
  if (bench_pem_first(file, &d)) return 0;
  br_x509_decoder_init(&xd, 0, 0);
  br_x509_decoder_push(&xd, d.buf, d.len);
  free(d.buf);
  p = br_x509_decoder_get_pkey(&xd);
  if (!p) return 0;
  *pk = *p;
  if (p->key_type == BR_KEYTYPE_RSA)
  {
    unsigned char *n = malloc(p->key.rsa.nlen), *e = malloc(p->key.rsa.elen);
    if (!n || !e) return 0;
    memcpy(n, p->key.rsa.n, p->key.rsa.nlen);
    memcpy(e, p->key.rsa.e, p->key.rsa.elen);
    pk->key.rsa.n = n;
    pk->key.rsa.e = e;
  }
  else
  {
    unsigned char *q = malloc(p->key.ec.qlen);
    if (!q) return 0;
    memcpy(q, p->key.ec.q, p->key.ec.qlen);
    pk->key.ec.q = q;
  }
  return p->key_type;
}

#endif
