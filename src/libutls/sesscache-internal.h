/* ISC license. */

#ifndef UTLS_SESSCACHE_INTERNAL_H
#define UTLS_SESSCACHE_INTERNAL_H

/*
 * The session cache file's layout and the slot protocol, shared by
 * utls_sesscache_*.c. Not installed.
 *
 * A slot's seq is even when the slot is stable, odd while one writer is
 * in it. A writer takes a slot by moving seq from even s to s + 1 with a
 * compare-and-swap, writes the entry and its checksum, and releases it
 * with s + 2. A reader reads seq, copies the slot, reads seq again, and
 * accepts the copy only if both were the same even value and the
 * checksum of the copy is right. A writer that dies in the slot leaves
 * seq odd: after UTLS_SC_STALE seconds (claimed says since when) another
 * writer takes it over (odd s to s + 2). If the first one was only slow,
 * both write at once; the checksum then fails and readers refuse the
 * slot until it is written again. Nothing waits: a busy slot is a miss.
 */

#include <stddef.h>
#include <stdint.h>

#include <utls/sesscache.h>

#define UTLSP_SC_MAGIC "utlsSC\r\n"
#define UTLSP_SC_FORMAT 1

typedef struct utlsp_schdr_s utlsp_schdr;
struct utlsp_schdr_s
{
  char magic[8];
  uint32_t format;
  uint32_t hdrsize;
  uint32_t slotsize;
  uint32_t nslots;
  uint32_t sweep;               /* next slot the sweep looks at (atomic) */
  uint32_t pad;
  unsigned char key[32];        /* keys the slot hash: random at creation */
};

typedef struct utlsp_scslot_s utlsp_scslot;
struct utlsp_scslot_s
{
  uint32_t seq;
  uint32_t claimed;             /* low 32 bits of the time a writer took the slot */
  unsigned char sum[24];        /* the first 24 bytes of SHA-256(role..facts[factslen]) */
  /* checksummed from here */
  uint8_t role;
  uint8_t sid_len;
  uint8_t namelen;
  uint8_t pad0;
  uint16_t version;
  uint16_t suite;
  uint16_t factslen;
  uint16_t pad1;
  uint32_t pad2;
  int64_t created;
  unsigned char id[32];
  unsigned char bind[32];
  unsigned char sid[32];
  unsigned char master[48];
  char name[256];
  char facts[UTLS_SC_FACTS_MAX];
};

#define UTLSP_SC_SUMSTART offsetof(utlsp_scslot, role)
#define UTLSP_SC_FIXED offsetof(utlsp_scslot, facts)

/* The slot of index i. */
#define utlsp_sc_slot(c, i) ((utlsp_scslot *)((c)->map + UTLS_SC_HEADER + (size_t)(i) * UTLS_SC_SLOT))

/* The first slot of id's bucket. */
extern uint32_t utlsp_sc_bucket (utls_sesscache const *c, unsigned int role, unsigned char const *id);
/* Checksum of a (private copy of a) slot into out[24]. */
extern void utlsp_sc_sum (utlsp_scslot const *s, unsigned char *out);
/* Copies a stable slot into *out. 1 if the copy is consistent (same even seq before and after, right checksum), else 0. */
extern int utlsp_sc_read (utlsp_scslot *slot, utlsp_scslot *out);
/* Takes slot for writing: 1 if taken (*seq is the odd value now in it), 0 if busy. */
extern int utlsp_sc_claim (utlsp_scslot *slot, uint32_t now, uint32_t *seq);
/* Ends a write started with utlsp_sc_claim. */
extern void utlsp_sc_release (utlsp_scslot *slot, uint32_t seq);
/* Wipes the slot's contents (the caller holds it). */
extern void utlsp_sc_wipe (utlsp_scslot *slot);
/* 1 if an entry created at created is past the lifetime at now. */
#define utlsp_sc_expired(created, now, lifetime) ((created) > (now) || (now) - (created) >= (int64_t)(lifetime))

/* The memcached backend (utls_sesscache_open_remote). */
struct utls_sessremote_s
{
  utls_mc mc;
  utls_sealkey keys[2];         /* [0] seals and reads, [1] (an older key) only reads */
  unsigned int nkeys;
  unsigned int timeout_ms;      /* for each memcached operation */
};

extern int utlsp_sc_remote_fetch (utls_sesscache *c, unsigned int role, unsigned char const *id, int64_t now, utls_sessentry *out);
extern int utlsp_sc_remote_store (utls_sesscache *c, unsigned int role, utls_sessentry const *e, int64_t now);
extern void utlsp_sc_remote_close (utls_sesscache *c);

#endif
