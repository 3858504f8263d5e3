/* ISC license. */

#include <utls/utls.h>
#include "der-internal.h"

void utlsp_out_hexbyte (utlsp_out *out, unsigned char c)
{
  static char const hex[16] = "0123456789ABCDEF";
  char buf[3];
  buf[0] = '\\';
  buf[1] = hex[c >> 4];
  buf[2] = hex[c & 15];
  utlsp_out_put(out, buf, 3);
}
