/* ISC license. */

#include <stddef.h>
#include <utls/utls.h>
#include "der-internal.h"

/* Walks the whole structure once, so that later walks cannot fail. */
int utlsp_dn_open (unsigned char const *name, size_t namelen, utls_der *rdns, size_t *n)
{
  utls_der in = { .s = name, .len = namelen };
  utls_der seq;
  size_t count = 0;
  if (!utlsp_der_expect(&in, UTLSP_TAG_SEQUENCE, &seq, 0) || in.len) return 0;
  *rdns = seq;
  while (seq.len)
  {
    utls_der rdn, oid, value;
    unsigned int vtag;
    if (!utlsp_der_expect(&seq, UTLSP_TAG_SET, &rdn, 0) || !rdn.len) return 0;
    while (rdn.len)
      if (!utlsp_dn_atv(&rdn, &oid, &vtag, &value, 0)) return 0;
    count++;
  }
  *n = count;
  return 1;
}
