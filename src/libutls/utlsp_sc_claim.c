/* ISC license. */

#include "sesscache-internal.h"

/*
 * An even slot is taken at once. An odd one belongs to a writer; if it
 * has held it for UTLS_SC_STALE seconds or more, that writer died (a
 * write takes microseconds) and the slot is taken over, still odd, so
 * that readers keep away. claimed is written after the swap: a thief
 * in between would read the previous claimant's time and take the slot
 * from a live writer, which only makes the checksum fail.
 */
int utlsp_sc_claim (utlsp_scslot *slot, uint32_t now, uint32_t *seq)
{
  uint32_t s = __atomic_load_n(&slot->seq, __ATOMIC_ACQUIRE);
  uint32_t want;
  if (s & 1)
  {
    uint32_t t = __atomic_load_n(&slot->claimed, __ATOMIC_RELAXED);
    if (now - t < UTLS_SC_STALE) return 0;
    want = s + 2;
  }
  else want = s + 1;
  if (!__atomic_compare_exchange_n(&slot->seq, &s, want, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) return 0;
  __atomic_store_n(&slot->claimed, now, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  *seq = want;
  return 1;
}
