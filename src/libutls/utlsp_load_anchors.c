/* ISC license. */

#include <errno.h>
#include <stdlib.h>
#include <utls/utls.h>
#include "load-internal.h"

typedef struct anchor_load_s anchor_load;
struct anchor_load_s
{
  utls_anchors *anchors;
  utlsp_anchor_filter const *filter;
};

/*
 * With a filter, our DER walker finds the subject Name first, and
 * BearSSL's (much slower) decoder only runs on wanted certificates. A
 * certificate that the walker cannot parse goes to BearSSL, which then
 * decides, as it does without a filter. So unwanted certificates are only
 * checked as far as the walker goes.
 */
static int anchor_cert (void *ctx, unsigned char const *der, size_t len)
{
  anchor_load *l = ctx;
  if (l->filter)
  {
    utls_x509_info info;
    if (!utls_x509_parse(&info, der, len) && !utlsp_anchor_wanted(l->filter, info.subject.s, info.subject.len))
      return 0;
  }
  return utlsp_anchor_add(l->anchors, der, len, l->filter);
}

int utlsp_load_anchors (utls_anchors *anchors, char const *file, utlsp_anchor_filter const *filter)
{
  anchor_load l = { .anchors = anchors, .filter = filter };
  size_t n0 = anchors->n;
  unsigned char *data;
  size_t len;
  int r = utlsp_load_file(file, UTLSP_ANCHORFILE_MAX, &data, &len);
  if (r) return r;
  r = utlsp_load_certs(data, len, &anchor_cert, &l);
  utlsp_load_release(data, len);
  if (r)
  {
    int e = errno;
    for (; anchors->n > n0; anchors->n--) free(anchors->tas[anchors->n - 1].dn.data);
    errno = e;
  }
  return r;
}
