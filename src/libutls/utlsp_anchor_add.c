/* ISC license. */

#include <stdlib.h>
#include <string.h>
#include <bearssl.h>
#include <utls/utls.h>
#include "load-internal.h"

typedef struct dn_sink_s dn_sink;
struct dn_sink_s
{
  unsigned char *buf;
  size_t len;
  size_t cap;
  int overflow;
};

static void dn_append (void *ctx, void const *src, size_t n)
{
  dn_sink *d = ctx;
  if (n > d->cap - d->len)
  {
    d->overflow = 1;
    return;
  }
  memcpy(d->buf + d->len, src, n);
  d->len += n;
}

static int anchors_grow (utls_anchors *anchors)
{
  size_t alloc;
  br_x509_trust_anchor *tas;
  if (anchors->n < anchors->alloc) return 0;
  if (anchors->n >= UTLS_ANCHORS_MAX) return UTLS_ERR_TOOMANY;
  alloc = anchors->alloc ? anchors->alloc * 2 : 16;
  if (alloc > UTLS_ANCHORS_MAX) alloc = UTLS_ANCHORS_MAX;
  tas = realloc(anchors->tas, alloc * sizeof(br_x509_trust_anchor));
  if (!tas) return -1;
  anchors->tas = tas;
  anchors->alloc = alloc;
  return 0;
}

/*
 * One allocation per anchor, starting with the DN, followed by the key
 * bytes: utls_anchors_free only frees dn.data.
 */
static int anchor_fill (br_x509_trust_anchor *ta, dn_sink const *dn, br_x509_pkey const *pk, unsigned int flags)
{
  size_t keylen = pk->key_type == BR_KEYTYPE_RSA ? pk->key.rsa.nlen + pk->key.rsa.elen : pk->key.ec.qlen;
  unsigned char *block = malloc(dn->len + keylen + 1);
  if (!block) return -1;
  memcpy(block, dn->buf, dn->len);
  ta->dn.data = block;
  ta->dn.len = dn->len;
  ta->flags = flags;
  ta->pkey.key_type = pk->key_type;
  block += dn->len;
  if (pk->key_type == BR_KEYTYPE_RSA)
  {
    memcpy(block, pk->key.rsa.n, pk->key.rsa.nlen);
    memcpy(block + pk->key.rsa.nlen, pk->key.rsa.e, pk->key.rsa.elen);
    ta->pkey.key.rsa.n = block;
    ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
    ta->pkey.key.rsa.e = block + pk->key.rsa.nlen;
    ta->pkey.key.rsa.elen = pk->key.rsa.elen;
  }
  else
  {
    memcpy(block, pk->key.ec.q, pk->key.ec.qlen);
    ta->pkey.key.ec.curve = pk->key.ec.curve;
    ta->pkey.key.ec.q = block;
    ta->pkey.key.ec.qlen = pk->key.ec.qlen;
  }
  return 0;
}

/*
 * Decodes the certificate with BearSSL and adds it if the filter wants
 * its subject DN. A certificate whose key BearSSL does not support
 * (Ed25519, secp256k1, ...) is skipped rather than fatal: one such root
 * in a system bundle must not make the whole bundle unusable. The
 * subject DN can't be longer than the certificate that holds it.
 */
int utlsp_anchor_add (utls_anchors *anchors, unsigned char const *der, size_t len, utlsp_anchor_filter const *filter)
{
  br_x509_decoder_context decoder;
  dn_sink dn = { .buf = malloc(len + 1), .len = 0, .cap = len, .overflow = 0 };
  int r;
  if (!dn.buf) return -1;
  r = utlsp_load_x509(&decoder, der, len, &dn_append, &dn);
  if (r && br_x509_decoder_last_error(&decoder) == BR_ERR_X509_UNSUPPORTED) r = 0;
  else
  {
    if (!r && dn.overflow) r = UTLS_ERR_BADCERT;
    if (!r && utlsp_anchor_wanted(filter, dn.buf, dn.len))
    {
      r = anchors_grow(anchors);
      if (!r) r = anchor_fill(anchors->tas + anchors->n, &dn, br_x509_decoder_get_pkey(&decoder), br_x509_decoder_isCA(&decoder) ? BR_X509_TA_CA : 0);
      if (!r) anchors->n++;
    }
  }
  free(dn.buf);
  return r;
}
