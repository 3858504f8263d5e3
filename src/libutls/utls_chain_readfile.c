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
  br_x509_pkey ee_key;
};

/*
 * Is der a certificate we can send, and what is its public key?
 *
 * This used to be a br_x509_decoder run on every certificate (about
 * 30 us for EC, 70 us for RSA, paid on every connection since tlsd runs
 * once per connection). utls_x509_parse walks the same structure for a
 * fraction of that, and utlsp_load_spki applies the decoder's key rules
 * (RSA, or EC on P-256/384/521: nothing else is usable by BearSSL). The
 * chain is only sent; the peer verifies it, signatures included. So what
 * matters at load time is that each object is a certificate and that its
 * key type is one BearSSL can use, and both are still refused.
 *
 * utls_x509_parse is stricter than the decoder (DER lengths and
 * booleans, well-formed names, SAN and extensions, times with seconds
 * and no fraction), so a certificate it refuses goes to br_x509_decoder,
 * whose verdict is final: nothing that loaded before is refused now.
 * The key is not kept then (*pk stays empty) and the key checks decode
 * certs[0] again, a cost paid only in that rare case. The other way
 * round, what the decoder refuses and our walk lets through cannot hurt
 * a chain we only send: a malformed basicConstraints value, and a
 * signatureAlgorithm or signature BIT STRING with odd contents.
 */
static int chain_check (unsigned char const *der, size_t len, br_x509_pkey *pk)
{
  br_x509_decoder_context decoder;
  utls_x509_info info;
  memset(pk, 0, sizeof(br_x509_pkey));
  if (!utls_x509_parse(&info, der, len))
  {
    int r = utlsp_load_spki(pk, &info.spki);
    if (!r) return 0;
    if (r == UTLS_ERR_KEYTYPE) return UTLS_ERR_BADCERT;
  }
  return utlsp_load_x509(&decoder, der, len, 0, 0);
}

/* Keeps a checked copy; the end-entity key points into that copy. */
static int chain_add (void *ctx, unsigned char const *der, size_t len)
{
  chain_build *b = ctx;
  br_x509_pkey pk;
  unsigned char *copy;
  int r;
  if (b->n >= UTLS_CHAIN_MAX) return UTLS_ERR_TOOMANY;
  copy = malloc(len ? len : 1);
  if (!copy) return -1;
  memcpy(copy, der, len);
  r = chain_check(copy, len, &pk);
  if (r)
  {
    free(copy);
    return r;
  }
  if (!b->n) b->ee_key = pk;
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
 * certs[i].data (and ee_key, which points into certs[0].data) stays put
 * for the chain's lifetime.
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
      chain->ee_key = b.ee_key;
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
