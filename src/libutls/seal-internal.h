/* ISC license. */

#ifndef UTLS_SEAL_INTERNAL_H
#define UTLS_SEAL_INTERNAL_H

#include <string.h>

#include <utls/remote.h>

#define UTLSP_SEAL_MAGIC "UTS1"
#define UTLSP_SEAL_HEADER 20   /* magic, key id, nonce */

/* The associated data: the 20-byte header, then the name. */
static inline size_t utlsp_seal_aad (unsigned char *aad, unsigned char const *header, char const *name)
{
  size_t n = strlen(name);
  if (n > UTLS_MC_NAME_LEN) n = UTLS_MC_NAME_LEN;
  memcpy(aad, header, UTLSP_SEAL_HEADER);
  memcpy(aad + UTLSP_SEAL_HEADER, name, n);
  return UTLSP_SEAL_HEADER + n;
}

#endif
