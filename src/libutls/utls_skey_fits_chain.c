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
 * modulus is that certificate's key: this is exact, and cheap (a few
 * microseconds). A private operation would also check the CRT values,
 * but costs a whole RSA signature (~1.5-3.5 ms) on every connection: a
 * key whose CRT values are corrupt makes its first handshake fail
 * instead.
 */
static int rsa_fits (br_rsa_private_key const *sk, br_rsa_public_key const *pk)
{
  unsigned char modulus[512];
  br_rsa_compute_modulus compute_modulus = br_rsa_compute_modulus_get_default();
  size_t nlen = (*compute_modulus)(0, sk);
  if (!nlen || nlen > sizeof(modulus) || (*compute_modulus)(modulus, sk) != nlen)
    return UTLS_ERR_BADKEY;
  return same_integer(modulus, nlen, pk->n, pk->nlen) ? 0 : UTLS_ERR_KEYMISMATCH;
}

/*
 * The per-connection check: RSA as utls_skey_matches_chain, EC only the
 * key type and the curve. With a chain from utls_chain_readfile the
 * end-entity key is already decoded, so no certificate is parsed here.
 */
int utls_skey_fits_chain (utls_skey const *key, utls_chain const *chain)
{
  br_x509_decoder_context decoder;
  br_x509_pkey const *pk;
  int r;
  if (!chain->ncerts) return UTLS_ERR_NOCERT;
  if (key->type != BR_KEYTYPE_RSA && key->type != BR_KEYTYPE_EC) return UTLS_ERR_BADKEY;
  r = utlsp_load_eekey(chain, &decoder, &pk);
  if (r) return r;
  if (pk->key_type != key->type) return UTLS_ERR_KEYMISMATCH;
  if (key->type == BR_KEYTYPE_RSA) return rsa_fits(&key->key.rsa, &pk->key.rsa);
  return key->key.ec.curve == pk->key.ec.curve ? 0 : UTLS_ERR_KEYMISMATCH;
}
