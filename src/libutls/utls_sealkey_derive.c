/* ISC license. */

#include <string.h>

#include <bearssl.h>

#include <utls/remote.h>

static void derive (unsigned char *out, size_t outlen, unsigned char const *raw, char const *label)
{
  br_hmac_key_context kc;
  br_hmac_context hc;
  br_hmac_key_init(&kc, &br_sha256_vtable, raw, UTLS_SEAL_KEY_SIZE);
  br_hmac_init(&hc, &kc, outlen);
  br_hmac_update(&hc, label, strlen(label));
  br_hmac_out(&hc, out);
  br_hmac_key_init(&kc, &br_sha256_vtable, "", 0);
}

/* One key file, three independent keys: the cipher's, the names', and
   a public identifier that says which file sealed an entry. */
void utls_sealkey_derive (utls_sealkey *k, unsigned char const *raw)
{
  derive(k->enc, sizeof k->enc, raw, "ucspi-tls session seal v1: encryption");
  derive(k->name, sizeof k->name, raw, "ucspi-tls session seal v1: names");
  derive(k->id, sizeof k->id, raw, "ucspi-tls session seal v1: key id");
  k->set = 1;
}
