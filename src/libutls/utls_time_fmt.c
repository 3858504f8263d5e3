/* ISC license. */

#include <stddef.h>
#include <stdint.h>
#include <utls/utls.h>
#include "der-internal.h"

/* Inverse of days_from_civil in utlsp_der_time.c (H. Hinnant's algorithm). */
static void civil_from_days (int64_t z, int64_t *year, unsigned int *month, unsigned int *day)
{
  int64_t era;
  unsigned int doe, yoe, doy, mp;
  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = (unsigned int)(z - era * 146097);
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = (int64_t)yoe + era * 400 + (*month <= 2);
}

static void two_digits (char *s, unsigned int v)
{
  s[0] = '0' + (char)(v / 10);
  s[1] = '0' + (char)(v % 10);
}

/*
 * Years 0 to 9999 only (what GeneralizedTime can carry); the year is not
 * zero-padded, as OpenSSL's ASN1_TIME_print does. Returns 0 if out of
 * range or if max cannot hold the string and its NUL.
 */
size_t utls_time_fmt (char *out, size_t max, int64_t t)
{
  static char const months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  char buf[32];
  char year[4];
  utlsp_out o = UTLSP_OUT_INIT(out, max);
  int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
  unsigned int secs = (unsigned int)(t - days * 86400);
  int64_t y;
  unsigned int m, d, ylen = 0, i;
  if (t < -62167219200LL || t > 253402300799LL) o.full = 1;  /* 0000-01-01 to 9999-12-31 */
  else
  {
    civil_from_days(days, &y, &m, &d);
    do { year[ylen++] = '0' + (char)(y % 10); y /= 10; } while (y);
    buf[0] = months[m - 1][0]; buf[1] = months[m - 1][1]; buf[2] = months[m - 1][2];
    buf[3] = ' ';
    buf[4] = d < 10 ? ' ' : '0' + (char)(d / 10);
    buf[5] = '0' + (char)(d % 10);
    buf[6] = ' ';
    two_digits(buf + 7, secs / 3600); buf[9] = ':';
    two_digits(buf + 10, secs / 60 % 60); buf[12] = ':';
    two_digits(buf + 13, secs % 60); buf[15] = ' ';
    for (i = 0 ; i < ylen ; i++) buf[16 + i] = year[ylen - 1 - i];
    utlsp_out_put(&o, buf, 16 + ylen);
    utlsp_out_put(&o, " GMT", 4);
  }
  return utlsp_out_finish(&o);
}
