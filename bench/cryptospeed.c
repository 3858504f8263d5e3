/* ISC license. */

/*
 * cryptospeed [rsa.key ec.key]: BearSSL's own speed on this machine,
 * one core, through its public API only.
 *
 * Record layer: one TLS 1.2 record of 16 KiB, sealed as the engine does
 * it (13-byte AAD, 16-byte tag): AES-128-GCM (x86ni CTR + pclmul GHASH)
 * and ChaCha20-Poly1305 (SSE2 and ct ChaCha20, ctmulq Poly1305).
 * Public key: RSA-2048 private (default = i62 here) and PKCS#1 signature,
 * ECDSA P-256 sign, X25519 and P-256 point multiplication (one ECDH op;
 * an ECDHE handshake costs two per side: keygen + shared secret).
 *
 * Output: "name value unit" lines, then key=value lines for scripts.
 * Without key files, keys are generated (RSA keygen takes a while).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bearssl.h>

#include "benchpem.h"

#define RECLEN 16384
#define MIN_SECS 0.4

static unsigned char rec[RECLEN];

static double now (void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs fn(ctx) in growing batches until MIN_SECS elapsed; returns ops/s. */
static double rate (void (*fn) (void *), void *ctx)
{
  unsigned long n = 0, batch = 1;
  double t0 = now(), t;
  fn(ctx); /* warm up */
  t0 = now();
  for (;;)
  {
    unsigned long i;
    for (i = 0; i < batch; i++) fn(ctx);
    n += batch;
    t = now() - t0;
    if (t >= MIN_SECS) break;
    if (t < MIN_SECS / 8) batch *= 2;
  }
  return n / t;
}

/* --- AEAD ---------------------------------------------------------- */

typedef struct gcm_s { br_aes_x86ni_ctr_keys aes; br_gcm_context gcm; } gcm_t;

static void gcm_one (void *p)
{
  gcm_t *g = p;
  static unsigned char const iv[12] = { 1 }, aad[13] = { 2 };
  unsigned char tag[16];
  br_gcm_reset(&g->gcm, iv, sizeof iv);
  br_gcm_aad_inject(&g->gcm, aad, sizeof aad);
  br_gcm_flip(&g->gcm);
  br_gcm_run(&g->gcm, 1, rec, RECLEN);
  br_gcm_get_tag(&g->gcm, tag);
}

typedef struct cp_s { br_chacha20_run chacha; br_poly1305_run poly; } cp_t;

static void cp_one (void *p)
{
  cp_t *c = p;
  static unsigned char const key[32] = { 3 }, iv[12] = { 4 }, aad[13] = { 5 };
  unsigned char tag[16];
  c->poly(key, iv, rec, RECLEN, aad, sizeof aad, tag, c->chacha, 1);
}

/* --- public key ---------------------------------------------------- */

typedef struct rsa_s { br_rsa_private_key const *sk; br_rsa_private priv; br_rsa_pkcs1_sign sign; unsigned char buf[512]; } rsa_t;

static void rsa_priv_one (void *p)
{
  rsa_t *r = p;
  memset(r->buf, 0x11, r->sk->n_bitlen / 8);
  r->buf[0] = 0;
  if (!r->priv(r->buf, r->sk)) { fprintf(stderr, "cryptospeed: RSA private op failed\n"); exit(1); }
}

static void rsa_sign_one (void *p)
{
  rsa_t *r = p;
  static unsigned char const hash[32] = { 6 };
  if (!r->sign(BR_HASH_OID_SHA256, hash, 32, r->sk, r->buf)) { fprintf(stderr, "cryptospeed: RSA sign failed\n"); exit(1); }
}

typedef struct ecs_s { br_ec_private_key const *sk; br_ecdsa_sign sign; br_ec_impl const *ec; unsigned char sig[160]; } ecs_t;

static void ecdsa_one (void *p)
{
  ecs_t *e = p;
  static unsigned char const hash[32] = { 7 };
  if (!e->sign(e->ec, &br_sha256_vtable, hash, e->sk, e->sig)) { fprintf(stderr, "cryptospeed: ECDSA sign failed\n"); exit(1); }
}

typedef struct ecdh_s { br_ec_impl const *ec; int curve; unsigned char point[133]; size_t plen; unsigned char x[66]; size_t xlen; } ecdh_t;

static void ecdh_one (void *p)
{
  ecdh_t *d = p;
  unsigned char pt[133];
  memcpy(pt, d->point, d->plen);
  if (!d->ec->mul(pt, d->plen, d->x, d->xlen, d->curve)) { fprintf(stderr, "cryptospeed: ECDH mul failed\n"); exit(1); }
}

static void ecdh_setup (ecdh_t *d, br_ec_impl const *ec, int curve, br_prng_class const **rng)
{
  unsigned char kbuf[BR_EC_KBUF_PRIV_MAX_SIZE], pbuf[BR_EC_KBUF_PUB_MAX_SIZE];
  br_ec_private_key sk;
  br_ec_public_key pk;
  d->ec = ec;
  d->curve = curve;
  if (!br_ec_keygen(rng, ec, &sk, kbuf, curve) || !br_ec_compute_pub(ec, &pk, pbuf, &sk))
  {
    fprintf(stderr, "cryptospeed: EC keygen failed for curve %d\n", curve);
    exit(1);
  }
  memcpy(d->x, sk.x, sk.xlen); d->xlen = sk.xlen;
  memcpy(d->point, pk.q, pk.qlen); d->plen = pk.qlen;
}

int main (int argc, char **argv)
{
  br_hmac_drbg_context rng;
  br_skey_decoder_context rkd, ekd;
  br_rsa_private_key const *rsk = 0;
  br_ec_private_key const *esk = 0;
  static unsigned char rsakbuf[BR_RSA_KBUF_PRIV_SIZE(2048)], eckbuf[BR_EC_KBUF_PRIV_MAX_SIZE];
  br_rsa_private_key rsk_gen;
  br_ec_private_key esk_gen;
  br_ec_impl const *ec = br_ec_get_default();
  double v, aes_mbs = 0, chacha_sse2 = 0, chacha_ct = 0, rsa_priv = 0, rsa_sign = 0, ecdsa = 0, x25519 = 0, p256 = 0;

  br_hmac_drbg_init(&rng, &br_sha256_vtable, "cryptospeed", 11);
  memset(rec, 0xa5, sizeof rec);

  if (argc >= 3)
  {
    if (bench_load_skey(argv[1], &rkd) || br_skey_decoder_key_type(&rkd) != BR_KEYTYPE_RSA)
    { fprintf(stderr, "cryptospeed: %s: not an RSA key\n", argv[1]); return 100; }
    rsk = br_skey_decoder_get_rsa(&rkd);
    if (bench_load_skey(argv[2], &ekd) || br_skey_decoder_key_type(&ekd) != BR_KEYTYPE_EC)
    { fprintf(stderr, "cryptospeed: %s: not an EC key\n", argv[2]); return 100; }
    esk = br_skey_decoder_get_ec(&ekd);
  }
  else
  {
    br_rsa_keygen kg = br_rsa_keygen_get_default();
    if (!kg(&rng.vtable, &rsk_gen, rsakbuf, 0, 0, 2048, 65537)) { fprintf(stderr, "cryptospeed: RSA keygen failed\n"); return 1; }
    rsk = &rsk_gen;
    if (!br_ec_keygen(&rng.vtable, ec, &esk_gen, eckbuf, BR_EC_secp256r1)) { fprintf(stderr, "cryptospeed: EC keygen failed\n"); return 1; }
    esk = &esk_gen;
  }

  printf("# BearSSL record layer, %d-byte records, one core\n", RECLEN);
  if (br_aes_x86ni_ctr_get_vtable() && br_ghash_pclmul_get())
  {
    static gcm_t g;
    br_aes_x86ni_ctr_init(&g.aes, "0123456789abcdef", 16);
    br_gcm_init(&g.gcm, &g.aes.vtable, br_ghash_pclmul_get());
    aes_mbs = rate(&gcm_one, &g) * RECLEN / 1e6;
    printf("aes128gcm_x86ni_pclmul %.0f MB/s\n", aes_mbs);
  }
  else printf("aes128gcm_x86ni_pclmul unavailable\n");
  {
    cp_t c;
    c.poly = br_poly1305_ctmulq_get();
    if (!c.poly) c.poly = &br_poly1305_ctmul_run;
    c.chacha = br_chacha20_sse2_get();
    if (c.chacha)
    {
      chacha_sse2 = rate(&cp_one, &c) * RECLEN / 1e6;
      printf("chacha20poly1305_sse2_ctmulq %.0f MB/s\n", chacha_sse2);
    }
    else printf("chacha20poly1305_sse2_ctmulq unavailable\n");
    c.chacha = &br_chacha20_ct_run;
    chacha_ct = rate(&cp_one, &c) * RECLEN / 1e6;
    printf("chacha20poly1305_ct_ctmulq %.0f MB/s\n", chacha_ct);
  }

  printf("# BearSSL public key, one core\n");
  {
    static rsa_t r;
    r.sk = rsk;
    r.priv = br_rsa_private_get_default();
    r.sign = br_rsa_pkcs1_sign_get_default();
    rsa_priv = rate(&rsa_priv_one, &r);
    printf("rsa%u_private %.0f ops/s (%.3f ms) [%s]\n", (unsigned)rsk->n_bitlen, rsa_priv, 1000 / rsa_priv,
      br_rsa_i62_private_get() && r.priv == br_rsa_i62_private_get() ? "i62" : "default");
    rsa_sign = rate(&rsa_sign_one, &r);
    printf("rsa%u_pkcs1_sign_sha256 %.0f ops/s (%.3f ms)\n", (unsigned)rsk->n_bitlen, rsa_sign, 1000 / rsa_sign);
  }
  {
    static ecs_t e;
    e.sk = esk;
    e.ec = ec;
    e.sign = br_ecdsa_sign_asn1_get_default();
    ecdsa = rate(&ecdsa_one, &e);
    printf("ecdsa_p256_sign %.0f ops/s (%.3f ms)\n", ecdsa, 1000 / ecdsa);
  }
  {
    static ecdh_t d;
    ecdh_setup(&d, ec, BR_EC_curve25519, &rng.vtable);
    x25519 = rate(&ecdh_one, &d);
    printf("x25519_mul %.0f ops/s (%.3f ms)\n", x25519, 1000 / x25519);
    ecdh_setup(&d, ec, BR_EC_secp256r1, &rng.vtable);
    p256 = rate(&ecdh_one, &d);
    printf("p256_ecdh_mul %.0f ops/s (%.3f ms)\n", p256, 1000 / p256);
  }
  /* A full ECDHE server handshake: one signature, two ECDH ops. */
  v = 1000 / ecdsa + 2000 / x25519;
  printf("server_hs_crypto_ecdsa_x25519 %.3f ms\n", v);
  printf("server_hs_crypto_rsa_x25519 %.3f ms\n", 1000 / rsa_sign + 2000 / x25519);
  printf("server_hs_crypto_ecdsa_p256 %.3f ms\n", 1000 / ecdsa + 2000 / p256);
  printf("server_hs_crypto_rsa_p256 %.3f ms\n", 1000 / rsa_sign + 2000 / p256);
  printf("KV aes=%.0f chacha_sse2=%.0f chacha_ct=%.0f rsa_priv=%.0f rsa_sign=%.0f ecdsa=%.0f x25519=%.0f p256=%.0f\n",
    aes_mbs, chacha_sse2, chacha_ct, rsa_priv, rsa_sign, ecdsa, x25519, p256);
  return 0;
}
