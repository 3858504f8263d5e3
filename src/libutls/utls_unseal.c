/* ISC license. */

#include <string.h>

#include <bearssl.h>
#include <skalibs/bytestr.h>

#include "seal-internal.h"

ssize_t utls_unseal (unsigned char *out, utls_sealkey const *keys, unsigned int n, char const *name, unsigned char const *in, size_t len)
{
  unsigned char aad[UTLSP_SEAL_HEADER + UTLS_MC_NAME_LEN];
  unsigned char tag[16];
  utls_sealkey const *k = 0;
  unsigned int i = 0, diff = 0;
  size_t clen, aadlen;
  if (len < UTLS_SEAL_OVERHEAD || memcmp(in, UTLSP_SEAL_MAGIC, 4)) return -1;
  for (; i < n; i++) if (keys[i].set && !memcmp(in + 4, keys[i].id, 4)) { k = keys + i; break; }
  if (!k) return -1;
  clen = len - UTLS_SEAL_OVERHEAD;
  aadlen = utlsp_seal_aad(aad, in, name);
  memcpy(out, in + UTLSP_SEAL_HEADER, clen);
  br_poly1305_ctmul_run(k->enc, in + 8, out, clen, aad, aadlen, tag, &br_chacha20_ct_run, 0);
  for (i = 0; i < 16; i++) diff |= tag[i] ^ in[UTLSP_SEAL_HEADER + clen + i];
  if (diff)
  {
    byte_zzero((char *)out, clen);
    return -1;
  }
  return (ssize_t)clen;
}
