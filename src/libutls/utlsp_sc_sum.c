/* ISC license. */

#include <string.h>

#include <bearssl.h>

#include <skalibs/bytestr.h>

#include "sesscache-internal.h"

/*
 * Not a MAC: whoever can write the file can do anything to it anyway.
 * It only has to catch a slot that two writers, or a dead writer and a
 * live one, wrote at the same time; truncated SHA-256 does that, and
 * costs ~1 us for a typical entry.
 */
void utlsp_sc_sum (utlsp_scslot const *s, unsigned char *out)
{
  br_sha256_context ctx;
  unsigned char full[32];
  size_t n = s->factslen <= UTLS_SC_FACTS_MAX ? s->factslen : UTLS_SC_FACTS_MAX;
  br_sha256_init(&ctx);
  br_sha256_update(&ctx, (unsigned char const *)s + UTLSP_SC_SUMSTART, UTLSP_SC_FIXED - UTLSP_SC_SUMSTART + n);
  br_sha256_out(&ctx, full);
  memcpy(out, full, sizeof s->sum);
  byte_zzero((char *)&ctx, sizeof ctx);
}
