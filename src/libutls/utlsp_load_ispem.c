/* ISC license. */

#include <string.h>
#include "load-internal.h"

int utlsp_load_ispem (unsigned char const *data, size_t len)
{
  static char const marker[] = "-----BEGIN ";
  size_t const mlen = sizeof(marker) - 1;
  size_t i = 0;
  for (; i + mlen <= len; i++)
    if (data[i] == '-' && !memcmp(data + i, marker, mlen)) return 1;
  return 0;
}
