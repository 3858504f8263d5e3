/* ISC license. */

#ifndef UTLS_PROXY_INTERNAL_H
#define UTLS_PROXY_INTERNAL_H

/*
 * The PROXY protocol header parser of proxy-accept (HAProxy's
 * specification, versions 1 and 2). Pure functions on a buffer that
 * holds exactly one header: no I/O, no allocation, so that the fuzz
 * target (tests/fuzz/fuzz_proxy.c) drives them directly.
 */

#include <stddef.h>
#include <stdint.h>

/* v1: "PROXY " ... "\r\n", 107 bytes at most, the CRLF included. */
#define TLSP_PROXY_V1_MAX 107
#define TLSP_PROXY_V1_PREFIX "PROXY "
/* v2: a 16-byte fixed part (12 of signature), then up to 65535 bytes. */
#define TLSP_PROXY_V2_FIXED 16
#define TLSP_PROXY_V2_MAX (16 + 65535)
#define TLSP_PROXY_V2_SIG "\r\n\r\n\0\r\nQUIT\n"
#define TLSP_PROXY_V2_SIGLEN 12
/* The longest TLV value exported in the environment. */
#define TLSP_PROXY_VALUE_MAX 255
/* proxy-accept's -a: at most this many trusted sources (tlsserver -A too). */
#define TLSP_PROXY_TRUST_MAX 64
/* inet_ntop's longest output, NUL included. */
#define TLSP_PROXY_IP_FMT 46

enum tlsp_proxy_family_e
{
  TLSP_PROXY_UNKNOWN = 0,   /* v1 UNKNOWN, v2 AF_UNSPEC: keep the real addresses */
  TLSP_PROXY_TCP4 = 1,
  TLSP_PROXY_TCP6 = 2,
  TLSP_PROXY_UNIX = 3,      /* v2 AF_UNIX: no IP to give, keep the real addresses */
};

/* The exported TLV values, in the order of tlsp_proxy_value_names. */
enum tlsp_proxy_value_e
{
  TLSP_PROXY_ALPN = 0,
  TLSP_PROXY_AUTHORITY,
  TLSP_PROXY_SSL_VERSION,
  TLSP_PROXY_SSL_CN,
  TLSP_PROXY_SSL_CIPHER,
  TLSP_PROXY_SSL_SIG_ALG,
  TLSP_PROXY_SSL_KEY_ALG,
  TLSP_PROXY_NVALUES
};

/* v2 SSL TLV, client field bits. */
enum tlsp_proxy_ssl_client_e
{
  TLSP_PROXY_CLIENT_SSL = 1 << 0,
  TLSP_PROXY_CLIENT_CERT_CONN = 1 << 1,
  TLSP_PROXY_CLIENT_CERT_SESS = 1 << 2,
};

typedef struct tlsp_proxy_value_s tlsp_proxy_value;
struct tlsp_proxy_value_s
{
  char const *s;             /* into the header buffer; not NUL-terminated */
  size_t len;                /* 0: absent */
};

typedef struct tlsp_proxy_s tlsp_proxy;
struct tlsp_proxy_s
{
  unsigned int version;      /* 1 or 2 */
  int local;                 /* v2 LOCAL command (health check) */
  unsigned int family;       /* tlsp_proxy_family_e */
  char remoteip[TLSP_PROXY_IP_FMT];   /* source: the client */
  char localip[TLSP_PROXY_IP_FMT];    /* destination: the balancer's front */
  uint16_t remoteport;
  uint16_t localport;
  int has_crc;               /* a CRC32C TLV was there, and matched */
  int has_ssl;               /* an SSL TLV was there */
  unsigned int ssl_client;   /* tlsp_proxy_ssl_client_e bits */
  uint32_t ssl_verify;       /* 0: client certificate verified */
  tlsp_proxy_value values[TLSP_PROXY_NVALUES];
  unsigned int dropped;      /* bit i: value i was there, unusable as an environment value */
};
#define TLSP_PROXY_ZERO { .version = 0, .local = 0, .family = 0, .remoteip = "", .localip = "", .remoteport = 0, .localport = 0, .has_crc = 0, .has_ssl = 0, .ssl_client = 0, .ssl_verify = 0, .values = { { 0, 0 } }, .dropped = 0 }

/* Environment names of the values, without the PROXY_ prefix. */
extern char const *const tlsp_proxy_value_names[TLSP_PROXY_NVALUES];

/* CRC32C (Castagnoli), the v2 checksum: crc is 0 to start, the previous result to go on. */
extern uint32_t tlsp_crc32c (uint32_t crc, unsigned char const *s, size_t len);

/*
 * v1: s is one whole line, "PROXY " to "\r\n" included, len <=
 * TLSP_PROXY_V1_MAX. Returns 1 and fills p, or 0 with *why set.
 */
extern int tlsp_proxy_v1_parse (char const *s, size_t len, tlsp_proxy *p, char const **why);

/*
 * v2: the fixed part (TLSP_PROXY_V2_FIXED bytes). Returns the whole
 * header's length, or 0 with *why set (signature, version or command).
 */
extern size_t tlsp_proxy_v2_length (unsigned char const *fixed, char const **why);

/*
 * v2: s is the whole header (len is what tlsp_proxy_v2_length said).
 * Checks the family and its length, walks the TLVs, verifies the
 * CRC32C. Returns 1 and fills p (values point into s), or 0 with *why.
 */
extern int tlsp_proxy_v2_parse (unsigned char const *s, size_t len, tlsp_proxy *p, char const **why);

#endif
