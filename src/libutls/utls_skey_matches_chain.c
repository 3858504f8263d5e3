/* ISC license. */

#include <string.h>
#include <bearssl.h>
#include <utls/utls.h>
#include "load-internal.h"

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
 * The full check: utls_skey_fits_chain, then for EC the public point is
 * derived from the private key (a scalar multiplication) and compared
 * with the certificate's. At start, a wrong KEYFILE/CERTFILE pair is
 * then a configuration error, not a failed handshake later; after a
 * failed handshake, it tells whether the pair was the cause.
 */
int utls_skey_matches_chain (utls_skey const *key, utls_chain const *chain)
{
  br_x509_decoder_context decoder;
  br_x509_pkey const *pk;
  int r = utls_skey_fits_chain(key, chain);
  if (r || key->type != BR_KEYTYPE_EC) return r;
  r = utlsp_load_eekey(chain, &decoder, &pk);
  if (r) return r;
  return ec_matches(&key->key.ec, &pk->key.ec);
}
