/* ISC license. */

#include <stddef.h>
#include <utls/utls.h>
#include "der-internal.h"

/* AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY } */
int utlsp_dn_atv (utls_der *rdn, utls_der *oid, unsigned int *vtag, utls_der *value, utls_der *vwhole)
{
  utls_der cur = *rdn;
  utls_der atv;
  if (!utlsp_der_expect(&cur, UTLSP_TAG_SEQUENCE, &atv, 0)) return 0;
  if (!utlsp_der_expect(&atv, UTLSP_TAG_OID, oid, 0)) return 0;
  if (!utlsp_der_oid_check(oid)) return 0;
  if (!utlsp_der_next(&atv, vtag, value, vwhole)) return 0;
  if (atv.len) return 0;
  *rdn = cur;
  return 1;
}
