/* ISC license. */

#include <stddef.h>
#include <string.h>
#include <utls/utls.h>

static int lower (int c)
{
  return c >= 'A' && c <= 'Z' ? c + 'a' - 'A' : c;
}

static int same_ascii_nocase (char const *a, char const *b, size_t n)
{
  size_t i;
  for (i = 0 ; i < n ; i++)
    if (lower((unsigned char)a[i]) != lower((unsigned char)b[i])) return 0;
  return 1;
}

/* 1 if s is non-empty, has no NUL, no empty label, and no "*" unless allowed. Counts labels. */
static int well_formed (char const *s, size_t len, size_t *labels)
{
  size_t i, label = 0, n = 1;
  if (!len || len > UTLS_NAME_MAX) return 0;
  for (i = 0 ; i < len ; i++)
  {
    if (!s[i] || s[i] == '*') return 0;
    if (s[i] == '.')
    {
      if (!label) return 0;
      label = 0;
      n++;
    }
    else label++;
  }
  if (!label) return 0;
  *labels = n;
  return 1;
}

/* An IPv6 literal has a ':'; an IPv4 one (even as 127.1) ends with digits. */
static int is_ip_literal (char const *s, size_t len)
{
  size_t i = len;
  if (memchr(s, ':', len)) return 1;
  while (i && s[i - 1] != '.')
    if (s[--i] < '0' || s[i] > '9') return 0;
  return 1;
}

/*
 * RFC 6125 section 6.4.3, the strict subset: the wildcard is the whole
 * leftmost label, matches exactly one non-empty label, needs two labels
 * after it, and is never used against an IP address literal.
 */
int utls_hostname_match (char const *pattern, size_t patternlen, char const *host)
{
  size_t hostlen = strlen(host);
  size_t hlabels, plabels;
  char const *dot;
  if (hostlen && host[hostlen - 1] == '.') hostlen--;
  if (!well_formed(host, hostlen, &hlabels)) return 0;
  if (patternlen >= 2 && pattern[0] == '*' && pattern[1] == '.')
  {
    if (!well_formed(pattern + 2, patternlen - 2, &plabels) || plabels < 2) return 0;
    if (is_ip_literal(host, hostlen)) return 0;
    dot = memchr(host, '.', hostlen);
    if (!dot) return 0;
    hostlen -= (size_t)(dot - host) + 1;
    return hostlen == patternlen - 2 && same_ascii_nocase(dot + 1, pattern + 2, hostlen);
  }
  if (!well_formed(pattern, patternlen, &plabels)) return 0;
  return hostlen == patternlen && same_ascii_nocase(host, pattern, hostlen);
}
