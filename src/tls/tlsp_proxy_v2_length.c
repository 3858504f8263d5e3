/* ISC license. */

#include <string.h>

#include "proxy-internal.h"

size_t tlsp_proxy_v2_length (unsigned char const *fixed, char const **why)
{
  if (memcmp(fixed, TLSP_PROXY_V2_SIG, TLSP_PROXY_V2_SIGLEN)) return (*why = "v2: bad signature", 0);
  if (fixed[12] >> 4 != 2) return (*why = "v2: version is not 2", 0);
  if ((fixed[12] & 15) > 1) return (*why = "v2: command is neither LOCAL nor PROXY", 0);
  return TLSP_PROXY_V2_FIXED + ((size_t)fixed[14] << 8 | fixed[15]);
}
