/* ISC license. */

#include <stddef.h>
#include <string.h>
#include <utls/utls.h>
#include "der-internal.h"

void utlsp_out_put (utlsp_out *out, char const *s, size_t n)
{
  if (out->full) return;
  /* keep one byte for the final NUL */
  if (out->max <= out->len || n > out->max - out->len - 1)
  {
    out->full = 1;
    return;
  }
  memcpy(out->s + out->len, s, n);
  out->len += n;
}
