/* ISC license. */

#include <bearssl.h>
#include <utls/utls.h>
#include "load-internal.h"

int utlsp_load_x509 (br_x509_decoder_context *decoder, unsigned char const *der, size_t len, void (*append_dn) (void *dnctx, void const *buf, size_t len), void *dnctx)
{
  br_x509_decoder_init(decoder, append_dn, dnctx);
  br_x509_decoder_push(decoder, der, len);
  if (br_x509_decoder_last_error(decoder) || !br_x509_decoder_get_pkey(decoder))
    return UTLS_ERR_BADCERT;
  return 0;
}
