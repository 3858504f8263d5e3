/* ISC license. */

#include <utls/utls.h>
#include "load-internal.h"

/* Appends to *anchors; on failure, what this call added is removed. */
int utls_anchors_readdir_for (utls_anchors *anchors, char const *dir, utls_der const *names, size_t nnames)
{
  utlsp_anchor_filter const filter = { .names = names, .nnames = nnames };
  return utlsp_load_anchordir(anchors, dir, &filter);
}
