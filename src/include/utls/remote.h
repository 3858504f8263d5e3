/* ISC license. */

#ifndef UTLS_REMOTE_H
#define UTLS_REMOTE_H

/*
 * Sessions kept outside the machine: a small memcached client and the
 * sealing of what is stored there.
 *
 * The client speaks memcached's text protocol (get, set with noreply)
 * over TCP (IPv4, IPv6) or a Unix socket, non-blocking, every operation
 * bounded by a deadline: a store that is down, slow or answers garbage
 * costs at most that deadline, and the caller goes on without it.
 * With several servers, each key always goes to the same one
 * (rendezvous hashing on the server's own spelling), so losing one
 * loses only its share. Connections are opened on first use and kept
 * for the life of the process (one TLS connection per process).
 *
 * Sealing: entries are encrypted and authenticated (ChaCha20-Poly1305)
 * under keys derived from a 32-byte fleet key file, bound to the name
 * they are stored under; names are keyed hashes, so the store sees
 * neither session IDs nor secrets. A second, older key may be given
 * for reading only: keys rotate without a flag day.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <skalibs/tai.h>

#define UTLS_MC_SERVERS_MAX 16
#define UTLS_MC_ID_MAX 112        /* a server's spelling: "[ipv6]:port" or a socket path */
#define UTLS_MC_NAME_LEN 45       /* "utls:" and 40 hex digits */
#define UTLS_MC_VALUE_MAX 4096    /* larger values are refused (set) or treated as garbage (get) */

typedef struct utls_mc_server_s utls_mc_server;
struct utls_mc_server_s
{
  char id[UTLS_MC_ID_MAX];        /* as written in the specification; a path for a Unix socket */
  char ip[16];
  uint16_t port;
  unsigned char kind;             /* 4, 6, or 0: Unix socket (id is the path) */
  int fd;                         /* the connection, -1 when none */
};

typedef struct utls_mc_s utls_mc;
struct utls_mc_s
{
  utls_mc_server srv[UTLS_MC_SERVERS_MAX];
  unsigned int n;
  char const *why;                /* after a failure: what went wrong, for a -v 2 line */
};

/*
 * Parses "HOST:PORT[,HOST:PORT...]" (IPv4 dotted, or [IPv6] in
 * brackets: numeric only, no resolver in the handshake path) or
 * "/path/to/socket" (the part after "memcached:"). Returns 0, or
 * UTLS_ERR_MCSPEC.
 */
extern int utls_mc_parse (utls_mc *mc, char const *spec);

/* The server that holds name (rendezvous hashing). */
extern utls_mc_server *utls_mc_pick (utls_mc *mc, char const *name);

/*
 * Fetches name. Returns 1 and the value in buf (*len bytes) on a hit,
 * 0 on a miss, -1 on a failure (mc->why says which; the connection is
 * dropped). Never waits past deadline.
 */
extern int utls_mc_get (utls_mc *mc, char const *name, unsigned char *buf, size_t max, size_t *len, tain const *deadline);

/*
 * Stores value under name for exptime seconds (noreply: nothing is
 * waited for but the write). Returns 0, or -1 (mc->why).
 */
extern int utls_mc_set (utls_mc *mc, char const *name, unsigned char const *value, size_t len, unsigned int exptime, tain const *deadline);

/* Closes the connections. */
extern void utls_mc_close (utls_mc *mc);

/* Sealing. */

#define UTLS_SEAL_KEY_SIZE 32
#define UTLS_SEAL_OVERHEAD (4 + 4 + 12 + 16)  /* magic, key id, nonce, tag */

typedef struct utls_sealkey_s utls_sealkey;
struct utls_sealkey_s
{
  unsigned char enc[32];          /* ChaCha20-Poly1305 key */
  unsigned char name[32];         /* HMAC-SHA256 key for names */
  unsigned char id[4];            /* says which key sealed an entry */
  int set;
};

/*
 * Reads a key file: exactly 32 bytes (head -c 32 /dev/urandom), and
 * derives the keys. Returns 0, -1 (errno), or UTLS_ERR_SEALKEY (not
 * 32 bytes). The raw bytes are wiped.
 */
extern int utls_sealkey_readfile (utls_sealkey *k, char const *path);
extern void utls_sealkey_derive (utls_sealkey *k, unsigned char const *raw);
extern void utls_sealkey_wipe (utls_sealkey *k);

/*
 * The name under which what ctx describes is stored: "utls:" and 40
 * hex digits of a keyed hash, NUL-terminated (UTLS_MC_NAME_LEN + 1).
 */
extern void utls_seal_name (char *name, utls_sealkey const *k, unsigned char const *ctx, size_t ctxlen);

/*
 * Seals in (len bytes) for name into out (len + UTLS_SEAL_OVERHEAD
 * bytes). Returns the sealed length, or 0 if no random nonce could be
 * had.
 */
extern size_t utls_seal (unsigned char *out, utls_sealkey const *k, char const *name, unsigned char const *in, size_t len);

/*
 * Opens a sealed value stored under name with whichever of keys[0..n-1]
 * sealed it, into out (len - UTLS_SEAL_OVERHEAD bytes). Returns the
 * plaintext length, or -1: not ours, another key, tampered, or stored
 * under another name. Nothing is left in out on failure.
 */
extern ssize_t utls_unseal (unsigned char *out, utls_sealkey const *keys, unsigned int n, char const *name, unsigned char const *in, size_t len);

#endif
