/* ISC license. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bearssl.h>
#include <utls/utls.h>
#include "load-internal.h"

typedef struct chain_build_s chain_build;
struct chain_build_s
{
  br_x509_certificate certs[UTLS_CHAIN_MAX];
  size_t n;
};

/* Checks that BearSSL can decode the certificate, then keeps a copy. */
static int chain_add (void *ctx, unsigned char const *der, size_t len)
{
  chain_build *b = ctx;
  br_x509_decoder_context decoder;
  unsigned char *copy;
  int r;
  if (b->n >= UTLS_CHAIN_MAX) return UTLS_ERR_TOOMANY;
  r = utlsp_load_x509(&decoder, der, len, 0, 0);
  if (r) return r;
  copy = malloc(len);
  if (!copy) return -1;
  memcpy(copy, der, len);
  b->certs[b->n].data = copy;
  b->certs[b->n].data_len = len;
  b->n++;
  return 0;
}

static void chain_build_free (chain_build *b)
{
  size_t i = 0;
  for (; i < b->n; i++) free(b->certs[i].data);
  b->n = 0;
}

/*
 * The new chain replaces the old one only on success; on failure,
 * *chain is left as it was. Each certificate has its own allocation, so
 * certs[i].data stays put for the chain's lifetime.
 */
int utls_chain_readfile (utls_chain *chain, char const *file)
{
  chain_build b = { .n = 0 };
  unsigned char *data;
  size_t len;
  int r = utlsp_load_file(file, UTLS_CERTFILE_MAX, &data, &len);
  if (r) return r;
  r = utlsp_load_certs(data, len, &chain_add, &b);
  utlsp_load_release(data, len);
  if (!r)
  {
    br_x509_certificate *certs = malloc(b.n * sizeof(br_x509_certificate));
    if (!certs)
    {
      errno = ENOMEM;
      r = -1;
    }
    else
    {
      memcpy(certs, b.certs, b.n * sizeof(br_x509_certificate));
      utls_chain_free(chain);
      chain->certs = certs;
      chain->ncerts = b.n;
      return 0;
    }
  }
  {
    int e = errno;
    chain_build_free(&b);
    errno = e;
  }
  return r;
}
