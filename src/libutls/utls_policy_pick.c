/* ISC license. */

#include <string.h>
#include <strings.h>

#include <utls/utls.h>
#include <utls/setup.h>

static int wildcard_match (char const *pattern, char const *sni)
{
  char const *dot = strchr(sni, '.');
  if (pattern[0] != '*' || pattern[1] != '.' || !dot || dot == sni) return 0;
  return !strcasecmp(pattern + 1, dot);
}

/* Exact name first, then a wildcard, then the default entry if the level allows it. */
utls_certentry const *utls_policy_pick (utls_policy const *p, char const *sni)
{
  size_t i;
  if (p->snilevel != UTLS_SNI_OFF && sni && sni[0])
  {
    for (i = 0; i < p->n; i++)
      if (p->entries[i].name && p->entries[i].name[0] != '*' && !strcasecmp(p->entries[i].name, sni))
        return p->entries + i;
    for (i = 0; i < p->n; i++)
      if (p->entries[i].name && wildcard_match(p->entries[i].name, sni))
        return p->entries + i;
  }
  if (p->snilevel == UTLS_SNI_STRICT) return 0;
  for (i = 0; i < p->n; i++)
    if (!p->entries[i].name) return p->entries + i;
  return 0;
}
