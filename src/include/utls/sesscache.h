/* ISC license. */

#ifndef UTLS_SESSCACHE_H
#define UTLS_SESSCACHE_H

/*
 * The shared session cache: a fixed-size file that every engine process
 * maps shared (MAP_SHARED), so that a session made by one connection's
 * process can be resumed by another's. No daemon and no lock held
 * across a handshake: each slot has a sequence counter (odd while a
 * writer is in it) and a checksum of its contents, so a reader never
 * accepts an entry that a writer left half written, even one killed in
 * the middle (its slot is taken back after UTLS_SC_STALE seconds).
 *
 * Layout: a 4096-byte header (magic, format version, slot size, number
 * of slots, the random key of the slot hash), then nslots slots of
 * UTLS_SC_SLOT bytes. A key (server: the session ID; client: a digest
 * of the server's identity) lives in one bucket of UTLS_SC_WAYS
 * consecutive slots, chosen by a hash keyed with the file's key; a full
 * bucket evicts its oldest entry. Entries that are evicted, expired or
 * swept are wiped.
 */

#include <stddef.h>
#include <stdint.h>
#include <bearssl.h>

#include <utls/utls.h>
#include <utls/remote.h>

#define UTLS_SC_SLOT 2048
#define UTLS_SC_HEADER 4096
#define UTLS_SC_WAYS 4
#define UTLS_SC_STALE 2
#define UTLS_SC_FACTS_MAX 1592
/* Entries (slots) of a new file, and the limits of TLS_SESSION_CACHE_SIZE. */
#define UTLS_SC_DEFAULT_SLOTS 4096
#define UTLS_SC_MIN_SLOTS 4
#define UTLS_SC_MAX_SLOTS (1U << 20)
/* Seconds a session may be resumed after its full handshake. */
#define UTLS_SC_DEFAULT_LIFETIME 3600
#define UTLS_SC_MAX_LIFETIME 86400

enum utls_sc_role_e
{
  UTLS_SC_EMPTY = 0,
  UTLS_SC_SERVER = 1,
  UTLS_SC_CLIENT = 2,
};

typedef struct utls_sessremote_s utls_sessremote;

typedef struct utls_sesscache_s utls_sesscache;
struct utls_sesscache_s
{
  unsigned char *map;           /* the file's mapping; 0: no file */
  size_t len;
  uint32_t nslots;
  uint32_t lifetime;            /* seconds */
  utls_sessremote *remote;      /* memcached instead of a file (utls_sesscache_open_remote); 0: none */
  char const *why;              /* remote: what went wrong last, for a -v 2 line; the caller clears it */
};
#define UTLS_SESSCACHE_ZERO { .map = 0, .len = 0, .nslots = 0, .lifetime = 0, .remote = 0, .why = 0 }

/* Whether c holds a cache, a file or a remote one. */
#define utls_sesscache_ready(c) ((c)->map || (c)->remote)

/* One entry, as the caller sees it (the file's slot adds the counter and checksum). */
typedef struct utls_sessentry_s utls_sessentry;
struct utls_sessentry_s
{
  unsigned char id[32];         /* server: the session ID; client: digest of the server's identity */
  unsigned char bind[32];       /* what the session is bound to (certificate, trust, client-cert mode) */
  br_ssl_session_parameters params;
  int64_t created;              /* time of the full handshake (seconds since the epoch) */
  char name[UTLS_NAME_MAX + 1]; /* server: the SNI name it was made with, "" for none */
  size_t factslen;
  char facts[UTLS_SC_FACTS_MAX]; /* NAME=value\0 entries the application got (peer certificate facts) */
};

/*
 * Opens path, or creates it (mode 0600, nslots slots) if it does not
 * exist, maps it and closes the descriptor: nothing is left for an
 * exec'ed program to inherit, and the mapping goes with exec. A symlink,
 * a file that is not ours or that group or others may read or write, a
 * bad header or a size that does not match it is refused. Returns 0,
 * or -1 with *why saying what is wrong (errno's text for a system
 * error); c is then unusable (c->map is 0).
 */
extern int utls_sesscache_open (utls_sesscache *c, char const *path, uint32_t nslots, uint32_t lifetime, char const **why);

/*
 * Looks for the entry of role with this id, created within the lifetime
 * at now (a later creation time counts as expired). Copies it to out
 * and returns 1, or returns 0. An expired entry found is wiped. The
 * caller wipes out after use (it holds a master secret).
 */
extern int utls_sesscache_fetch (utls_sesscache *c, unsigned int role, unsigned char const *id, int64_t now, utls_sessentry *out);

/*
 * Stores e (e->factslen <= UTLS_SC_FACTS_MAX) for role, replacing an
 * entry with the same id, else taking an empty or expired slot of its
 * bucket, else evicting the oldest. Also sweeps one more slot of the
 * file (wipes it if expired). Returns 1 if stored, 0 if every slot of
 * the bucket was being written by others (the session is then only not
 * resumable).
 */
extern int utls_sesscache_store (utls_sesscache *c, unsigned int role, utls_sessentry const *e, int64_t now);

/*
 * Sessions in memcached instead of a file, for a fleet of machines
 * (utls/remote.h): spec is what follows "memcached:"; entries are sealed
 * under keys[0] and opened with any of keys[0..nkeys-1] (nkeys 1 or 2:
 * the current key, then an older one); every memcached operation is
 * bounded by timeout_ms. The same fetch and store then go to memcached:
 * a store that is down, slow or answers garbage is a miss, c->why says
 * why. Returns 0, or UTLS_ERR_MCSPEC.
 */
extern int utls_sesscache_open_remote (utls_sesscache *c, char const *spec, utls_sealkey const *keys, unsigned int nkeys, uint32_t lifetime, unsigned int timeout_ms);

/* Unmaps the file, or closes the remote connections and wipes the keys. */
extern void utls_sesscache_close (utls_sesscache *c);

#endif
