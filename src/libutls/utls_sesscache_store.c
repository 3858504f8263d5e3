/* ISC license. */

#include <string.h>

#include <skalibs/bytestr.h>

#include <utls/sesscache.h>
#include "sesscache-internal.h"

/*
 * Which slot of the bucket to write, best first: one that holds this id
 * already, an empty one, an expired one or one a dead writer left, then
 * the others oldest first. Slots being written by a live writer are
 * left out: an entry is never waited for.
 */
static unsigned int order (utls_sesscache const *c, uint32_t b, unsigned int role, unsigned char const *id, int64_t now, uint32_t *out)
{
  int64_t rank[UTLS_SC_WAYS];
  unsigned int i, j, n = 0;
  for (i = 0; i < UTLS_SC_WAYS; i++)
  {
    utlsp_scslot const *slot = utlsp_sc_slot(c, b + i);
    uint32_t seq = __atomic_load_n(&slot->seq, __ATOMIC_ACQUIRE);
    int64_t created = slot->created;
    int64_t r;
    if (seq & 1)
    {
      if ((uint32_t)now - __atomic_load_n(&slot->claimed, __ATOMIC_RELAXED) < UTLS_SC_STALE) continue;
      r = INT64_MIN + 2;
    }
    else if (slot->role == role && !memcmp((void const *)slot->id, id, 32)) r = INT64_MIN;
    else if (slot->role == UTLS_SC_EMPTY) r = INT64_MIN + 1;
    else if (utlsp_sc_expired(created, now, c->lifetime)) r = INT64_MIN + 2;
    else r = created;
    for (j = n; j > 0 && rank[j - 1] > r; j--) { rank[j] = rank[j - 1]; out[j] = out[j - 1]; }
    rank[j] = r;
    out[j] = b + i;
    n++;
  }
  return n;
}

static void fill (utlsp_scslot *slot, unsigned int role, utls_sessentry const *e)
{
  size_t namelen = strlen(e->name);
  if (namelen > UTLS_NAME_MAX) namelen = 0;
  slot->role = (uint8_t)role;
  slot->sid_len = e->params.session_id_len;
  slot->namelen = (uint8_t)namelen;
  slot->version = e->params.version;
  slot->suite = e->params.cipher_suite;
  slot->factslen = (uint16_t)e->factslen;
  slot->created = e->created;
  memcpy(slot->id, e->id, 32);
  memcpy(slot->bind, e->bind, 32);
  memcpy(slot->sid, e->params.session_id, 32);
  memcpy(slot->master, e->params.master_secret, 48);
  memcpy(slot->name, e->name, namelen);
  memcpy(slot->facts, e->facts, e->factslen);
}

/* One more slot per store, round the file: expired entries do not
   wait for their bucket to be used again to be wiped. */
static void sweep (utls_sesscache *c, int64_t now)
{
  utlsp_schdr *h = (utlsp_schdr *)c->map;
  uint32_t i = __atomic_fetch_add(&h->sweep, 1, __ATOMIC_RELAXED) % c->nslots;
  utlsp_scslot *slot = utlsp_sc_slot(c, i);
  uint32_t seq;
  if (slot->role == UTLS_SC_EMPTY || (__atomic_load_n(&slot->seq, __ATOMIC_ACQUIRE) & 1)) return;
  if (!utlsp_sc_expired(slot->created, now, c->lifetime)) return;
  if (!utlsp_sc_claim(slot, (uint32_t)now, &seq)) return;
  /* Another writer may have put a fresh entry there since we looked. */
  if (utlsp_sc_expired(slot->created, now, c->lifetime)) utlsp_sc_wipe(slot);
  utlsp_sc_release(slot, seq);
}

int utls_sesscache_store (utls_sesscache *c, unsigned int role, utls_sessentry const *e, int64_t now)
{
  uint32_t cand[UTLS_SC_WAYS];
  unsigned int n, i;
  uint32_t b;
  if (e->factslen > UTLS_SC_FACTS_MAX || e->params.session_id_len > 32) return 0;
  if (c->remote) return utlsp_sc_remote_store(c, role, e, now);
  if (!c->map || !c->lifetime) return 0;
  b = utlsp_sc_bucket(c, role, e->id);
  n = order(c, b, role, e->id, now, cand);
  for (i = 0; i < n; i++)
  {
    utlsp_scslot *slot = utlsp_sc_slot(c, cand[i]);
    uint32_t seq;
    if (!utlsp_sc_claim(slot, (uint32_t)now, &seq)) continue;
    utlsp_sc_wipe(slot);
    fill(slot, role, e);
    utlsp_sc_sum(slot, slot->sum);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    utlsp_sc_release(slot, seq);
    sweep(c, now);
    return 1;
  }
  sweep(c, now);
  return 0;
}
