/* ISC license. */

#include <string.h>
#include <bearssl.h>
#include <skalibs/bytestr.h>
#include <utls/utls.h>
#include "load-internal.h"

typedef struct key_walk_s key_walk;
struct key_walk_s
{
  utls_skey *key;
  int found;
  int result;
};

/* Appends one key element to key->data; 0 if it does not fit. */
static unsigned char *key_put (utls_skey *key, size_t *used, unsigned char const *s, size_t len)
{
  unsigned char *where = key->data + *used;
  if (len > sizeof(key->data) - *used) return 0;
  memcpy(where, s, len);
  *used += len;
  return where;
}

static int key_copy_rsa (utls_skey *key, br_rsa_private_key const *sk)
{
  br_rsa_private_key *dst = &key->key.rsa;
  size_t used = 0;
  if (sk->n_bitlen > 4096) return UTLS_ERR_KEYTYPE;
  dst->n_bitlen = sk->n_bitlen;
  dst->p = key_put(key, &used, sk->p, sk->plen);
  dst->q = key_put(key, &used, sk->q, sk->qlen);
  dst->dp = key_put(key, &used, sk->dp, sk->dplen);
  dst->dq = key_put(key, &used, sk->dq, sk->dqlen);
  dst->iq = key_put(key, &used, sk->iq, sk->iqlen);
  if (!dst->p || !dst->q || !dst->dp || !dst->dq || !dst->iq) return UTLS_ERR_KEYTYPE;
  dst->plen = sk->plen;
  dst->qlen = sk->qlen;
  dst->dplen = sk->dplen;
  dst->dqlen = sk->dqlen;
  dst->iqlen = sk->iqlen;
  key->type = BR_KEYTYPE_RSA;
  return 0;
}

static int key_copy_ec (utls_skey *key, br_ec_private_key const *sk)
{
  size_t used = 0;
  if (sk->curve != BR_EC_secp256r1 && sk->curve != BR_EC_secp384r1 && sk->curve != BR_EC_secp521r1)
    return UTLS_ERR_KEYTYPE;
  key->key.ec.curve = sk->curve;
  key->key.ec.x = key_put(key, &used, sk->x, sk->xlen);
  if (!key->key.ec.x) return UTLS_ERR_KEYTYPE;
  key->key.ec.xlen = sk->xlen;
  key->type = BR_KEYTYPE_EC;
  return 0;
}

/* Decodes a DER key (PKCS#1, SEC1 or PKCS#8) into key; the decoder is wiped. */
static int key_decode (utls_skey *key, unsigned char const *der, size_t len)
{
  br_skey_decoder_context decoder;
  int r = UTLS_ERR_BADKEY;
  br_skey_decoder_init(&decoder);
  br_skey_decoder_push(&decoder, der, len);
  if (br_skey_decoder_last_error(&decoder) == BR_ERR_X509_UNSUPPORTED)
    r = UTLS_ERR_KEYTYPE;  /* an algorithm or curve OID that BearSSL does not know */
  else if (!br_skey_decoder_last_error(&decoder))
  {
    switch (br_skey_decoder_key_type(&decoder))
    {
      case BR_KEYTYPE_RSA: r = key_copy_rsa(key, br_skey_decoder_get_rsa(&decoder)); break;
      case BR_KEYTYPE_EC: r = key_copy_ec(key, br_skey_decoder_get_ec(&decoder)); break;
      default: r = UTLS_ERR_KEYTYPE; break;
    }
  }
  byte_zzero((char *)&decoder, sizeof(decoder));
  if (r) utls_skey_wipe(key);
  return r;
}

/* The first private key object of a PEM file is used; others are ignored. */
static int key_object (void *ctx, char const *name, unsigned char const *der, size_t len)
{
  key_walk *w = ctx;
  if (w->found) return 0;
  if (strcmp(name, "RSA PRIVATE KEY") && strcmp(name, "EC PRIVATE KEY") && strcmp(name, "PRIVATE KEY"))
    return 0;
  w->found = 1;
  w->result = key_decode(w->key, der, len);
  return 0;
}

/*
 * On success the key lives in key->data, and key->key points into it:
 * the struct must not be copied or moved afterwards. On failure, *key is
 * wiped. The file contents are wiped in every case.
 */
int utls_skey_readfile (utls_skey *key, char const *file)
{
  unsigned char *data;
  size_t len;
  int r;
  utls_skey_wipe(key);
  r = utlsp_load_file(file, UTLS_KEYFILE_MAX, &data, &len);
  if (r) return r;
  if (utlsp_load_ispem(data, len))
  {
    key_walk w = { .key = key, .found = 0, .result = 0 };
    r = utlsp_load_pem(data, len, &key_object, &w);
    if (!r) r = w.found ? w.result : UTLS_ERR_NOPEM;
  }
  else r = key_decode(key, data, len);
  utlsp_load_release(data, len);
  if (r) utls_skey_wipe(key);
  return r;
}
