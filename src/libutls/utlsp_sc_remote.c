/* ISC license. */

#include <string.h>

#include <skalibs/bytestr.h>
#include <skalibs/tai.h>

#include <utls/sesscache.h>
#include <utls/remote.h>
#include "sesscache-internal.h"
#include "mc-internal.h"

/*
 * Session entries in memcached. An entry is serialized (below), sealed
 * (utls_seal: encrypted, authenticated, bound to its name) and stored
 * under a keyed hash of role and id, for what is left of its lifetime.
 * memcached sees neither session IDs nor server identities nor secrets.
 * Reading: the name under the current key, then under the older one
 * (an entry written before a key rotation); anything that does not
 * open, does not parse, is for another role or id, or has expired is
 * a miss. A store that fails is only a session that cannot be resumed.
 *
 * Serialized: role (1), id (32), bind (32), session ID length (1) and
 * session ID (32), version (2), cipher suite (2), master secret (48),
 * created (8, two's complement), name length (2) and name, facts
 * length (2) and facts. Integers big-endian.
 */

#define FIXED (1 + 32 + 32 + 1 + 32 + 2 + 2 + 48 + 8 + 2 + 2)
#define REC_MAX (FIXED + UTLS_NAME_MAX + UTLS_SC_FACTS_MAX)

static unsigned char *put16 (unsigned char *p, uint32_t v)
{
  p[0] = v >> 8; p[1] = v;
  return p + 2;
}

static size_t encode (unsigned char *out, unsigned int role, utls_sessentry const *e)
{
  unsigned char *p = out;
  uint64_t created = (uint64_t)e->created;
  size_t namelen = strnlen(e->name, UTLS_NAME_MAX);
  unsigned int i;
  *p++ = role;
  memcpy(p, e->id, 32); p += 32;
  memcpy(p, e->bind, 32); p += 32;
  *p++ = e->params.session_id_len;
  memcpy(p, e->params.session_id, 32); p += 32;
  p = put16(p, e->params.version);
  p = put16(p, e->params.cipher_suite);
  memcpy(p, e->params.master_secret, 48); p += 48;
  for (i = 0; i < 8; i++) *p++ = created >> (56 - 8 * i);
  p = put16(p, namelen);
  memcpy(p, e->name, namelen); p += namelen;
  p = put16(p, e->factslen);
  memcpy(p, e->facts, e->factslen); p += e->factslen;
  return p - out;
}

static uint32_t get16 (unsigned char const *p)
{
  return (uint32_t)p[0] << 8 | p[1];
}

/* Returns 1 if in (len bytes) is a well-formed entry for role and id. */
static int decode (unsigned char const *in, size_t len, unsigned int role, unsigned char const *id, utls_sessentry *e)
{
  unsigned char const *p = in, *end = in + len;
  uint64_t created = 0;
  size_t n;
  unsigned int i;
  if (len < FIXED || *p++ != role || memcmp(p, id, 32)) return 0;
  memcpy(e->id, p, 32); p += 32;
  memcpy(e->bind, p, 32); p += 32;
  e->params.session_id_len = *p++;
  if (e->params.session_id_len > 32) return 0;
  memcpy(e->params.session_id, p, 32); p += 32;
  e->params.version = get16(p); p += 2;
  e->params.cipher_suite = get16(p); p += 2;
  memcpy(e->params.master_secret, p, 48); p += 48;
  for (i = 0; i < 8; i++) created = created << 8 | *p++;
  e->created = (int64_t)created;
  n = get16(p); p += 2;
  if (n > UTLS_NAME_MAX || (size_t)(end - p) < n + 2) return 0;
  memcpy(e->name, p, n); e->name[n] = 0; p += n;
  if (memchr(e->name, 0, n)) return 0;
  n = get16(p); p += 2;
  if (n > UTLS_SC_FACTS_MAX || (size_t)(end - p) != n) return 0;
  memcpy(e->facts, p, n);
  e->factslen = n;
  return 1;
}

static void deadline (tain *d, unsigned int ms)
{
  tain_now_g();
  tain_from_millisecs(d, ms);
  tain_add_g(d, d);
}

static void name_for (char *name, utls_sealkey const *k, unsigned int role, unsigned char const *id)
{
  unsigned char ctx[33];
  ctx[0] = role;
  memcpy(ctx + 1, id, 32);
  utls_seal_name(name, k, ctx, sizeof ctx);
}

int utlsp_sc_remote_fetch (utls_sesscache *c, unsigned int role, unsigned char const *id, int64_t now, utls_sessentry *out)
{
  /* The sealed value is opened where memcached's answer was read. */
  static unsigned char answer[UTLSP_MC_ANSWER_MAX], plain[UTLS_MC_VALUE_MAX];
  utls_sessremote *r = c->remote;
  unsigned int k = 0;
  int ok = 0;
  if (!c->lifetime) return 0;
  for (; k < r->nkeys && !ok; k++)
  {
    char name[UTLS_MC_NAME_LEN + 1];
    size_t start, len;
    ssize_t n;
    tain d;
    int got;
    name_for(name, r->keys + k, role, id);
    deadline(&d, r->timeout_ms);
    got = utlsp_mc_get(&r->mc, name, answer, UTLS_MC_VALUE_MAX, &start, &len, &d);
    /* Down, slow or garbage: asking again under the old key would only
       double the wait. */
    if (got < 0) { c->why = r->mc.why; return 0; }
    if (!got) continue;
    n = utls_unseal(plain, r->keys, r->nkeys, name, answer + start, len);
    if (n < 0) { c->why = "an entry that does not open (tampered with, or sealed under another key)"; break; }
    ok = decode(plain, n, role, id, out);
    byte_zzero((char *)plain, n);
    if (!ok) { c->why = "an entry that does not parse"; break; }
    if (out->created > now || now - out->created >= (int64_t)c->lifetime) { ok = 0; break; }
  }
  if (!ok) byte_zzero((char *)out, sizeof *out);
  return ok;
}

int utlsp_sc_remote_store (utls_sesscache *c, unsigned int role, utls_sessentry const *e, int64_t now)
{
  static unsigned char plain[REC_MAX], sealed[REC_MAX + UTLS_SEAL_OVERHEAD];
  utls_sessremote *r = c->remote;
  char name[UTLS_MC_NAME_LEN + 1];
  size_t n, len;
  int64_t left = (int64_t)c->lifetime - (now - e->created);
  tain d;
  if (!c->lifetime || left <= 0) return 0;
  n = encode(plain, role, e);
  name_for(name, r->keys, role, e->id);
  len = utls_seal(sealed, r->keys, name, plain, n);
  byte_zzero((char *)plain, n);
  if (!len) { c->why = "no random nonce"; return 0; }
  deadline(&d, r->timeout_ms);
  if (utls_mc_set(&r->mc, name, sealed, len, (unsigned int)left, &d) < 0) { c->why = r->mc.why; return 0; }
  return 1;
}

void utlsp_sc_remote_close (utls_sesscache *c)
{
  utls_sessremote *r = c->remote;
  utls_mc_close(&r->mc);
  byte_zzero((char *)r->keys, sizeof r->keys);
  c->remote = 0;
}
