/* ISC license. */

/*
 * The file loaders of the public API, on a memfd reached through
 * /proc/self/fd: utls_chain_readfile, utls_skey_readfile (and
 * utls_skey_fits_chain and utls_skey_matches_chain when both succeed,
 * with our RSA key decoder checked against br_skey_decoder on DER
 * input), utls_anchors_readfile and
 * utls_anchors_readfile_for (filtered on the chain's issuer name when
 * there is one, else on a fixed name), and utls_cabundle_readfile +
 * utls_cabundle_select, which must give what readfile_for gives.
 */

#define _GNU_SOURCE
#include <sys/mman.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bearssl.h>
#include <utls/utls.h>
#include "load-internal.h"
#include "fuzz-common.h"

/*
 * Our RSA decoder against br_skey_decoder: a DER key that both accept
 * must give the same elements. (Each refuses keys the other takes: ours
 * version 1 and zero elements, BearSSL's elements over its buffer.)
 */
static void rsa_differential (utls_skey const *key, uint8_t const *data, size_t size)
{
  br_skey_decoder_context d;
  br_rsa_private_key const *sk;
  br_rsa_private_key const *k = &key->key.rsa;
  br_skey_decoder_init(&d);
  br_skey_decoder_push(&d, data, size);
  if (br_skey_decoder_last_error(&d) || br_skey_decoder_key_type(&d) != BR_KEYTYPE_RSA) return;
  sk = br_skey_decoder_get_rsa(&d);
  FUZZ_ASSERT(sk->n_bitlen == k->n_bitlen);
  FUZZ_ASSERT(sk->plen == k->plen && !memcmp(sk->p, k->p, k->plen));
  FUZZ_ASSERT(sk->qlen == k->qlen && !memcmp(sk->q, k->q, k->qlen));
  FUZZ_ASSERT(sk->dplen == k->dplen && !memcmp(sk->dp, k->dp, k->dplen));
  FUZZ_ASSERT(sk->dqlen == k->dqlen && !memcmp(sk->dq, k->dq, k->dqlen));
  FUZZ_ASSERT(sk->iqlen == k->iqlen && !memcmp(sk->iq, k->iq, k->iqlen));
}

static int fd = -1;
static char path[64];

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  static unsigned char const fixed_name[] = { 0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x04, 't', 'e', 's', 't' };
  utls_chain chain = UTLS_CHAIN_ZERO;
  utls_skey key = UTLS_SKEY_ZERO;
  utls_anchors anchors = UTLS_ANCHORS_ZERO;
  utls_anchors some = UTLS_ANCHORS_ZERO;
  utls_anchors picked = UTLS_ANCHORS_ZERO;
  utls_cabundle bundle = UTLS_CABUNDLE_ZERO;
  utls_der name = { .s = fixed_name, .len = sizeof fixed_name };
  utls_x509_info info;
  int rc, rk, ra;
  if (fd < 0)
  {
    fd = memfd_create("utls-fuzz", 0);
    FUZZ_ASSERT(fd >= 0);
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  }
  FUZZ_ASSERT(ftruncate(fd, 0) == 0);
  FUZZ_ASSERT(pwrite(fd, data, size, 0) == (ssize_t)size);

  rc = utls_chain_readfile(&chain, path);
  if (!rc) FUZZ_ASSERT(chain.ncerts >= 1 && chain.ncerts <= UTLS_CHAIN_MAX);
  rk = utls_skey_readfile(&key, path);
  if (!rk) FUZZ_ASSERT(key.type == BR_KEYTYPE_RSA || key.type == BR_KEYTYPE_EC);
  else FUZZ_ASSERT(!key.type);
  if (!rc && !rk)
  {
    int fits = utls_skey_fits_chain(&key, &chain);
    int matches = utls_skey_matches_chain(&key, &chain);
    /* fits is matches without the EC scalar multiplication: never stricter */
    if (!matches) FUZZ_ASSERT(!fits);
    if (key.type == BR_KEYTYPE_RSA) FUZZ_ASSERT(fits == matches);
  }
  if (!rk && key.type == BR_KEYTYPE_RSA && !utlsp_load_ispem(data, size)) rsa_differential(&key, data, size);

  (void)utls_anchors_readfile(&anchors, path);
  FUZZ_ASSERT(anchors.n <= anchors.alloc);
  if (!rc && !utls_x509_parse(&info, chain.certs[0].data, chain.certs[0].data_len)) name = info.issuer;
  ra = utls_anchors_readfile_for(&some, path, &name, 1);
  FUZZ_ASSERT(some.n <= anchors.n || anchors.n == 0);
  if (!utls_cabundle_readfile(&bundle, path))
  {
    size_t i = 0;
    FUZZ_ASSERT(bundle.n >= 1);
    FUZZ_ASSERT(utls_cabundle_select(&picked, &bundle, &name, 1) == ra);
    FUZZ_ASSERT(picked.n == some.n);
    for (; i < picked.n; i++)
      FUZZ_ASSERT(picked.tas[i].dn.len == some.tas[i].dn.len && !memcmp(picked.tas[i].dn.data, some.tas[i].dn.data, some.tas[i].dn.len));
  }
  else FUZZ_ASSERT(!bundle.data && !bundle.n);
  utls_anchors_free(&picked);
  utls_cabundle_free(&bundle);

  utls_anchors_free(&some);
  utls_anchors_free(&anchors);
  utls_skey_wipe(&key);
  utls_chain_free(&chain);
  return 0;
}
