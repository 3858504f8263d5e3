/* ISC license. */

#include "proxy-internal.h"

char const *const tlsp_proxy_value_names[TLSP_PROXY_NVALUES] =
{
  "ALPN", "AUTHORITY", "SSL_VERSION", "SSL_CN", "SSL_CIPHER", "SSL_SIG_ALG", "SSL_KEY_ALG"
};
