/* ISC license. */

#include <string.h>
#include <bearssl.h>
#include <utls/utls.h>
#include "load-internal.h"

/* Compares two big-endian unsigned integers, ignoring leading zeros. Public data. */
static int same_integer (unsigned char const *a, size_t alen, unsigned char const *b, size_t blen)
{
  for (; alen && !*a; a++) alen--;
  for (; blen && !*b; b++) blen--;
  return alen == blen && !memcmp(a, b, alen);
}

/*
 * Same modulus. p and q, which the private key holds, determine the
 * modulus and are determined by it, so a key with the certificate's
 * modulus is that certificate's key. A private operation would also
 * check the CRT values, but costs a whole RSA signature (~1.5-3.5 ms)
 * on every connection, since tlsd runs once per connection: a key
 * whose CRT values are corrupt makes its first handshake fail instead.
 */
static int rsa_matches (br_rsa_private_key const *sk, br_rsa_public_key const *pk)
{
  unsigned char modulus[512];
  br_rsa_compute_modulus compute_modulus = br_rsa_compute_modulus_get_default();
  size_t nlen = (*compute_modulus)(0, sk);
  if (!nlen || nlen > sizeof(modulus) || (*compute_modulus)(modulus, sk) != nlen)
    return UTLS_ERR_BADKEY;
  return same_integer(modulus, nlen, pk->n, pk->nlen) ? 0 : UTLS_ERR_KEYMISMATCH;
}

static int ec_matches (br_ec_private_key const *sk, br_ec_public_key const *pk)
{
  unsigned char point[BR_EC_KBUF_PUB_MAX_SIZE];
  br_ec_public_key derived;
  if (!br_ec_compute_pub(br_ec_get_default(), &derived, point, sk)) return UTLS_ERR_KEYTYPE;
  if (derived.curve != pk->curve || derived.qlen != pk->qlen || memcmp(derived.q, pk->q, pk->qlen))
    return UTLS_ERR_KEYMISMATCH;
  return 0;
}

/*
 * The public key is derived from the private key and compared with the
 * one in the end-entity certificate, so that a wrong KEYFILE/CERTFILE
 * pair is a configuration error at start, not a failed handshake later.
 */
int utls_skey_matches_chain (utls_skey const *key, utls_chain const *chain)
{
  br_x509_decoder_context decoder;
  br_x509_pkey const *pk;
  int r;
  if (!chain->ncerts) return UTLS_ERR_NOCERT;
  if (key->type != BR_KEYTYPE_RSA && key->type != BR_KEYTYPE_EC) return UTLS_ERR_BADKEY;
  r = utlsp_load_x509(&decoder, chain->certs[0].data, chain->certs[0].data_len, 0, 0);
  if (r) return r;
  pk = br_x509_decoder_get_pkey(&decoder);
  if (pk->key_type != key->type) return UTLS_ERR_KEYMISMATCH;
  return key->type == BR_KEYTYPE_RSA ? rsa_matches(&key->key.rsa, &pk->key.rsa) : ec_matches(&key->key.ec, &pk->key.ec);
}
