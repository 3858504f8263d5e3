/* ISC license. */

#include <string.h>
#include <sys/random.h>

#include <bearssl.h>

#include "seal-internal.h"

/*
 * MAGIC, key id, 96-bit random nonce, then the ChaCha20-Poly1305
 * ciphertext and tag. The associated data is the header and the name,
 * so an entry copied under another name (another session, another
 * server) does not open.
 */
size_t utls_seal (unsigned char *out, utls_sealkey const *k, char const *name, unsigned char const *in, size_t len)
{
  unsigned char aad[UTLSP_SEAL_HEADER + UTLS_MC_NAME_LEN];
  size_t got = 0, aadlen;
  memcpy(out, UTLSP_SEAL_MAGIC, 4);
  memcpy(out + 4, k->id, 4);
  while (got < 12)
  {
    ssize_t r = getrandom(out + 8 + got, 12 - got, 0);
    if (r <= 0) return 0;
    got += r;
  }
  aadlen = utlsp_seal_aad(aad, out, name);
  memmove(out + UTLSP_SEAL_HEADER, in, len);
  br_poly1305_ctmul_run(k->enc, out + 8, out + UTLSP_SEAL_HEADER, len, aad, aadlen, out + UTLSP_SEAL_HEADER + len, &br_chacha20_ct_run, 1);
  return len + UTLS_SEAL_OVERHEAD;
}
