/* ISC license. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bearssl.h>
#include <utls/utls.h>
#include "load-internal.h"

typedef struct bundle_fill_s bundle_fill;
struct bundle_fill_s
{
  utls_cabundle *bundle;
  size_t cap;                   /* of bundle->data */
};

static int certs_grow (utls_cabundle *bundle)
{
  size_t alloc;
  utls_cabundle_cert *certs;
  if (bundle->n < bundle->alloc) return 0;
  alloc = bundle->alloc ? bundle->alloc * 2 : 64;
  certs = realloc(bundle->certs, alloc * sizeof(utls_cabundle_cert));
  if (!certs) return -1;
  bundle->certs = certs;
  bundle->alloc = alloc;
  return 0;
}

/*
 * Keeps a copy of the certificate and, if our DER walker can read it, its
 * subject. One the walker cannot read must pass BearSSL's decoder (or
 * have a key type BearSSL does not support), as in utlsp_load_anchors
 * without names. The data buffer is as large as the file, which the
 * decoded certificates never exceed, so it never moves.
 */
static int bundle_cert (void *ctx, unsigned char const *der, size_t len)
{
  bundle_fill *f = ctx;
  utls_cabundle *bundle = f->bundle;
  utls_cabundle_cert *c;
  utls_x509_info info;
  int r;
  if (len > f->cap - bundle->len) return UTLS_ERR_TOOBIG;
  r = certs_grow(bundle);
  if (r) return r;
  c = bundle->certs + bundle->n;
  c->der.s = bundle->data + bundle->len;
  c->der.len = len;
  memcpy(bundle->data + bundle->len, der, len);
  bundle->len += len;
  c->subject.s = 0;
  c->subject.len = 0;
  if (!utls_x509_parse(&info, c->der.s, len)) c->subject = info.subject;
  else
  {
    br_x509_decoder_context decoder;
    if (utlsp_load_x509(&decoder, der, len, 0, 0) && br_x509_decoder_last_error(&decoder) != BR_ERR_X509_UNSUPPORTED)
      return UTLS_ERR_BADCERT;
  }
  bundle->n++;
  return 0;
}

int utls_cabundle_readfile (utls_cabundle *bundle, char const *file)
{
  bundle_fill f = { .bundle = bundle, .cap = 0 };
  unsigned char *text;
  size_t len;
  int r = utlsp_load_file(file, UTLSP_ANCHORFILE_MAX, &text, &len);
  if (r) return r;
  f.cap = len;
  bundle->data = malloc(len + 1);
  if (!bundle->data)
  {
    utlsp_load_release(text, len);
    errno = ENOMEM;
    return -1;
  }
  r = utlsp_load_certs(text, len, &bundle_cert, &f);
  utlsp_load_release(text, len);
  if (r)
  {
    int e = errno;
    utls_cabundle_free(bundle);
    errno = e;
  }
  return r;
}
