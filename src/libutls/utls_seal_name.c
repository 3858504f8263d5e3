/* ISC license. */

#include <string.h>

#include <bearssl.h>

#include <utls/remote.h>

/* A keyed hash: the store cannot tell which session or server a name
   is for, nor compute the name of one it knows. 160 bits are plenty
   against collisions among the entries of one fleet. */
void utls_seal_name (char *name, utls_sealkey const *k, unsigned char const *ctx, size_t ctxlen)
{
  static char const hex[] = "0123456789abcdef";
  br_hmac_key_context kc;
  br_hmac_context hc;
  unsigned char h[20];
  unsigned int i = 0;
  br_hmac_key_init(&kc, &br_sha256_vtable, k->name, sizeof k->name);
  br_hmac_init(&hc, &kc, sizeof h);
  br_hmac_update(&hc, ctx, ctxlen);
  br_hmac_out(&hc, h);
  memcpy(name, "utls:", 5);
  for (; i < sizeof h; i++)
  {
    name[5 + 2 * i] = hex[h[i] >> 4];
    name[6 + 2 * i] = hex[h[i] & 15];
  }
  name[UTLS_MC_NAME_LEN] = 0;
}
