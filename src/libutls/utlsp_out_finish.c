/* ISC license. */

#include <stddef.h>
#include <utls/utls.h>
#include "der-internal.h"

size_t utlsp_out_finish (utlsp_out *out)
{
  if (!out->max) return 0;
  if (out->full) out->len = 0;
  out->s[out->len] = 0;
  return out->len;
}
