/* ISC license. */

#ifndef UTLS_SETUP_H
#define UTLS_SETUP_H

/*
 * Engine setup shared by the server and client programs: algorithm
 * choices, the certificate-selecting server policy, the X.509 validator
 * wrapper, the handshake facts, privilege dropping.
 */

#include <stddef.h>
#include <stdint.h>
#include <bearssl.h>

#include <utls/utls.h>

/*
 * Protocol versions, cipher suites (ECDHE + AEAD only), hash functions,
 * PRFs and the fastest record implementations BearSSL has on this CPU.
 * AES-GCM comes first when the CPU has AES-NI, ChaCha20-Poly1305
 * otherwise. Client and server get the same suites: is_server is not
 * used. A server serves only the suites its key fits, because its
 * policy (utls_policy_init) picks among them.
 */
extern void utls_engine_algos (br_ssl_engine_context *eng, int is_server);

/* The ChaCha20 implementation measured fastest on this CPU, timed at each
   call (about 80 us): utls_engine_algos calls it once, on first use. */
extern br_chacha20_run utls_chacha20_fastest (void);

/* One certificate chain with its key, for the default name or one SNI name. */
typedef struct utls_certentry_s utls_certentry;
struct utls_certentry_s
{
  char const *name;             /* 0 for the default (CERTFILE/KEYFILE) entry */
  utls_chain chain;
  utls_skey key;
};

enum utls_sni_level_e
{
  UTLS_SNI_OFF = 0,             /* only CERTFILE/KEYFILE */
  UTLS_SNI_FALLBACK = 1,        /* SNI certificates, else the default one */
  UTLS_SNI_STRICT = 2,          /* SNI certificates only: no match, no handshake */
};

/*
 * Server policy: chooses the certificate by SNI (exact name, then
 * "*.domain" on the first label, then the default entry as the level
 * allows), then the first suite in server order that fits its key, and
 * signs the ServerKeyExchange.
 */
typedef struct utls_policy_s utls_policy;
struct utls_policy_s
{
  br_ssl_server_policy_class const *vtable;
  utls_certentry *entries;
  size_t n;
  unsigned int snilevel;
  utls_certentry const *chosen;
  int refused_sni;              /* no certificate for the client's server name */
};
extern void utls_policy_init (utls_policy *policy, utls_certentry *entries, size_t n, unsigned int snilevel);
/* The entry the policy chooses for this SNI name (0 or "" for none), or 0 if none may serve it. */
extern utls_certentry const *utls_policy_pick (utls_policy const *policy, char const *sni);
/* Wipes every private key of the policy. */
extern void utls_policy_wipe (utls_policy *policy);

/*
 * The X.509 verifier (a br_x509_class) that the programs hand BearSSL:
 * a wrapper around br_x509_minimal that keeps a copy of the
 * peer's end-entity certificate for the SSL_* variables, checks the
 * host name itself (RFC 6125 for names, iPAddress SANs for IP
 * literals), and implements the pinned-key and insecure modes.
 *
 * Policy on top of BearSSL's, for validated chains (not in the pinned
 * or insecure modes): no certificate signature with SHA-1 or MD5 (the
 * trust anchor's own self-signature is never checked), no RSA key
 * shorter than 2048 bits, and with UTLS_VERIFY_SERVER_AUTH or
 * UTLS_VERIFY_CLIENT_AUTH, the Extended Key Usage of the end-entity and
 * of the intermediate CAs of the path, when present, must allow that
 * purpose (or anyExtendedKeyUsage), as OpenSSL's purpose check does.
 */
#define UTLS_PEERCERT_MAX 16384
enum utls_verifier_flag_e
{
  UTLS_VERIFY_INSECURE = 1 << 0,  /* accept any chain, name and date */
  UTLS_VERIFY_PIN = 1 << 1,       /* accept exactly the pinned public key (SPKI SHA-256) */
  UTLS_VERIFY_SERVER_AUTH = 1 << 2, /* the peer is a TLS server: EKU must allow serverAuth */
  UTLS_VERIFY_CLIENT_AUTH = 1 << 3, /* the peer is a TLS client: EKU must allow clientAuth */
};

/*
 * Deferred trust anchors: called at the end of the peer's chain with the
 * issuer Names of its certificates (DER), it returns the anchors to
 * validate against. 0, or an error code (the chain is then refused).
 * Lets a client read from a large CA store only the few anchors a
 * connection needs.
 */
typedef int utls_verifier_anchor_func (void *data, utls_der const *names, size_t nnames, br_x509_trust_anchor const **tas, size_t *ntas);

#define UTLS_VERIFIER_CHAINBUF 65536

typedef struct utls_verifier_s utls_verifier;
struct utls_verifier_s
{
  br_x509_class const *vtable;
  br_x509_minimal_context minimal;
  br_x509_trust_anchor const *tas; /* the anchors the minimal engine has now */
  size_t ntas;
  uint32_t flags;
  char const *name;             /* host name or IP literal to check, 0 for none */
  unsigned char pin[32];
  unsigned int depth;
  int chain_seen;               /* a non-empty chain was received */
  int err;                      /* BR_ERR_X509_* or UTLS_ERR_* from the last chain, 0 if accepted */
  int own_key;                  /* get_pkey returns pkey below */
  size_t ee_len;
  int ee_overflow;
  br_x509_pkey pkey;
  unsigned char pkey_data[BR_X509_BUFSIZE_KEY];
  unsigned char ee[UTLS_PEERCERT_MAX];
  /* deferred mode: the anchor source; the minimal engine is fed the
     buffered chain at the end. In both modes, the chain is kept for the
     checks above. */
  utls_verifier_anchor_func *anchor_func;
  void *anchor_data;
  size_t chain_len;
  unsigned int ncerts;
  int chain_overflow;
  size_t cert_start[UTLS_CHAIN_MAX + 1];
  unsigned char chain[UTLS_VERIFIER_CHAINBUF];
};

/*
 * flags: utls_verifier_flag_e bits. name: the host name or IP literal the
 * end-entity must be for, or 0. pin: with UTLS_VERIFY_PIN, the SHA-256
 * of the SubjectPublicKeyInfo to accept (32 bytes, copied), else 0.
 */
extern void utls_verifier_init (utls_verifier *verifier, br_x509_trust_anchor const *tas, size_t ntas, uint32_t flags, char const *name, unsigned char const *pin);
/* Switches the verifier to deferred anchors (after utls_verifier_init). */
extern void utls_verifier_defer_anchors (utls_verifier *verifier, utls_verifier_anchor_func *f, void *data);

/*
 * Adds the session facts to the block: SSL_PROTOCOL first, SSL_CIPHER,
 * SSL_CIPHER_USEKEYSIZE, SSL_CIPHER_ALGKEYSIZE, SSL_TLS_SNI_SERVERNAME,
 * SSL_ALPN_PROTOCOL, SSL_SESSION_RESUMED (Resumed if resumed is
 * nonzero, else Initial: BearSSL does not say, the session cache does).
 */
extern void utls_envblock_add_session (utls_envblock *block, br_ssl_engine_context *eng, char const *sni, int resumed);

/*
 * TLS_UID/TLS_GID from the environment: both or none, numeric. Returns
 * when there is nothing to do or it is done, or dies: 100 on a bad
 * value, 111 when a system call fails. setgroups, setgid, setuid, then
 * checks that root cannot be regained. With only_check, nothing
 * changes: values are checked, and so is the ability to switch (root,
 * or the same ids).
 */
extern void utls_drop_privileges (int only_check);

/*
 * Reads the session ID (sid, 32 bytes; *sidlen) and the server name
 * (name, 256 bytes, "" for none) of the ClientHello at the start of buf,
 * as BearSSL will read them, when the first record holds the whole
 * message. Returns 1, or 0 if buf holds no such ClientHello.
 */
extern int utls_clienthello_peek (unsigned char const *buf, size_t len, unsigned char *sid, size_t *sidlen, char *name);

/* Injects 32 bytes from the system's random source. 0 on success, -1 if none. */
extern int utls_engine_seed (br_ssl_engine_context *eng);

#endif
