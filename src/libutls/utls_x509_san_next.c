/* ISC license. */

#include <stddef.h>
#include <utls/utls.h>
#include "der-internal.h"

/*
 * GeneralName is a CHOICE of context-tagged alternatives; value is the
 * contents of that tag (for the constructed ones, such as otherName or
 * directoryName, the encoding inside the tag).
 */
int utls_x509_san_next (utls_x509_info const *info, size_t *pos, unsigned int *type, utls_der *value)
{
  utls_der cur;
  unsigned int tag;
  if (*pos > info->san.len) return -1;
  if (*pos == info->san.len) return 0;
  cur.s = info->san.s + *pos;
  cur.len = info->san.len - *pos;
  if (!utlsp_der_next(&cur, &tag, value, 0)) return -1;
  if ((tag & UTLSP_TAG_CLASS_MASK) != UTLSP_TAG_CLASS_CONTEXT) return -1;
  *type = tag & UTLSP_TAG_NUMBER_MASK;
  *pos = info->san.len - cur.len;
  return 1;
}
