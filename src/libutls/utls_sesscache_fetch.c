/* ISC license. */

#include <string.h>

#include <skalibs/bytestr.h>

#include <utls/sesscache.h>
#include "sesscache-internal.h"

/* An expired entry is wiped at once, if no writer is in its slot. */
static void wipe_expired (utlsp_scslot *slot, uint32_t now)
{
  uint32_t seq;
  if (!utlsp_sc_claim(slot, now, &seq)) return;
  utlsp_sc_wipe(slot);
  utlsp_sc_release(slot, seq);
}

int utls_sesscache_fetch (utls_sesscache *c, unsigned int role, unsigned char const *id, int64_t now, utls_sessentry *out)
{
  static utlsp_scslot copy;
  uint32_t b, i;
  int found = 0;
  if (c->remote) return utlsp_sc_remote_fetch(c, role, id, now, out);
  if (!c->map || !c->lifetime) return 0;
  b = utlsp_sc_bucket(c, role, id);
  for (i = 0; i < UTLS_SC_WAYS && !found; i++)
  {
    utlsp_scslot *slot = utlsp_sc_slot(c, b + i);
    /* Cheap filter on the live slot first; the copy decides. */
    if (slot->role != role || memcmp((void const *)slot->id, id, 32)) continue;
    if (!utlsp_sc_read(slot, &copy)) continue;
    if (copy.role != role || memcmp(copy.id, id, 32)) goto next;
    if (utlsp_sc_expired(copy.created, now, c->lifetime))
    {
      wipe_expired(slot, (uint32_t)now);
      goto next;
    }
    memcpy(out->id, copy.id, 32);
    memcpy(out->bind, copy.bind, 32);
    memset(&out->params, 0, sizeof out->params);
    memcpy(out->params.session_id, copy.sid, 32);
    out->params.session_id_len = copy.sid_len;
    out->params.version = copy.version;
    out->params.cipher_suite = copy.suite;
    memcpy(out->params.master_secret, copy.master, 48);
    out->created = copy.created;
    memcpy(out->name, copy.name, copy.namelen);
    out->name[copy.namelen] = 0;
    out->factslen = copy.factslen;
    memcpy(out->facts, copy.facts, copy.factslen);
    found = 1;
   next:
    byte_zzero((char *)&copy, sizeof copy);
  }
  return found;
}
