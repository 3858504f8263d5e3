/* ISC license. */

#include <stdint.h>
#include <string.h>
#include <bearssl.h>
#include <skalibs/bytestr.h>
#include <utls/utls.h>
#include "der-internal.h"
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

/*
 * Reads one of p, q, dp, dq, iq (a positive INTEGER) into key->data and
 * sets *len. On failure, returns 0 and sets *r.
 */
/* Our DER walker could not read it: BearSSL's decoder gives the verdict. */
#define RSA_UNPARSED (-1)

static unsigned char *rsa_element (utls_skey *key, size_t *used, utls_der *seq, size_t *len, int *r)
{
  utls_der v;
  unsigned char *where;
  if (!utlsp_der_uint(seq, &v))
  {
    *r = RSA_UNPARSED;
    return 0;
  }
  if (!v.len)
  {
    *r = UTLS_ERR_BADKEY;
    return 0;
  }
  where = key_put(key, used, v.s, v.len);
  if (!where) *r = UTLS_ERR_KEYTYPE;
  *len = v.len;
  return where;
}

/* Bit length of a modulus without leading zeros (BearSSL's n_bitlen). */
static uint32_t rsa_bitlen (utls_der const *n)
{
  uint32_t bits = (uint32_t)(n->len - 1) * 8;
  unsigned int top = n->s[0];
  for (; top; top >>= 1) bits++;
  return bits;
}

/*
 * RSAPrivateKey ::= SEQUENCE { version INTEGER, modulus, publicExponent,
 * privateExponent, prime1, prime2, exponent1, exponent2, coefficient }.
 * The version, already read, must be 0: two primes, no otherPrimeInfos.
 * What BearSSL's decoder keeps is copied the same way (leading zeros
 * stripped) into key->data; no other buffer holds key material. Unlike
 * that decoder, we refuse CRT elements of value 0 and a version other
 * than 0: such a key is broken, better said at start than by failed
 * handshakes. What the walker cannot read is RSA_UNPARSED.
 */
static int rsa_fields (utls_skey *key, utls_der const *version, utls_der seq)
{
  br_rsa_private_key *dst = &key->key.rsa;
  utls_der n, v;
  size_t used = 0;
  int r = 0;
  if (version->len) return UTLS_ERR_KEYTYPE;
  if (!utlsp_der_uint(&seq, &n)) return RSA_UNPARSED;
  if (!n.len) return UTLS_ERR_BADKEY;
  if (rsa_bitlen(&n) > 4096) return UTLS_ERR_KEYTYPE;
  if (!utlsp_der_uint(&seq, &v) || !utlsp_der_uint(&seq, &v)) return RSA_UNPARSED;
  dst->p = rsa_element(key, &used, &seq, &dst->plen, &r);
  if (!r) dst->q = rsa_element(key, &used, &seq, &dst->qlen, &r);
  if (!r) dst->dp = rsa_element(key, &used, &seq, &dst->dplen, &r);
  if (!r) dst->dq = rsa_element(key, &used, &seq, &dst->dqlen, &r);
  if (!r) dst->iq = rsa_element(key, &used, &seq, &dst->iqlen, &r);
  if (!r && seq.len) r = RSA_UNPARSED;
  if (r) return r;
  dst->n_bitlen = rsa_bitlen(&n);
  key->type = BR_KEYTYPE_RSA;
  return 0;
}

/*
 * PKCS#1 RSAPrivateKey, or PKCS#8 PrivateKeyInfo (version 0, or 1 as RFC
 * 5958 allows) whose algorithm is rsaEncryption: its parameters, and the
 * attributes and public key after the privateKey OCTET STRING, are
 * ignored, as BearSSL's decoder does. Only for what is_rsa took.
 */
static int rsa_decode (utls_skey *key, unsigned char const *der, size_t len)
{
  utls_der in = { .s = der, .len = len };
  utls_der outer, version, alg, octets, seq;
  if (!utlsp_der_expect(&in, UTLSP_TAG_SEQUENCE, &outer, 0) || in.len) return RSA_UNPARSED;
  if (!utlsp_der_uint(&outer, &version)) return RSA_UNPARSED;
  if (!outer.len || outer.s[0] != UTLSP_TAG_SEQUENCE) return rsa_fields(key, &version, outer);
  if (version.len > 1 || (version.len && version.s[0] > 1)) return UTLS_ERR_KEYTYPE;
  if (!utlsp_der_expect(&outer, UTLSP_TAG_SEQUENCE, &alg, 0)) return RSA_UNPARSED;
  if (!utlsp_der_expect(&outer, UTLSP_TAG_OCTETSTRING, &octets, 0)) return RSA_UNPARSED;
  if (!utlsp_der_expect(&octets, UTLSP_TAG_SEQUENCE, &seq, 0) || octets.len) return RSA_UNPARSED;
  if (!utlsp_der_uint(&seq, &version)) return RSA_UNPARSED;
  return rsa_fields(key, &version, seq);
}

/*
 * 1 if der is an RSA key for our walker: a SEQUENCE spanning der whose
 * first two elements are INTEGERs (PKCS#1), or an INTEGER and an
 * AlgorithmIdentifier for rsaEncryption (PKCS#8). rsa_decode gives the
 * verdict on those. The rest, EC keys, and what our DER walker cannot
 * read (BER, garbage) goes to br_skey_decoder as before.
 */
static int is_rsa (unsigned char const *der, size_t len)
{
  utls_der in = { .s = der, .len = len };
  utls_der outer, v, alg, oid;
  if (!utlsp_der_expect(&in, UTLSP_TAG_SEQUENCE, &outer, 0) || in.len) return 0;
  if (!utlsp_der_expect(&outer, UTLSP_TAG_INTEGER, &v, 0)) return 0;
  if (utlsp_der_expect(&outer, UTLSP_TAG_INTEGER, &v, 0)) return 1;
  if (!utlsp_der_expect(&outer, UTLSP_TAG_SEQUENCE, &alg, 0)) return 0;
  if (!utlsp_der_expect(&alg, UTLSP_TAG_OID, &oid, 0)) return 0;
  return UTLSP_OID_IS(oid, UTLSP_OID_RSA_ENCRYPTION);
}

/* An RSA key that br_skey_decoder read and is_rsa did not take (not DER). */
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

/* EC keys (SEC1, PKCS#8), and whatever is_rsa does not take; the decoder is wiped. */
static int br_decode (utls_skey *key, unsigned char const *der, size_t len)
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
  return r;
}

/*
 * Decodes a DER key (PKCS#1, SEC1 or PKCS#8) into key. RSA keys are
 * decoded by our DER walker: br_skey_decoder, a T0 interpreter, takes
 * 200-250 us on an RSA-2048 key, and tlsd pays that on every connection.
 * EC keys are small (10 us) and stay with it, and so does anything our
 * strict DER walker cannot read, so that only broken RSA keys (a CRT
 * element of 0, a version other than 0) are refused that BearSSL took;
 * such keys pay the old price.
 */
static int key_decode (utls_skey *key, unsigned char const *der, size_t len)
{
  int r = RSA_UNPARSED;
  if (is_rsa(der, len))
  {
    r = rsa_decode(key, der, len);
    /* What our strict walker cannot read (BER lengths, say) gets
       BearSSL's verdict, as before. */
    if (r) utls_skey_wipe(key);
  }
  if (r == RSA_UNPARSED) r = br_decode(key, der, len);
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
