/* ISC license. */

#include <utls/utls.h>
#include "load-internal.h"

/*
 * Appends to *anchors; on failure, what this call added is removed. A
 * file without any certificate is still UTLS_ERR_NOCERT.
 */
int utls_anchors_readfile_for (utls_anchors *anchors, char const *file, utls_der const *names, size_t nnames)
{
  utlsp_anchor_filter const filter = { .names = names, .nnames = nnames };
  return utlsp_load_anchors(anchors, file, &filter);
}
