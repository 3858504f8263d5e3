/* ISC license. */

#include <bearssl.h>
#include <utls/utls.h>

char const *utls_version_str (unsigned int version)
{
  switch (version)
  {
    case BR_TLS10: return "TLSv1";
    case BR_TLS11: return "TLSv1.1";
    case BR_TLS12: return "TLSv1.2";
    default: return 0;
  }
}
