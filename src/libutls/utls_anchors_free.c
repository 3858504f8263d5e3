/* ISC license. */

#include <stdlib.h>
#include <utls/utls.h>

/* Each anchor owns one block that starts at dn.data (see utlsp_load_anchors). */
void utls_anchors_free (utls_anchors *anchors)
{
  size_t i = 0;
  for (; i < anchors->n; i++) free(anchors->tas[i].dn.data);
  free(anchors->tas);
  anchors->tas = 0;
  anchors->n = 0;
  anchors->alloc = 0;
}
