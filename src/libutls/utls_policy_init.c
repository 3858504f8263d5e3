/* ISC license. */

#include <string.h>
#include <strings.h>

#include <bearssl.h>

#include <utls/utls.h>
#include <utls/setup.h>

/*
 * The server policy. BearSSL's own single-certificate policies cannot
 * choose between certificates, so this one does the three steps itself:
 * certificate by SNI, suite by key type, signature hash by the client's
 * list. Everything goes through BearSSL's public API.
 */

/* Hash for the ServerKeyExchange signature: SHA-256 first, then stronger, then SHA-1. */
static int pick_hash (unsigned int mask)
{
  static int const order[] = { br_sha256_ID, br_sha384_ID, br_sha512_ID, br_sha224_ID, br_sha1_ID };
  unsigned int i = 0;
  for (; i < sizeof order / sizeof order[0]; i++)
    if (mask & (1U << order[i])) return order[i];
  return -1;
}

static int choose (br_ssl_server_policy_class const **pctx, br_ssl_server_context const *cc, br_ssl_server_choices *choices)
{
  utls_policy *p = (utls_policy *)pctx;
  utls_certentry const *entry = utls_policy_pick(p, br_ssl_engine_get_server_name(&cc->eng));
  br_suite_translated const *st;
  size_t n, i;
  unsigned int keyx, hashes;
  int hash;
  if (!entry) { p->refused_sni = 1; return 0; }
  keyx = entry->key.type == BR_KEYTYPE_RSA ? BR_SSLKEYX_ECDHE_RSA : BR_SSLKEYX_ECDHE_ECDSA;
  hashes = br_ssl_server_get_client_hashes(cc);
  hash = pick_hash(entry->key.type == BR_KEYTYPE_RSA ? hashes & 0xff : (hashes >> 8) & 0xff);
  if (hash < 0) return 0;
  st = br_ssl_server_get_client_suites(cc, &n);
  for (i = 0; i < n; i++)
    if ((unsigned int)(st[i][1] >> 12) == keyx) break;
  if (i == n) return 0;
  choices->cipher_suite = st[i][0];
  choices->algo_id = 0xff00 + hash;
  choices->chain = entry->chain.certs;
  choices->chain_len = entry->chain.ncerts;
  p->chosen = entry;
  return 1;
}

static uint32_t do_keyx (br_ssl_server_policy_class const **pctx, unsigned char *data, size_t *len)
{
  /* Only ECDHE suites are configured: a static key exchange never happens. */
  (void)pctx; (void)data; (void)len;
  return 0;
}

static br_hash_class const *hash_class (int id)
{
  switch (id)
  {
    case br_sha1_ID: return &br_sha1_vtable;
    case br_sha224_ID: return &br_sha224_vtable;
    case br_sha256_ID: return &br_sha256_vtable;
    case br_sha384_ID: return &br_sha384_vtable;
    case br_sha512_ID: return &br_sha512_vtable;
    default: return 0;
  }
}

static unsigned char const *hash_oid (int id)
{
  switch (id)
  {
    case br_sha1_ID: return BR_HASH_OID_SHA1;
    case br_sha224_ID: return BR_HASH_OID_SHA224;
    case br_sha256_ID: return BR_HASH_OID_SHA256;
    case br_sha384_ID: return BR_HASH_OID_SHA384;
    case br_sha512_ID: return BR_HASH_OID_SHA512;
    default: return 0;
  }
}

static size_t do_sign (br_ssl_server_policy_class const **pctx, unsigned int algo_id, unsigned char *data, size_t hv_len, size_t len)
{
  utls_policy *p = (utls_policy *)pctx;
  utls_certentry const *entry = p->chosen;
  int id = algo_id & 0xff;
  unsigned char hv[64];
  if (!entry || hv_len > sizeof hv || (algo_id & 0xff00) != 0xff00) return 0;
  memcpy(hv, data, hv_len);
  if (entry->key.type == BR_KEYTYPE_RSA)
  {
    br_rsa_private_key const *sk = &entry->key.key.rsa;
    size_t siglen = (sk->n_bitlen + 7) >> 3;
    unsigned char const *oid = hash_oid(id);
    if (!oid || siglen > len) return 0;
    return br_rsa_pkcs1_sign_get_default()(oid, hv, hv_len, sk, data) ? siglen : 0;
  }
  else
  {
    br_hash_class const *hc = hash_class(id);
    if (!hc || len < 139) return 0;
    return br_ecdsa_sign_asn1_get_default()(br_ec_get_default(), hc, hv, &entry->key.key.ec, data);
  }
}

static br_ssl_server_policy_class const policy_vtable =
{
  .context_size = sizeof(utls_policy),
  .choose = &choose,
  .do_keyx = &do_keyx,
  .do_sign = &do_sign,
};

void utls_policy_init (utls_policy *policy, utls_certentry *entries, size_t n, unsigned int snilevel)
{
  policy->vtable = &policy_vtable;
  policy->entries = entries;
  policy->n = n;
  policy->snilevel = snilevel;
  policy->chosen = 0;
  policy->refused_sni = 0;
}
