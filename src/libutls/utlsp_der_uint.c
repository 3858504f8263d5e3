/* ISC license. */

#include <stddef.h>
#include <utls/utls.h>
#include "der-internal.h"

/*
 * Like BearSSL's read-integer: redundant leading zero octets are
 * accepted and stripped, only the sign of the first octet is checked.
 */
int utlsp_der_uint (utls_der *in, utls_der *value)
{
  utls_der cur = *in, v;
  if (!utlsp_der_expect(&cur, UTLSP_TAG_INTEGER, &v, 0) || !v.len || v.s[0] & 0x80) return 0;
  while (v.len && !v.s[0])
  {
    v.s++;
    v.len--;
  }
  *in = cur;
  *value = v;
  return 1;
}
