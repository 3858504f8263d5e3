/* ISC license. */

#include <stddef.h>
#include <utls/utls.h>
#include "der-internal.h"

int utlsp_dn_rdn (utls_der const *rdns, size_t i, utls_der *rdn)
{
  utls_der cur = *rdns;
  for (;;)
  {
    if (!utlsp_der_expect(&cur, UTLSP_TAG_SET, rdn, 0)) return 0;
    if (!i--) return 1;
  }
}
