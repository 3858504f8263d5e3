/* ISC license. */

#include <bearssl.h>
#include <utls/utls.h>
#include "load-internal.h"

int utlsp_load_eekey (utls_chain const *chain, br_x509_decoder_context *decoder, br_x509_pkey const **pk)
{
  int r;
  if (!chain->ncerts) return UTLS_ERR_NOCERT;
  if (chain->ee_key.key_type)
  {
    *pk = &chain->ee_key;
    return 0;
  }
  r = utlsp_load_x509(decoder, chain->certs[0].data, chain->certs[0].data_len, 0, 0);
  if (r) return r;
  *pk = br_x509_decoder_get_pkey(decoder);
  return 0;
}
