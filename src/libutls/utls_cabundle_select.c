/* ISC license. */

#include <errno.h>
#include <stdlib.h>
#include <utls/utls.h>
#include "load-internal.h"

/*
 * As utlsp_load_anchors does on the file: the subject found by our DER
 * walker selects, and BearSSL decodes the wanted certificates only; one
 * the walker could not read (no subject) goes to BearSSL, which decides.
 */
int utls_cabundle_select (utls_anchors *anchors, utls_cabundle const *bundle, utls_der const *names, size_t nnames)
{
  utlsp_anchor_filter const filter = { .names = names, .nnames = nnames };
  size_t n0 = anchors->n;
  size_t i = 0;
  int r = 0;
  for (; i < bundle->n && !r; i++)
  {
    utls_cabundle_cert const *c = bundle->certs + i;
    if (c->subject.s && !utlsp_anchor_wanted(&filter, c->subject.s, c->subject.len)) continue;
    r = utlsp_anchor_add(anchors, c->der.s, c->der.len, &filter);
  }
  if (r)
  {
    int e = errno;
    for (; anchors->n > n0; anchors->n--) free(anchors->tas[anchors->n - 1].dn.data);
    errno = e;
  }
  return r;
}
