/* ISC license. */

#include <string.h>
#include <bearssl.h>
#include <utls/utls.h>
#include "der-internal.h"
#include "load-internal.h"

/* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } */
static int spki_rsa (br_x509_pkey *pk, utls_der bits)
{
  utls_der seq, n, e;
  if (!utlsp_der_expect(&bits, UTLSP_TAG_SEQUENCE, &seq, 0) || bits.len) return UTLS_ERR_BADDER;
  if (!utlsp_der_uint(&seq, &n) || !utlsp_der_uint(&seq, &e) || seq.len) return UTLS_ERR_BADDER;
  if (!n.len || !e.len) return UTLS_ERR_BADDER;
  if (n.len + e.len > BR_X509_BUFSIZE_KEY) return UTLS_ERR_KEYTYPE;
  pk->key_type = BR_KEYTYPE_RSA;
  pk->key.rsa.n = (unsigned char *)n.s;
  pk->key.rsa.nlen = n.len;
  pk->key.rsa.e = (unsigned char *)e.s;
  pk->key.rsa.elen = e.len;
  return 0;
}

/* Named curves only: the parameters are one OID. The point is not checked, as BearSSL's decoder does not. */
static int spki_ec (br_x509_pkey *pk, utls_der params, utls_der bits)
{
  utls_der curve;
  int id;
  if (!utlsp_der_expect(&params, UTLSP_TAG_OID, &curve, 0) || params.len) return UTLS_ERR_BADDER;
  if (UTLSP_OID_IS(curve, UTLSP_OID_P256)) id = BR_EC_secp256r1;
  else if (UTLSP_OID_IS(curve, UTLSP_OID_P384)) id = BR_EC_secp384r1;
  else if (UTLSP_OID_IS(curve, UTLSP_OID_P521)) id = BR_EC_secp521r1;
  else return UTLS_ERR_KEYTYPE;
  if (!bits.len) return UTLS_ERR_BADDER;
  if (bits.len > BR_X509_BUFSIZE_KEY) return UTLS_ERR_KEYTYPE;
  pk->key_type = BR_KEYTYPE_EC;
  pk->key.ec.curve = id;
  pk->key.ec.q = (unsigned char *)bits.s;
  pk->key.ec.qlen = bits.len;
  return 0;
}

/*
 * SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier,
 * subjectPublicKey BIT STRING }, with BearSSL's rules (x509_decoder.t0):
 * whole octets only, RSA parameters ignored.
 */
int utlsp_load_spki (br_x509_pkey *pk, utls_der const *spki)
{
  utls_der in = *spki, seq, alg, oid, bits;
  int r = UTLS_ERR_KEYTYPE;
  memset(pk, 0, sizeof(br_x509_pkey));
  if (!utlsp_der_expect(&in, UTLSP_TAG_SEQUENCE, &seq, 0) || in.len) return UTLS_ERR_BADDER;
  if (!utlsp_der_expect(&seq, UTLSP_TAG_SEQUENCE, &alg, 0) || !utlsp_der_expect(&alg, UTLSP_TAG_OID, &oid, 0)) return UTLS_ERR_BADDER;
  if (!utlsp_der_expect(&seq, UTLSP_TAG_BITSTRING, &bits, 0) || seq.len) return UTLS_ERR_BADDER;
  if (!bits.len || bits.s[0]) return UTLS_ERR_BADDER;
  bits.s++;
  bits.len--;
  if (UTLSP_OID_IS(oid, UTLSP_OID_RSA_ENCRYPTION)) r = spki_rsa(pk, bits);
  else if (UTLSP_OID_IS(oid, UTLSP_OID_EC_PUBLIC_KEY)) r = spki_ec(pk, alg, bits);
  if (r) memset(pk, 0, sizeof(br_x509_pkey));
  return r;
}
