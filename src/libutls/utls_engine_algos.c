/* ISC license. */

#include <bearssl.h>

#include <utls/setup.h>

/*
 * ECDHE only (forward secrecy), AEAD only: no CBC suite, so nothing
 * for Lucky13-style attacks, and nothing older clients of TLS 1.2 lack.
 * With AES-NI, AES-GCM is several times faster than ChaCha20 in
 * BearSSL (bench/cryptospeed, in bench/RESULTS.md: ~3100 vs ~430 MB/s
 * for a 16 KiB record), so it goes first; without it, the
 * constant-time AES is slow and ChaCha20-Poly1305 goes first.
 */
static uint16_t const suites_aes_first[] =
{
  BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
  BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
  BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
  BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
  BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
};

static uint16_t const suites_chacha_first[] =
{
  BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
  BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
  BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
  BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
  BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
};

/* ChaCha20 through a trampoline, so the timing that picks an
   implementation only runs in connections that use ChaCha20. */
static br_chacha20_run chacha20_chosen = 0;

static uint32_t chacha20_lazy (void const *key, void const *iv, uint32_t cc, void *data, size_t len)
{
  if (!chacha20_chosen) chacha20_chosen = utls_chacha20_fastest();
  return (*chacha20_chosen)(key, iv, cc, data, len);
}

void utls_engine_algos (br_ssl_engine_context *eng, int is_server)
{
  br_poly1305_run poly = br_poly1305_ctmulq_get();
  int aesni = br_aes_x86ni_ctr_get_vtable() != 0;
  (void)is_server;
  br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
  if (aesni)
    br_ssl_engine_set_suites(eng, suites_aes_first, sizeof suites_aes_first / sizeof suites_aes_first[0]);
  else
    br_ssl_engine_set_suites(eng, suites_chacha_first, sizeof suites_chacha_first / sizeof suites_chacha_first[0]);
  br_ssl_engine_set_ec(eng, br_ec_get_default());
  /* These hashes are the handshake's (transcript, signature_algorithms
     for ServerKeyExchange and CertificateVerify), not the certificate
     validator's, which has its own set without SHA-1 (utls_verifier_init).
     SHA-1 stays here, last in preference (utls_policy_init), for the
     TLS 1.2 peers that offer nothing else: forging such a signature
     takes a collision found during the handshake (SLOTH), far out of
     reach for SHA-1, unlike the offline collisions that forge
     certificates. */
  br_ssl_engine_set_hash(eng, br_sha1_ID, &br_sha1_vtable);
  br_ssl_engine_set_hash(eng, br_sha224_ID, &br_sha224_vtable);
  br_ssl_engine_set_hash(eng, br_sha256_ID, &br_sha256_vtable);
  br_ssl_engine_set_hash(eng, br_sha384_ID, &br_sha384_vtable);
  br_ssl_engine_set_hash(eng, br_sha512_ID, &br_sha512_vtable);
  br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
  br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
  br_ssl_engine_set_default_aes_gcm(eng);
  br_ssl_engine_set_chapol(eng, &br_sslrec_in_chapol_vtable, &br_sslrec_out_chapol_vtable);
  br_ssl_engine_set_chacha20(eng, &chacha20_lazy);
  br_ssl_engine_set_poly1305(eng, poly ? poly : &br_poly1305_ctmul_run);
  /* Signature verification: the client checks the ServerKeyExchange,
     the server checks a client's CertificateVerify. */
  br_ssl_engine_set_rsavrfy(eng, br_rsa_pkcs1_vrfy_get_default());
  br_ssl_engine_set_ecdsa(eng, br_ecdsa_vrfy_asn1_get_default());
}
