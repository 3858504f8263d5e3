/* ISC license. */

#include <string.h>
#include <arpa/inet.h>

#include <bearssl.h>

#include <utls/utls.h>
#include <utls/setup.h>
#include "der-internal.h"

/*
 * Wrapper around br_x509_minimal. The minimal engine is always run (so
 * the chain is really validated), without a server name: names are
 * checked here, because BearSSL knows nothing of iPAddress SANs and
 * gives no detail on a mismatch. The chain is copied as it streams by,
 * for the SSL_* variables, the error messages and the checks BearSSL
 * does not make (Extended Key Usage).
 */

#define MINIMAL(x) ((br_x509_class const **)&(x)->minimal.vtable)

/*
 * br_x509_minimal_init_full gives the engine every hash function,
 * SHA-1 included, and accepts RSA keys down to 1017 bits. Without the
 * SHA-1 implementation (MD5 it never had), a certificate signed with
 * it cannot have its signature checked and is refused
 * (BR_ERR_X509_UNSUPPORTED); the trust anchor's own self-signature is
 * never checked, so an old SHA-1 root keeps working. The minimum RSA
 * size applies to every key the engine decodes from the chain.
 */
static void minimal_init (utls_verifier *x, br_x509_trust_anchor const *tas, size_t ntas)
{
  br_x509_minimal_init_full(&x->minimal, tas, ntas);
  br_x509_minimal_set_hash(&x->minimal, br_md5_ID, 0);
  br_x509_minimal_set_hash(&x->minimal, br_sha1_ID, 0);
  br_x509_minimal_set_minrsa(&x->minimal, 256);
  x->tas = tas;
  x->ntas = ntas;
}

/* What one chain leaves behind: cleared before each. */
static void chain_reset (utls_verifier *x)
{
  x->depth = 0;
  x->chain_seen = 0;
  x->err = 0;
  x->own_key = 0;
  x->ee_len = 0;
  x->ee_overflow = 0;
  x->chain_len = 0;
  x->ncerts = 0;
  x->chain_overflow = 0;
}

static void start_chain (br_x509_class const **ctx, char const *server_name)
{
  utls_verifier *x = (utls_verifier *)ctx;
  (void)server_name;
  chain_reset(x);
  if (!x->anchor_func) x->minimal.vtable->start_chain(MINIMAL(x), 0);
}

static void start_cert (br_x509_class const **ctx, uint32_t length)
{
  utls_verifier *x = (utls_verifier *)ctx;
  x->chain_seen = 1;
  if (!x->depth && length > UTLS_PEERCERT_MAX) x->ee_overflow = 1;
  if (x->ncerts >= UTLS_CHAIN_MAX || length > UTLS_VERIFIER_CHAINBUF - x->chain_len) x->chain_overflow = 1;
  else x->cert_start[x->ncerts++] = x->chain_len;
  if (!x->anchor_func) x->minimal.vtable->start_cert(MINIMAL(x), length);
}

static void append (br_x509_class const **ctx, unsigned char const *buf, size_t len)
{
  utls_verifier *x = (utls_verifier *)ctx;
  if (!x->depth && !x->ee_overflow)
  {
    if (len > UTLS_PEERCERT_MAX - x->ee_len) x->ee_overflow = 1;
    else
    {
      memcpy(x->ee + x->ee_len, buf, len);
      x->ee_len += len;
    }
  }
  if (!x->anchor_func) x->minimal.vtable->append(MINIMAL(x), buf, len);
  if (x->chain_overflow) return;
  if (len > UTLS_VERIFIER_CHAINBUF - x->chain_len) { x->chain_overflow = 1; return; }
  memcpy(x->chain + x->chain_len, buf, len);
  x->chain_len += len;
}

/* The i-th certificate of the buffered chain (i < x->ncerts): its
   bytes, and their length in *len. */
static unsigned char const *chain_cert (utls_verifier const *x, unsigned int i, size_t *len)
{
  size_t end = i + 1 < x->ncerts ? x->cert_start[i + 1] : x->chain_len;
  *len = end - x->cert_start[i];
  return x->chain + x->cert_start[i];
}

static int chain_parse (utls_verifier const *x, unsigned int i, utls_x509_info *info)
{
  size_t len;
  unsigned char const *der = chain_cert(x, i, &len);
  return utls_x509_parse(info, der, len);
}

static void end_cert (br_x509_class const **ctx)
{
  utls_verifier *x = (utls_verifier *)ctx;
  x->depth++;
  if (!x->anchor_func) x->minimal.vtable->end_cert(MINIMAL(x));
}

/*
 * Deferred mode: get the anchors for this chain's issuers, then run the
 * minimal engine over the buffered chain as if it were streaming by.
 */
static unsigned replay (utls_verifier *x)
{
  utls_der names[UTLS_CHAIN_MAX];
  br_x509_trust_anchor const *tas = 0;
  size_t ntas = 0;
  unsigned int i = 0;
  int r;
  if (x->chain_overflow) return BR_ERR_X509_LIMIT_EXCEEDED;
  for (; i < x->ncerts; i++)
  {
    utls_x509_info info;
    if (chain_parse(x, i, &info)) return BR_ERR_X509_INVALID_VALUE;
    names[i] = info.issuer;
  }
  r = (*x->anchor_func)(x->anchor_data, names, x->ncerts, &tas, &ntas);
  if (r) return r;
  minimal_init(x, tas, ntas);
  x->minimal.vtable->start_chain(MINIMAL(x), 0);
  for (i = 0; i < x->ncerts; i++)
  {
    size_t len;
    unsigned char const *der = chain_cert(x, i, &len);
    x->minimal.vtable->start_cert(MINIMAL(x), len);
    x->minimal.vtable->append(MINIMAL(x), der, len);
    x->minimal.vtable->end_cert(MINIMAL(x));
  }
  return x->minimal.vtable->end_chain(MINIMAL(x));
}

/* 0 if the certificate is for name, else UTLS_ERR_NAMEMISMATCH (or
   BADDER). An IP literal is only matched by iPAddress entries. */
static int check_name (utls_verifier const *x)
{
  utls_x509_info info;
  utls_certname cn = UTLS_CERTNAME_ZERO;
  unsigned char ip[16];
  size_t iplen = 0;
  if (utls_x509_parse(&info, x->ee, x->ee_len)) return UTLS_ERR_BADDER;
  if (inet_pton(AF_INET, x->name, ip) == 1) iplen = 4;
  else if (inet_pton(AF_INET6, x->name, ip) == 1) iplen = 16;
  while (utls_x509_name_next(&info, &cn))
  {
    if (iplen)
    {
      if (cn.type == UTLS_CERTNAME_IP && cn.value.len == iplen && !memcmp(cn.value.s, ip, iplen)) return 0;
    }
    else if (cn.type == UTLS_CERTNAME_DNS || (cn.type == UTLS_CERTNAME_CN && cn.cn_counts))
    {
      if (utls_hostname_match((char const *)cn.value.s, cn.value.len, x->name)) return 0;
    }
  }
  return UTLS_ERR_NAMEMISMATCH;
}

/* Takes the end-entity key without validation (pinned or insecure mode). */
static int take_key (utls_verifier *x)
{
  br_x509_decoder_context dc;
  br_x509_pkey const *pk;
  br_x509_decoder_init(&dc, 0, 0);
  br_x509_decoder_push(&dc, x->ee, x->ee_len);
  pk = br_x509_decoder_get_pkey(&dc);
  if (!pk) return BR_ERR_X509_UNSUPPORTED;
  x->pkey = *pk;
  if (pk->key_type == BR_KEYTYPE_RSA)
  {
    size_t nl = pk->key.rsa.nlen, el = pk->key.rsa.elen;
    if (nl + el > sizeof x->pkey_data) return BR_ERR_X509_UNSUPPORTED;
    memcpy(x->pkey_data, pk->key.rsa.n, nl);
    memcpy(x->pkey_data + nl, pk->key.rsa.e, el);
    x->pkey.key.rsa.n = x->pkey_data;
    x->pkey.key.rsa.e = x->pkey_data + nl;
  }
  else
  {
    if (pk->key.ec.qlen > sizeof x->pkey_data) return BR_ERR_X509_UNSUPPORTED;
    memcpy(x->pkey_data, pk->key.ec.q, pk->key.ec.qlen);
    x->pkey.key.ec.q = x->pkey_data;
  }
  x->own_key = 1;
  return 0;
}

static int pin_matches (utls_verifier const *x)
{
  utls_x509_info info;
  br_sha256_context h;
  unsigned char digest[32];
  unsigned char diff = 0;
  unsigned int i = 0;
  if (utls_x509_parse(&info, x->ee, x->ee_len)) return 0;
  br_sha256_init(&h);
  br_sha256_update(&h, info.spki.s, info.spki.len);
  br_sha256_out(&h, digest);
  for (; i < 32; i++) diff |= digest[i] ^ x->pin[i];
  return !diff;
}

/*
 * How many certificates of the chain, from the end-entity on, had their
 * signature checked: the minimal engine stops at the first one whose
 * issuer is the Name of a CA anchor (BearSSL compares Names byte for
 * byte, through a hash). Certificates after it, such as a root the
 * peer sends along, were ignored and are not judged here either. If
 * no anchor of that Name had the right key, the engine went on and the
 * real path is longer: only the message (SHA-1) or the intermediates'
 * EKU beyond this point are then missed, never the end-entity's EKU.
 */
static unsigned int path_length (utls_verifier const *x)
{
  unsigned int i = 0;
  for (; i < x->ncerts; i++)
  {
    utls_x509_info info;
    size_t j = 0;
    if (chain_parse(x, i, &info)) return x->ncerts;
    for (; j < x->ntas; j++)
    {
      br_x500_name const *dn = &x->tas[j].dn;
      if ((x->tas[j].flags & BR_X509_TA_CA) && dn->len == info.issuer.len && !memcmp(dn->data, info.issuer.s, dn->len))
        return i + 1;
    }
  }
  return x->ncerts;
}

/* Signature algorithm OIDs (contents), by hash function. */
#define OID_SHA1_RSA "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x05"
#define OID_SHA1_RSA_OIW "\x2b\x0e\x03\x02\x1d"
#define OID_SHA1_ECDSA "\x2a\x86\x48\xce\x3d\x04\x01"
#define OID_SHA1_DSA "\x2a\x86\x48\xce\x38\x04\x03"
#define OID_MD5_RSA "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x04"

/*
 * The minimal engine says BR_ERR_X509_UNSUPPORTED for a signature hash
 * it lacks, and for other things too (key types, curves, algorithms).
 * If a certificate of the checked path is signed with SHA-1 or MD5,
 * that is the reason given. 0 if none is.
 */
static int weak_signature (utls_verifier const *x)
{
  unsigned int n, i = 0;
  if (x->chain_overflow) return 0;
  n = path_length(x);
  for (; i < n; i++)
  {
    utls_x509_info info;
    if (chain_parse(x, i, &info)) return 0;
    if (UTLSP_OID_IS(info.sigalg, OID_SHA1_RSA) || UTLSP_OID_IS(info.sigalg, OID_SHA1_ECDSA)
     || UTLSP_OID_IS(info.sigalg, OID_SHA1_RSA_OIW) || UTLSP_OID_IS(info.sigalg, OID_SHA1_DSA))
      return UTLS_ERR_SIGSHA1;
    if (UTLSP_OID_IS(info.sigalg, OID_MD5_RSA)) return UTLS_ERR_SIGMD5;
  }
  return 0;
}

/* Our error code for a refusal of the minimal engine. */
static int explain (utls_verifier const *x, unsigned r)
{
  if (r == BR_ERR_X509_WEAK_PUBLIC_KEY) return UTLS_ERR_RSASHORT;  /* only RSA sizes are checked */
  if (r == BR_ERR_X509_UNSUPPORTED)
  {
    int weak = weak_signature(x);
    if (weak) return weak;
  }
  return (int)r;
}

/*
 * Extended Key Usage of a validated chain: the end-entity must allow
 * the purpose; so must every intermediate CA of the checked path that
 * has the extension (OpenSSL's rule: a CA restricted to server
 * certificates does not issue client certificates). A certificate
 * whose EKU cannot be parsed is refused (utls_x509_parse fails).
 */
static int check_purpose (utls_verifier const *x)
{
  unsigned int purpose, n, i = 0;
  if (x->flags & UTLS_VERIFY_CLIENT_AUTH) purpose = UTLS_EKU_CLIENT;
  else if (x->flags & UTLS_VERIFY_SERVER_AUTH) purpose = UTLS_EKU_SERVER;
  else return 0;
  n = path_length(x);
  for (; i < n; i++)
  {
    utls_x509_info info;
    if (chain_parse(x, i, &info)) return BR_ERR_X509_INVALID_VALUE;
    if (!utls_x509_eku_allows(&info, purpose))
      return purpose == UTLS_EKU_CLIENT ? UTLS_ERR_EKUCLIENT : UTLS_ERR_EKUSERVER;
  }
  return 0;
}

static unsigned end_chain (br_x509_class const **ctx)
{
  utls_verifier *x = (utls_verifier *)ctx;
  unsigned r;
  if (!x->anchor_func) r = x->minimal.vtable->end_chain(MINIMAL(x));
  else if (!x->chain_seen) r = BR_ERR_X509_EMPTY_CHAIN;
  else if (x->flags & (UTLS_VERIFY_PIN | UTLS_VERIFY_INSECURE)) r = BR_ERR_X509_NOT_TRUSTED;
  else r = replay(x);
  if (!x->chain_seen) return r;
  if (x->ee_overflow) { x->err = BR_ERR_X509_LIMIT_EXCEEDED; return x->err; }
  if (x->flags & UTLS_VERIFY_PIN)
  {
    if (!pin_matches(x)) { x->err = UTLS_ERR_PINMISMATCH; return BR_ERR_X509_NOT_TRUSTED; }
    x->err = take_key(x);
    return x->err;
  }
  if (x->flags & UTLS_VERIFY_INSECURE)
  {
    x->err = r;
    return take_key(x);
  }
  /* the policy checks need the whole chain */
  if (!r && x->chain_overflow) r = BR_ERR_X509_LIMIT_EXCEEDED;
  if (r) { x->err = explain(x, r); return r; }
  x->err = check_purpose(x);
  if (x->err) return BR_ERR_X509_FORBIDDEN_KEY_USAGE;
  if (x->name)
  {
    x->err = check_name(x);
    if (x->err) return BR_ERR_X509_BAD_SERVER_NAME;
  }
  return 0;
}

static br_x509_pkey const *get_pkey (br_x509_class const *const *ctx, unsigned *usages)
{
  utls_verifier const *x = (utls_verifier const *)ctx;
  if (x->own_key)
  {
    if (usages) *usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
    return &x->pkey;
  }
  return x->minimal.vtable->get_pkey((br_x509_class const *const *)&x->minimal.vtable, usages);
}

static br_x509_class const verifier_vtable =
{
  .context_size = sizeof(utls_verifier),
  .start_chain = &start_chain,
  .start_cert = &start_cert,
  .append = &append,
  .end_cert = &end_cert,
  .end_chain = &end_chain,
  .get_pkey = &get_pkey,
};

void utls_verifier_init (utls_verifier *x, br_x509_trust_anchor const *tas, size_t ntas, uint32_t flags, char const *name, unsigned char const *pin)
{
  x->vtable = &verifier_vtable;
  minimal_init(x, tas, ntas);
  x->flags = flags;
  x->name = name;
  if (pin) memcpy(x->pin, pin, sizeof x->pin);
  else memset(x->pin, 0, sizeof x->pin);
  chain_reset(x);
  x->anchor_func = 0;
  x->anchor_data = 0;
}
