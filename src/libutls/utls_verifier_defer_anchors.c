/* ISC license. */

#include <utls/setup.h>

void utls_verifier_defer_anchors (utls_verifier *x, utls_verifier_anchor_func *f, void *data)
{
  x->anchor_func = f;
  x->anchor_data = data;
}
