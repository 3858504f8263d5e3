/* ISC license. */

#include <stddef.h>
#include <string.h>
#include <utls/utls.h>
#include "der-internal.h"

#define OID_SERVER_AUTH "\x2b\x06\x01\x05\x05\x07\x03\x01"
#define OID_CLIENT_AUTH "\x2b\x06\x01\x05\x05\x07\x03\x02"
#define OID_ANY_EKU "\x55\x1d\x25\x00"

/*
 * ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId, and
 * KeyPurposeId is an OBJECT IDENTIFIER. Every element is checked, not
 * only the ones we look for: a certificate whose EKU cannot be read
 * must be refused, never read as "no restriction". Each turn of the
 * loop consumes at least two octets, so it ends.
 */
int utlsp_eku_scan (utls_der const *value, unsigned int *eku)
{
  utls_der in = *value, purposes, oid;
  unsigned int bits = UTLS_EKU_PRESENT;
  if (!utlsp_der_expect(&in, UTLSP_TAG_SEQUENCE, &purposes, 0) || in.len || !purposes.len) return 0;
  while (purposes.len)
  {
    if (!utlsp_der_expect(&purposes, UTLSP_TAG_OID, &oid, 0) || !utlsp_der_oid_check(&oid)) return 0;
    if (UTLSP_OID_IS(oid, OID_SERVER_AUTH)) bits |= UTLS_EKU_SERVER;
    else if (UTLSP_OID_IS(oid, OID_CLIENT_AUTH)) bits |= UTLS_EKU_CLIENT;
    else if (UTLSP_OID_IS(oid, OID_ANY_EKU)) bits |= UTLS_EKU_ANY;
  }
  *eku = bits;
  return 1;
}
