/* ISC license. */

#include "sesscache-internal.h"

/* If the slot was taken over meanwhile, the thief releases it: the
   counter is left alone. */
void utlsp_sc_release (utlsp_scslot *slot, uint32_t seq)
{
  uint32_t s = seq;
  __atomic_compare_exchange_n(&slot->seq, &s, seq + 1, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}
