/* ISC license. */

/* Unit test: utls_hostname_match (RFC 6125, strict one-label wildcards). */

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <utls/utls.h>

#define UNIT_NAME "hostname"
#include "unit.h"

struct case_s
{
  char const *pattern;
  char const *host;
  int match;
};

static struct case_s const cases[] =
{
  /* exact names */
  { "example.com", "example.com", 1 },
  { "www.example.com", "www.example.com", 1 },
  { "WWW.Example.COM", "www.example.com", 1 },
  { "www.example.com", "WwW.eXaMpLe.CoM", 1 },
  { "localhost", "localhost", 1 },
  { "www.example.com", "www.example.com.", 1 },
  { "www.example.com", "example.com", 0 },
  { "example.com", "www.example.com", 0 },
  { "www.example.com", "www.example.org", 0 },
  { "www.example.com", "www.example.co", 0 },
  { "www.example.co", "www.example.com", 0 },
  { "www.example.com", "wwww.example.com", 0 },
  { "www.example.com.", "www.example.com", 0 },     /* empty label in the pattern */
  { "www.example.com", "www.example.com..", 0 },
  { "www..example.com", "www..example.com", 0 },
  { ".example.com", ".example.com", 0 },
  { "", "", 0 },
  { "example.com", "", 0 },
  { "example.com", ".", 0 },
  { "", "example.com", 0 },
  { "caf\xc3\xa9.example", "CAF\xc3\xa9.example", 1 },  /* non-ASCII bytes compare exactly */
  { "caf\xc3\xa9.example", "caf\xc3\x89.example", 0 },
  /* wildcards */
  { "*.example.com", "a.example.com", 1 },
  { "*.example.com", "WWW.EXAMPLE.COM", 1 },
  { "*.EXAMPLE.com", "www.example.com.", 1 },
  { "*.example.com", "a.b.example.com", 0 },
  { "*.example.com", "example.com", 0 },
  { "*.example.com", ".example.com", 0 },
  { "*.example.com", "a.example.org", 0 },
  { "*.example.com", "aexample.com", 0 },
  { "*.com", "example.com", 0 },
  { "*.com", "a.com", 0 },
  { "*", "localhost", 0 },
  { "*.", "a.", 0 },
  { "*.*.example.com", "a.b.example.com", 0 },
  { "a.*.example.com", "a.b.example.com", 0 },
  { "www.example.*", "www.example.com", 0 },
  { "f*o.example.com", "foo.example.com", 0 },
  { "*foo.example.com", "xfoo.example.com", 0 },
  { "foo*.example.com", "foox.example.com", 0 },
  { "*oo.example.com", "foo.example.com", 0 },
  { "**.example.com", "a.example.com", 0 },
  { "*.example.com", "*.example.com", 0 },           /* a host is never a pattern */
  { "*.example..com", "a.example..com", 0 },
  { "*.example.com.", "a.example.com", 0 },
  { "*.xn--80ak6aa92e.com", "xn--d1acpjx3f.xn--80ak6aa92e.com", 1 },
  /* IP address literals */
  { "192.0.2.1", "192.0.2.1", 1 },
  { "*.0.2.1", "192.0.2.1", 0 },
  { "*.2.1", "192.2.1", 0 },
  { "*.0.0.1", "127.0.0.1", 0 },
  { "*.0.1", "127.0.1", 0 },
  { "*.example.123", "a.example.123", 0 },
  { "*.db8::1", "2001.db8::1", 0 },
  { "*.example.com", "2001:db8::1", 0 },
  { "192.0.2.1", "192.0.2.2", 0 },
};

static void check (char const *pattern, size_t patternlen, char const *host, int want)
{
  int got = utls_hostname_match(pattern, patternlen, host);
  if (got != want)
    failf("pattern [%.*s] host [%s]: got %d, want %d", (int)patternlen, pattern, host, got, want);
}

static void test_nul_and_length (void)
{
  char longname[UTLS_NAME_MAX + 3];
  size_t i;
  check("www.example.com\0.evil", 21, "www.example.com", 0);
  check("a\0.example.com", 14, "a", 0);
  check("*.example.com\0", 14, "a.example.com", 0);
  check("www.example.com", 15, "www.example.com", 1);
  check("www.example.comXXX", 15, "www.example.com", 1);  /* patternlen is honoured */
  check("www.example.com", 14, "www.example.com", 0);
  /* 253 octets is the longest name; 254 is refused */
  for (i = 0 ; i < UTLS_NAME_MAX ; i++) longname[i] = (i % 2) ? '.' : 'a';
  longname[UTLS_NAME_MAX] = 0;
  check(longname, UTLS_NAME_MAX, longname, 1);
  longname[UTLS_NAME_MAX] = '.';
  longname[UTLS_NAME_MAX + 1] = 0;
  check(longname, UTLS_NAME_MAX, longname, 1);       /* trailing dot on the host */
  longname[UTLS_NAME_MAX] = 'a';
  check(longname, UTLS_NAME_MAX + 1, longname, 0);
}

int main (void)
{
  size_t i;
  for (i = 0 ; i < sizeof(cases) / sizeof(cases[0]) ; i++)
    check(cases[i].pattern, strlen(cases[i].pattern), cases[i].host, cases[i].match);
  test_nul_and_length();
  return failures ? 1 : 0;
}
