/* ISC license. */

#include <stdlib.h>
#include <skalibs/bytestr.h>
#include "load-internal.h"

void utlsp_load_release (unsigned char *data, size_t len)
{
  if (!data) return;
  byte_zzero((char *)data, len);
  free(data);
}
