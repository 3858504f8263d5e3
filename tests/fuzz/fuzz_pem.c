/* ISC license. */

/*
 * The PEM/DER loading path, on a buffer: utlsp_load_ispem,
 * utlsp_load_pem (every object), utlsp_load_certs, and on each
 * certificate found BearSSL's decoder (utlsp_load_x509) and our own
 * utls_x509_parse.
 */

#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <bearssl.h>
#include <utls/utls.h>
#include "load-internal.h"
#include "fuzz-common.h"

typedef struct walk_s walk;
struct walk_s
{
  unsigned char const *data;
  size_t size;
  unsigned int n;
};

static int pem_object (void *ctx, char const *name, unsigned char const *der, size_t len)
{
  walk *w = ctx;
  size_t nlen = strlen(name);
  FUZZ_ASSERT(nlen <= 127);
  /* decoded bytes never outnumber 3/4 of the text */
  FUZZ_ASSERT(len <= w->size / 4 * 3 + 3);
  if (len) FUZZ_ASSERT(der[0] == der[0]);     /* touch the bytes */
  if (len) FUZZ_ASSERT(der[len - 1] == der[len - 1]);
  w->n++;
  return w->n > 64;             /* the callback may stop the walk */
}

static int cert_object (void *ctx, unsigned char const *der, size_t len)
{
  walk *w = ctx;
  br_x509_decoder_context decoder;
  utls_x509_info info;
  (void)utlsp_load_x509(&decoder, der, len, 0, 0);
  if (!utls_x509_parse(&info, der, len))
  {
    FUZZ_ASSERT(info.subject.s >= der && info.subject.s + info.subject.len <= der + len);
    FUZZ_ASSERT(info.issuer.s >= der && info.issuer.s + info.issuer.len <= der + len);
  }
  w->n++;
  return 0;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  walk w = { .data = data, .size = size, .n = 0 };
  (void)utlsp_load_ispem(data, size);
  (void)utlsp_load_pem(data, size, &pem_object, &w);
  w.n = 0;
  (void)utlsp_load_certs(data, size, &cert_object, &w);
  return 0;
}
