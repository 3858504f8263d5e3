/* ISC license. */

#include <utls/utls.h>

/*
 * RFC 5280 4.2.1.12: without the extension, any use; with it, the
 * purpose must be listed, or anyExtendedKeyUsage. purpose is
 * UTLS_EKU_SERVER or UTLS_EKU_CLIENT.
 */
int utls_x509_eku_allows (utls_x509_info const *info, unsigned int purpose)
{
  if (!(info->eku & UTLS_EKU_PRESENT)) return 1;
  return !!(info->eku & (purpose | UTLS_EKU_ANY));
}
