/* ISC license. */

#include <stddef.h>
#include <utls/utls.h>
#include "der-internal.h"

/*
 * Length octets at the front of in (after the tag). Only the definite
 * form, in the minimal encoding DER demands, up to 4 length octets.
 * Returns 1 and consumes them, or 0.
 */
static int read_length (utls_der *in, size_t *length)
{
  unsigned int nbytes;
  unsigned int i;
  size_t n = 0;
  if (!in->len) return 0;
  if (!(in->s[0] & 0x80))
  {
    *length = in->s[0];
    in->s++; in->len--;
    return 1;
  }
  nbytes = in->s[0] & 0x7f;
  /* 0x80 is the indefinite form; more than 4 octets is never needed here */
  if (!nbytes || nbytes > 4 || nbytes >= in->len) return 0;
  if (!in->s[1]) return 0;      /* leading zero octet: not minimal */
  for (i = 1 ; i <= nbytes ; i++) n = (n << 8) | in->s[i];
  if (n < 0x80) return 0;       /* should have used the short form */
  in->s += 1 + nbytes; in->len -= 1 + nbytes;
  *length = n;
  return 1;
}

int utlsp_der_next (utls_der *in, unsigned int *tag, utls_der *contents, utls_der *whole)
{
  utls_der cur = *in;
  size_t length;
  if (!cur.len) return 0;
  /* high tag number form is never used by the structures we read */
  if ((cur.s[0] & UTLSP_TAG_NUMBER_MASK) == UTLSP_TAG_NUMBER_MASK) return 0;
  *tag = cur.s[0];
  cur.s++; cur.len--;
  if (!read_length(&cur, &length)) return 0;
  if (length > cur.len) return 0;
  contents->s = cur.s;
  contents->len = length;
  if (whole)
  {
    whole->s = in->s;
    whole->len = (size_t)(cur.s - in->s) + length;
  }
  in->s = cur.s + length;
  in->len = cur.len - length;
  return 1;
}
