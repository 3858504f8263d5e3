/* ISC license. */

#include <utls/utls.h>
#include "load-internal.h"

/*
 * Appends to *anchors. On failure, the anchors this call added are
 * removed again, so *anchors is as before. UTLS_ERR_NOANCHOR if the file
 * only holds certificates with unsupported keys.
 */
int utls_anchors_readfile (utls_anchors *anchors, char const *file)
{
  size_t n0 = anchors->n;
  int r = utlsp_load_anchors(anchors, file, 0);
  return !r && anchors->n == n0 ? UTLS_ERR_NOANCHOR : r;
}
