/* ISC license. */

#include <string.h>
#include <utls/utls.h>
#include "load-internal.h"

typedef struct cert_walk_s cert_walk;
struct cert_walk_s
{
  utlsp_cert_cb *cb;
  void *ctx;
  size_t count;
};

static int cert_object (void *ctx, char const *name, unsigned char const *der, size_t len)
{
  cert_walk *w = ctx;
  if (strcmp(name, "CERTIFICATE") && strcmp(name, "X509 CERTIFICATE")) return 0;
  w->count++;
  return (*w->cb)(w->ctx, der, len);
}

/* 1 if the buffer is exactly one DER SEQUENCE (definite length, at most 4 length bytes). */
static int is_der_sequence (unsigned char const *data, size_t len)
{
  size_t contentlen = 0;
  size_t header = 2;
  if (len < 2 || data[0] != 0x30) return 0;
  if (data[1] < 0x80) contentlen = data[1];
  else
  {
    size_t nbytes = data[1] & 0x7f;
    size_t i = 0;
    if (!nbytes || nbytes > 4 || len < 2 + nbytes) return 0;
    for (; i < nbytes; i++) contentlen = (contentlen << 8) | data[2 + i];
    header += nbytes;
  }
  return contentlen == len - header;
}

int utlsp_load_certs (unsigned char const *data, size_t len, utlsp_cert_cb *cb, void *ctx)
{
  if (utlsp_load_ispem(data, len))
  {
    cert_walk w = { .cb = cb, .ctx = ctx, .count = 0 };
    int r = utlsp_load_pem(data, len, &cert_object, &w);
    if (r) return r;
    return w.count ? 0 : UTLS_ERR_NOCERT;
  }
  if (!is_der_sequence(data, len)) return UTLS_ERR_NOCERT;
  return (*cb)(ctx, data, len);
}
