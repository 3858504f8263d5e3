/* ISC license. */

#include <stdlib.h>
#include <skalibs/bytestr.h>
#include <utls/utls.h>

void utls_cabundle_free (utls_cabundle *bundle)
{
  if (bundle->data) byte_zzero((char *)bundle->data, bundle->len);
  free(bundle->data);
  free(bundle->certs);
  bundle->data = 0;
  bundle->len = 0;
  bundle->certs = 0;
  bundle->n = 0;
  bundle->alloc = 0;
}
