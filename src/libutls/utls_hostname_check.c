/* ISC license. */

#include <utls/utls.h>

int utls_hostname_check (char const *s, int wildcard_ok)
{
  size_t i = 0;
  if (wildcard_ok && s[0] == '*')
  {
    if (s[1] != '.' || !s[2]) return 0;
    i = 2;
  }
  if (!s[i]) return 0;
  for (; s[i]; i++)
  {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
      return 0;
  }
  return i <= UTLS_NAME_MAX;
}
