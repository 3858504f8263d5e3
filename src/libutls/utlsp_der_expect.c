/* ISC license. */

#include <stddef.h>
#include <utls/utls.h>
#include "der-internal.h"

int utlsp_der_expect (utls_der *in, unsigned int tag, utls_der *contents, utls_der *whole)
{
  utls_der cur = *in;
  unsigned int got;
  if (!utlsp_der_next(&cur, &got, contents, whole) || got != tag) return 0;
  *in = cur;
  return 1;
}
