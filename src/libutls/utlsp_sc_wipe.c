/* ISC license. */

#include <stddef.h>

#include <skalibs/bytestr.h>

#include "sesscache-internal.h"

/* Everything after the counters: role goes back to empty, and the
   master secret and peer facts are overwritten in the file. */
void utlsp_sc_wipe (utlsp_scslot *slot)
{
  byte_zzero((char *)slot + offsetof(utlsp_scslot, sum), sizeof *slot - offsetof(utlsp_scslot, sum));
}
