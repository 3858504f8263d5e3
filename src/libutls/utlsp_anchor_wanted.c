/* ISC license. */

#include <string.h>
#include "load-internal.h"

int utlsp_anchor_wanted (utlsp_anchor_filter const *filter, unsigned char const *name, size_t len)
{
  size_t i = 0;
  if (!filter) return 1;
  for (; i < filter->nnames; i++)
    if (filter->names[i].len == len && !memcmp(filter->names[i].s, name, len)) return 1;
  return 0;
}
