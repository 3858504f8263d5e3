/* ISC license. */

#include <string.h>

#include <skalibs/bytestr.h>

#include "sesscache-internal.h"

/*
 * Another process may write the slot while it is copied: the copy is
 * taken between two reads of seq (acquire fences keep the copy between
 * them), and judged afterwards. The checksum covers what the counter
 * cannot: a slot that two writers shared.
 */
int utlsp_sc_read (utlsp_scslot *slot, utlsp_scslot *out)
{
  unsigned char sum[sizeof out->sum];
  uint32_t s1 = __atomic_load_n(&slot->seq, __ATOMIC_ACQUIRE);
  uint32_t s2;
  if (s1 & 1) return 0;
  memcpy(out, (void const *)slot, sizeof *out);
  __atomic_thread_fence(__ATOMIC_ACQUIRE);
  s2 = __atomic_load_n(&slot->seq, __ATOMIC_RELAXED);
  if (s1 != s2) goto bad;
  if (out->role == UTLS_SC_EMPTY) goto bad;
  if (out->factslen > UTLS_SC_FACTS_MAX || out->namelen > UTLS_NAME_MAX || out->sid_len > 32) goto bad;
  utlsp_sc_sum(out, sum);
  if (memcmp(sum, out->sum, sizeof sum)) goto bad;
  return 1;
 bad:
  byte_zzero((char *)out, sizeof *out);
  return 0;
}
