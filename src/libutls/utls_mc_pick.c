/* ISC license. */

#include <string.h>

#include <bearssl.h>

#include <utls/remote.h>

/*
 * Rendezvous hashing: each server scores SHA-256(id, NUL, name) and the
 * highest score wins. Adding or losing a server moves only the names
 * it wins or held; the order of the list does not matter.
 */
utls_mc_server *utls_mc_pick (utls_mc *mc, char const *name)
{
  utls_mc_server *best = mc->srv;
  unsigned char top[32] = { 0 };
  unsigned int i = 0;
  if (mc->n == 1) return best;
  for (; i < mc->n; i++)
  {
    br_sha256_context h;
    unsigned char score[32];
    br_sha256_init(&h);
    br_sha256_update(&h, mc->srv[i].id, strlen(mc->srv[i].id) + 1);
    br_sha256_update(&h, name, strlen(name));
    br_sha256_out(&h, score);
    if (!i || memcmp(score, top, sizeof score) > 0)
    {
      memcpy(top, score, sizeof top);
      best = mc->srv + i;
    }
  }
  return best;
}
