/* ISC license. */

#include <stddef.h>
#include <stdint.h>
#include <utls/utls.h>
#include "der-internal.h"

/* n decimal digits at s, or -1 if one is not a digit. */
static int digits (unsigned char const *s, unsigned int n)
{
  int r = 0;
  unsigned int i;
  for (i = 0 ; i < n ; i++)
  {
    if (s[i] < '0' || s[i] > '9') return -1;
    r = r * 10 + (s[i] - '0');
  }
  return r;
}

static int is_leap (int year)
{
  return !(year % 4) && ((year % 100) || !(year % 400));
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil (int64_t y, unsigned int m, unsigned int d)
{
  int64_t era;
  unsigned int yoe, doy, doe;
  if (m <= 2) y--;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = (unsigned int)(y - era * 400);
  doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

/*
 * RFC 5280 section 4.1.2.5: seconds are mandatory, the zone is always
 * "Z", no fractional seconds. Anything else is rejected.
 */
int utlsp_der_time (unsigned int tag, utls_der const *value, int64_t *t)
{
  static unsigned char const mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  unsigned char const *s = value->s;
  int year, month, day, hour, minute, second;
  if (tag == UTLSP_TAG_UTCTIME)
  {
    if (value->len != 13) return 0;
    year = digits(s, 2);
    if (year < 0) return 0;
    year += year < 50 ? 2000 : 1900;
    s += 2;
  }
  else if (tag == UTLSP_TAG_GENERALIZEDTIME)
  {
    if (value->len != 15) return 0;
    year = digits(s, 4);
    if (year < 0) return 0;
    s += 4;
  }
  else return 0;
  month = digits(s, 2);
  day = digits(s + 2, 2);
  hour = digits(s + 4, 2);
  minute = digits(s + 6, 2);
  second = digits(s + 8, 2);
  if (s[10] != 'Z') return 0;
  if (month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23
   || minute < 0 || minute > 59 || second < 0 || second > 59) return 0;
  if (day > mdays[month - 1] + (month == 2 && is_leap(year))) return 0;
  *t = days_from_civil(year, (unsigned int)month, (unsigned int)day) * 86400
     + hour * 3600 + minute * 60 + second;
  return 1;
}
