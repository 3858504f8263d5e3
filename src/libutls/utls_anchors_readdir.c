/* ISC license. */

#include <utls/utls.h>
#include "load-internal.h"

/*
 * Appends to *anchors; on failure, what this call added is removed.
 * UTLS_ERR_NOANCHOR if the directory gave no anchor at all.
 */
int utls_anchors_readdir (utls_anchors *anchors, char const *dir)
{
  size_t n0 = anchors->n;
  int r = utlsp_load_anchordir(anchors, dir, 0);
  return !r && anchors->n == n0 ? UTLS_ERR_NOANCHOR : r;
}
