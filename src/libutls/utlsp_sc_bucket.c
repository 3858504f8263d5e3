/* ISC license. */

#include <bearssl.h>

#include <skalibs/bytestr.h>

#include "sesscache-internal.h"

/*
 * The hash is keyed with the file's random key: which bucket an ID
 * lands in cannot be predicted without reading the file, so a client
 * cannot aim session IDs (or names) at one bucket to evict the others.
 */
uint32_t utlsp_sc_bucket (utls_sesscache const *c, unsigned int role, unsigned char const *id)
{
  utlsp_schdr const *h = (utlsp_schdr const *)c->map;
  br_sha256_context ctx;
  unsigned char out[32];
  unsigned char r = (unsigned char)role;
  uint32_t v;
  br_sha256_init(&ctx);
  br_sha256_update(&ctx, h->key, sizeof h->key);
  br_sha256_update(&ctx, &r, 1);
  br_sha256_update(&ctx, id, 32);
  br_sha256_out(&ctx, out);
  v = (uint32_t)out[0] << 24 | (uint32_t)out[1] << 16 | (uint32_t)out[2] << 8 | out[3];
  byte_zzero((char *)&ctx, sizeof ctx);
  return (v % (c->nslots / UTLS_SC_WAYS)) * UTLS_SC_WAYS;
}
