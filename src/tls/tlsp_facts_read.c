/* ISC license. */

#include <string.h>

#include "tls-internal.h"

/* One pass over the block: the first entry of each name. */
void tlsp_facts_read (tlsp_facts *facts, utls_envblock const *block)
{
  static char const *const names[6] = { "SSL_PROTOCOL", "SSL_CIPHER", "SSL_TLS_SNI_SERVERNAME", "SSL_ALPN_PROTOCOL", "SSL_PEER_CERT_SUBJECT", "SSL_SESSION_RESUMED" };
  char const **const values[6] = { &facts->protocol, &facts->cipher, &facts->sni, &facts->alpn, &facts->peer_subject, &facts->resumed };
  size_t i = 0;
  *facts = (tlsp_facts)TLSP_FACTS_ZERO;
  while (i < block->len && block->buf[i])
  {
    char const *s = block->buf + i;
    size_t namelen = strcspn(s, "=");
    unsigned int j = 0;
    if (s[namelen])
      for (; j < 6; j++)
        if (!*values[j] && strlen(names[j]) == namelen && !strncmp(s, names[j], namelen)) *values[j] = s + namelen + 1;
    i += strlen(s) + 1;
  }
}
