/* ISC license. */

#ifndef UTLS_H
#define UTLS_H

/*
 * libutls: what the ucspi-tls programs share. Loading of certificates,
 * keys and trust anchors; X.509 facts and distinguished names; the
 * SSL_* environment block; BearSSL error names; the engine loop.
 *
 * Return convention of the loaders: 0 on success, -1 on a system error
 * (errno set), or a positive error code (a BearSSL BR_ERR_* value, or one
 * of the UTLS_ERR_* values below) that utls_error_str() turns into text.
 */

#include <stddef.h>
#include <stdint.h>
#include <bearssl.h>

/* Exit codes, the same values as s6-networking. */
#define UTLS_EXIT_CONFIG 96
#define UTLS_EXIT_SETUP 97
#define UTLS_EXIT_PROTOCOL 98
#define UTLS_EXIT_USAGE 100
#define UTLS_EXIT_BUG 101
#define UTLS_EXIT_SYS 111

/* Our own error codes; kept above BearSSL's range (which ends below 1024). */
enum utls_err_e
{
  UTLS_ERR_NOPEM = 2001,        /* no PEM object of the wanted kind in the file */
  UTLS_ERR_BADPEM,              /* malformed PEM */
  UTLS_ERR_TOOBIG,              /* file larger than the cap */
  UTLS_ERR_NOCERT,              /* no certificate in the file */
  UTLS_ERR_TOOMANY,             /* too many certificates or anchors */
  UTLS_ERR_BADKEY,              /* not a decodable RSA or EC private key */
  UTLS_ERR_KEYTYPE,             /* unsupported key type or curve */
  UTLS_ERR_KEYMISMATCH,         /* private key does not match the certificate */
  UTLS_ERR_BADCERT,             /* certificate cannot be decoded */
  UTLS_ERR_NOANCHOR,            /* no usable trust anchor found */
  UTLS_ERR_BADDER,              /* malformed DER structure */
  UTLS_ERR_NAMEMISMATCH,        /* peer certificate does not match the wanted name */
  UTLS_ERR_PINMISMATCH,         /* peer public key does not match the pin */
  UTLS_ERR_NOCLIENTCERT,        /* a client certificate was required and none came */
  UTLS_ERR_TIMEOUT,             /* handshake timeout */
  UTLS_ERR_PEEREOF,             /* peer closed the connection without close_notify */
  UTLS_ERR_INJECTION,           /* peer sent bytes before the ClientHello (client, delayed mode) */
  UTLS_ERR_IDLE,                /* no data either way for the idle timeout */
  UTLS_ERR_STALLED,             /* the peer did not read what we had to send, for the write timeout */
  UTLS_ERR_APPGONE,             /* the application exited before the handshake facts could reach it */
  UTLS_ERR_ENVFULL,             /* the handshake facts do not fit in the environment block */
  UTLS_ERR_SIGSHA1,             /* a certificate of the peer chain is signed with SHA-1 */
  UTLS_ERR_SIGMD5,              /* a certificate of the peer chain is signed with MD5 */
  UTLS_ERR_RSASHORT,            /* an RSA key of the peer chain has fewer than 2048 bits */
  UTLS_ERR_EKUCLIENT,           /* peer chain not valid for TLS client authentication (EKU) */
  UTLS_ERR_EKUSERVER,           /* peer chain not valid for TLS server authentication (EKU) */
  UTLS_ERR_RESUMENAME,          /* a resumed session's server name is not the one its ClientHello was read with */
  UTLS_ERR_MCSPEC,              /* malformed memcached server list */
  UTLS_ERR_SEALKEY,             /* a session key file is not exactly 32 bytes */
  UTLS_ERR_MAX
};

/* Caps on configuration input. */
#define UTLS_CERTFILE_MAX 65536
#define UTLS_KEYFILE_MAX 16384
#define UTLS_CHAIN_MAX 16
#define UTLS_ANCHORS_MAX 4096
#define UTLS_SNI_MAX 64
#define UTLS_NAME_MAX 253

/* Error text: "peer certificate expired", "received alert handshake_failure", ... */
extern char const *utls_error_str (int err);

/*
 * Certificate chain, as BearSSL wants it for the server (or for a client
 * certificate). All storage is owned and freed by utls_chain_free.
 * ee_key is the public key of certs[0], kept by utls_chain_readfile so
 * that the key checks below need not decode the certificate again; its
 * pointers point into certs[0].data. key_type 0 means not kept (the
 * checks then decode certs[0] themselves).
 */
typedef struct utls_chain_s utls_chain;
struct utls_chain_s
{
  br_x509_certificate *certs;
  size_t ncerts;
  br_x509_pkey ee_key;
};
#define UTLS_CHAIN_ZERO { .certs = 0, .ncerts = 0, .ee_key = { .key_type = 0 } }

/* PEM (one or more CERTIFICATE objects) or DER (one certificate). */
extern int utls_chain_readfile (utls_chain *chain, char const *file);
extern void utls_chain_free (utls_chain *chain);

/* Private key, with storage inside the struct: no pointer outside. */
typedef struct utls_skey_s utls_skey;
struct utls_skey_s
{
  int type;                     /* BR_KEYTYPE_RSA or BR_KEYTYPE_EC, 0 if empty */
  union
  {
    br_rsa_private_key rsa;
    br_ec_private_key ec;
  } key;
  unsigned char data[BR_RSA_KBUF_PRIV_SIZE(4096) + 16];
};
#define UTLS_SKEY_ZERO { .type = 0 }

/* PEM (RSA PRIVATE KEY, EC PRIVATE KEY, PRIVATE KEY) or DER; PKCS#1, SEC1, PKCS#8. */
extern int utls_skey_readfile (utls_skey *key, char const *file);
extern void utls_skey_wipe (utls_skey *key);
/*
 * Key and certificate checks. Both return 0, UTLS_ERR_NOCERT (empty
 * chain), UTLS_ERR_BADKEY (empty key, or an RSA key whose modulus cannot
 * be computed), UTLS_ERR_BADCERT, or UTLS_ERR_KEYMISMATCH.
 *
 * utls_skey_fits_chain is the cheap check, for every connection: same
 * key type; for RSA, the same modulus (exact); for EC, only the same
 * curve, so that a wrong EC key of the right curve passes it. A few
 * microseconds with a chain from utls_chain_readfile.
 *
 * utls_skey_matches_chain is the full check: key is the private half of
 * the public key in chain->certs[0]. For EC it derives the public point
 * (a scalar multiplication, about 0.4 ms on P-256), and it returns
 * UTLS_ERR_KEYTYPE if the private scalar is not valid. Use it for checks
 * at start-up and to explain a handshake that failed.
 */
extern int utls_skey_fits_chain (utls_skey const *key, utls_chain const *chain);
extern int utls_skey_matches_chain (utls_skey const *key, utls_chain const *chain);

/* A DER element inside a caller's buffer. */
typedef struct utls_der_s utls_der;
struct utls_der_s
{
  unsigned char const *s;
  size_t len;
};

/* Trust anchors, with owned storage. */
typedef struct utls_anchors_s utls_anchors;
struct utls_anchors_s
{
  br_x509_trust_anchor *tas;
  size_t n;
  size_t alloc;
};
#define UTLS_ANCHORS_ZERO { .tas = 0, .n = 0, .alloc = 0 }

/* Add every certificate of a PEM bundle (or one DER certificate) as an anchor. */
extern int utls_anchors_readfile (utls_anchors *anchors, char const *file);
/* Add one anchor per regular file of the directory (files that are not certificates are skipped). */
extern int utls_anchors_readdir (utls_anchors *anchors, char const *dir);
/*
 * Same as utls_anchors_readfile/readdir, but only certificates whose
 * subject Name (DER, byte-equal: BearSSL compares DNs the same way) is
 * one of names[] become anchors. Finding none is not an error (returns 0
 * with nothing added).
 */
extern int utls_anchors_readfile_for (utls_anchors *anchors, char const *file, utls_der const *names, size_t nnames);
extern int utls_anchors_readdir_for (utls_anchors *anchors, char const *dir, utls_der const *names, size_t nnames);
extern void utls_anchors_free (utls_anchors *anchors);

/*
 * The certificates of a CA file, out of their PEM but not decoded as
 * X.509, each with its subject Name: the file is read once, and anchors
 * are picked from memory later (tlsc reads CAFILE at start and picks
 * when the server's chain has come).
 */
typedef struct utls_cabundle_cert_s utls_cabundle_cert;
struct utls_cabundle_cert_s
{
  utls_der der;                 /* the certificate, inside the bundle's data */
  utls_der subject;             /* whole Name; s is 0 if only BearSSL could read the certificate */
};

typedef struct utls_cabundle_s utls_cabundle;
struct utls_cabundle_s
{
  unsigned char *data;          /* the certificates, back to back */
  size_t len;
  utls_cabundle_cert *certs;
  size_t n;
  size_t alloc;
};
#define UTLS_CABUNDLE_ZERO { .data = 0, .len = 0, .certs = 0, .n = 0, .alloc = 0 }

/*
 * Fills an empty *bundle from a PEM bundle (or one DER certificate),
 * with the checks of utls_anchors_readfile_for(anchors, file, 0, 0): same
 * errors, UTLS_ERR_NOCERT if there is no certificate at all. On failure
 * *bundle stays empty.
 */
extern int utls_cabundle_readfile (utls_cabundle *bundle, char const *file);
/*
 * Appends the anchors utls_anchors_readfile_for(anchors, file, names,
 * nnames) would append, from the bundle of that file, with the same
 * result; on failure, what this call added is removed.
 */
extern int utls_cabundle_select (utls_anchors *anchors, utls_cabundle const *bundle, utls_der const *names, size_t nnames);
/* Wipes and frees the bundle; *bundle is then empty. */
extern void utls_cabundle_free (utls_cabundle *bundle);

/*
 * X.509 facts, from a DER certificate, without allocation. All pointers
 * point into the certificate given to utls_x509_parse.
 */

/*
 * Extended Key Usage (RFC 5280 4.2.1.12) as bits: UTLS_EKU_PRESENT when
 * the extension is there, then one bit per purpose we care about; other
 * purposes are ignored. Without UTLS_EKU_PRESENT any use is allowed.
 */
enum utls_eku_e
{
  UTLS_EKU_PRESENT = 1 << 0,
  UTLS_EKU_SERVER = 1 << 1,     /* id-kp-serverAuth 1.3.6.1.5.5.7.3.1 */
  UTLS_EKU_CLIENT = 1 << 2,     /* id-kp-clientAuth 1.3.6.1.5.5.7.3.2 */
  UTLS_EKU_ANY = 1 << 3,        /* anyExtendedKeyUsage 2.5.29.37.0 */
};

typedef struct utls_x509_info_s utls_x509_info;
struct utls_x509_info_s
{
  utls_der serial;              /* INTEGER contents */
  utls_der issuer;              /* whole Name (tag and length included) */
  utls_der subject;             /* whole Name */
  utls_der spki;                /* whole SubjectPublicKeyInfo */
  utls_der san;                 /* contents of the GeneralNames SEQUENCE, empty if absent */
  utls_der sigalg;              /* OID contents of the outer signatureAlgorithm */
  unsigned int eku;             /* UTLS_EKU_* bits, 0 if there is no EKU extension */
  int64_t not_before;           /* seconds since the Unix epoch, UTC */
  int64_t not_after;
};

/* 0 or UTLS_ERR_BADDER (also for a malformed or repeated EKU extension). */
extern int utls_x509_parse (utls_x509_info *info, unsigned char const *der, size_t len);

/* 1 if the certificate's Extended Key Usage allows purpose (UTLS_EKU_SERVER or UTLS_EKU_CLIENT), else 0. */
extern int utls_x509_eku_allows (utls_x509_info const *info, unsigned int purpose);

/*
 * Iterate over SubjectAltName entries: *pos starts at 0. Returns 1 and
 * fills type (the GeneralName context tag: 1 rfc822Name, 2 dNSName,
 * 7 iPAddress, ...) and value, 0 at the end, -1 on malformed input.
 */
extern int utls_x509_san_next (utls_x509_info const *info, size_t *pos, unsigned int *type, utls_der *value);

/*
 * The names a certificate is for, as a client checks them (RFC 6125):
 * its dNSName SubjectAltName entries and its iPAddress ones of 4 or 16
 * bytes, in order; then, if there was none of those, the most specific
 * CN of its subject. That CN only names the host when the certificate
 * has no SubjectAltName extension at all (RFC 6125 6.4.4): cn_counts
 * says so (a message may still show it). The walk ends at a malformed
 * entry. Start with *name = UTLS_CERTNAME_ZERO; returns 1 and fills
 * type and value, or 0 at the end.
 */
enum utls_certname_type_e
{
  UTLS_CERTNAME_DNS = 2,        /* dNSName: value is its bytes, in the certificate */
  UTLS_CERTNAME_IP = 7,         /* iPAddress: 4 or 16 bytes, in the certificate */
  UTLS_CERTNAME_CN = 256,       /* subject CN: value is cn, escaped as utls_dn_attr does */
};
typedef struct utls_certname_s utls_certname;
struct utls_certname_s
{
  unsigned int type;
  utls_der value;
  int cn_counts;
  char cn[UTLS_NAME_MAX + 1];
  size_t pos;                   /* the walk: where it is in the SubjectAltName */
  unsigned int found;           /* SubjectAltName names returned */
  int ended;
};
#define UTLS_CERTNAME_ZERO { .type = 0, .value = { .s = 0, .len = 0 }, .cn_counts = 0, .pos = 0, .found = 0, .ended = 0 }
extern int utls_x509_name_next (utls_x509_info const *info, utls_certname *name);

/*
 * RFC 4514 string of a DER Name: most specific RDN first, "," separated,
 * special characters escaped, control characters and non-UTF-8 bytes as
 * \XX. Returns the length written (without the NUL, always written when
 * max > 0), or 0 if the Name is malformed or does not fit.
 */
extern size_t utls_dn_format (char *out, size_t max, unsigned char const *name, size_t namelen);

/* OBJECT IDENTIFIER contents (no tag, no length) of id-at-commonName, 2.5.4.3. */
#define UTLS_OID_CN "\x55\x04\x03"
#define UTLS_OID_CN_LEN 3

/*
 * Value of the first (most specific) attribute with that OID (DER
 * contents, e.g. 55 04 03 for CN) in a Name, escaped like utls_dn_format
 * does for values but without RFC 4514 special-character escaping.
 * Returns the length, or 0 if absent, malformed or too long.
 */
extern size_t utls_dn_attr (char *out, size_t max, unsigned char const *name, size_t namelen, unsigned char const *oid, size_t oidlen);

/* "Jan  2 15:04:05 2025 GMT", as mod_ssl prints validity dates. Returns the length. */
extern size_t utls_time_fmt (char *out, size_t max, int64_t t);

/*
 * RFC 6125 host name matching: pattern from a certificate (dNSName or
 * CN), host as wanted by the client. Case-insensitive; "*" only as the
 * whole leftmost label, matching exactly one label, and never for a
 * pattern with fewer than two labels after it. Returns 1 on match.
 */
extern int utls_hostname_match (char const *pattern, size_t patternlen, char const *host);

/*
 * 1 if s is a host name as SNI carries it and as the programs accept
 * and export it: 1 to UTLS_NAME_MAX bytes of letters, digits, '.', '-'
 * and '_'. With wildcard_ok, "*." followed by such a name too (the
 * names of CERTFILE:name variables). Else 0.
 */
extern int utls_hostname_check (char const *s, int wildcard_ok);

/*
 * Environment block: "NAME=value\0" entries followed by one more "\0"
 * when finished. It is both what tlsd hands over to the application and
 * what the UCSPI-TLS "Y" command writes on the control descriptor.
 */
#define UTLS_ENVBLOCK_MAX 16384
typedef struct utls_envblock_s utls_envblock;
struct utls_envblock_s
{
  size_t len;
  int overflow;
  char buf[UTLS_ENVBLOCK_MAX];
};
#define UTLS_ENVBLOCK_ZERO { .len = 0, .overflow = 0 }

/* Adds NAME=value; does nothing when value is empty. Sets overflow if full. */
extern void utls_envblock_add (utls_envblock *block, char const *name, char const *value);
/* Adds the final empty entry. Returns 1, or 0 if the block overflowed. */
extern int utls_envblock_finish (utls_envblock *block);

/*
 * Adds the peer certificate facts: <prefix>S_DN, <prefix>S_DN_CN,
 * <prefix>S_DN_Email, <prefix>I_DN, <prefix>M_SERIAL, <prefix>V_START,
 * <prefix>V_END, SSL_PEER_CERT_HASH (SHA256: + lowercase hex of the DER
 * certificate) and SSL_PEER_CERT_SUBJECT (same as S_DN). prefix is
 * "SSL_CLIENT_" or "SSL_SERVER_". Returns 0, or UTLS_ERR_BADDER.
 */
extern int utls_envblock_add_peer (utls_envblock *block, char const *prefix, unsigned char const *der, size_t len);

/* Cipher suite facts: OpenSSL-style name ("ECDHE-ECDSA-AES128-GCM-SHA256"), key bits. 0 if unknown. */
typedef struct utls_suite_info_s utls_suite_info;
struct utls_suite_info_s
{
  uint16_t id;
  char const *name;
  unsigned int usekeysize;
  unsigned int algkeysize;
};
extern utls_suite_info const *utls_suite_find (uint16_t id);

/*
 * A SHA-256 public key (SPKI) pin: "sha256//BASE64" (curl's form),
 * "SHA256:HEX" or 64 hex digits. Returns 1 and fills out[32], or 0.
 */
extern int utls_pin_scan (char const *s, unsigned char *out);

/* "TLSv1.2" etc., or 0. */
extern char const *utls_version_str (unsigned int version);

#endif
