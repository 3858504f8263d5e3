/* ISC license. */

#include <stddef.h>
#include <stdint.h>
#include <utls/utls.h>
#include "der-internal.h"

static void put_u64 (utlsp_out *out, uint64_t v)
{
  char buf[20];
  size_t i = sizeof(buf);
  do
  {
    buf[--i] = '0' + (char)(v % 10);
    v /= 10;
  } while (v);
  utlsp_out_put(out, buf + i, sizeof(buf) - i);
}

/*
 * The first encoded arc holds the first two: X * 40 + Y, with X <= 2
 * (X = 2 leaves Y unbounded). oid must have passed utlsp_der_oid_check.
 */
int utlsp_oid_fmt (utlsp_out *out, utls_der const *oid)
{
  size_t i = 0;
  int first = 1;
  while (i < oid->len)
  {
    uint64_t v = 0;
    do
    {
      if (v >> 57) return 0;    /* the next shift would lose bits */
      v = (v << 7) | (oid->s[i] & 0x7f);
    } while (oid->s[i++] & 0x80 && i < oid->len);
    if (first)
    {
      unsigned int x = v < 40 ? 0 : v < 80 ? 1 : 2;
      put_u64(out, x);
      utlsp_out_put(out, ".", 1);
      v -= 40 * (uint64_t)x;
      first = 0;
    }
    else utlsp_out_put(out, ".", 1);
    put_u64(out, v);
  }
  return 1;
}
