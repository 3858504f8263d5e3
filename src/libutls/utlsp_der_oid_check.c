/* ISC license. */

#include <stddef.h>
#include <utls/utls.h>
#include "der-internal.h"

/*
 * Each arc is base-128, high bit set on all octets but its last; a first
 * octet of 0x80 would be a non-minimal encoding.
 */
int utlsp_der_oid_check (utls_der const *oid)
{
  size_t i;
  int start = 1;
  if (!oid->len || (oid->s[oid->len - 1] & 0x80)) return 0;
  for (i = 0 ; i < oid->len ; i++)
  {
    if (start && oid->s[i] == 0x80) return 0;
    start = !(oid->s[i] & 0x80);
  }
  return 1;
}
