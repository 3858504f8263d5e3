/* ISC license. */

/*
 * The file loaders of the public API, on a memfd reached through
 * /proc/self/fd: utls_chain_readfile, utls_skey_readfile (and
 * utls_skey_matches_chain when both succeed), utls_anchors_readfile and
 * utls_anchors_readfile_for (filtered on the chain's issuer name when
 * there is one, else on a fixed name).
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
#include "fuzz-common.h"

static int fd = -1;
static char path[64];

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  static unsigned char const fixed_name[] = { 0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x04, 't', 'e', 's', 't' };
  utls_chain chain = UTLS_CHAIN_ZERO;
  utls_skey key = UTLS_SKEY_ZERO;
  utls_anchors anchors = UTLS_ANCHORS_ZERO;
  utls_anchors some = UTLS_ANCHORS_ZERO;
  utls_der name = { .s = fixed_name, .len = sizeof fixed_name };
  utls_x509_info info;
  int rc, rk;
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
  if (!rc && !rk) (void)utls_skey_matches_chain(&key, &chain);

  (void)utls_anchors_readfile(&anchors, path);
  FUZZ_ASSERT(anchors.n <= anchors.alloc);
  if (!rc && !utls_x509_parse(&info, chain.certs[0].data, chain.certs[0].data_len)) name = info.issuer;
  (void)utls_anchors_readfile_for(&some, path, &name, 1);
  FUZZ_ASSERT(some.n <= anchors.n || anchors.n == 0);

  utls_anchors_free(&some);
  utls_anchors_free(&anchors);
  utls_skey_wipe(&key);
  utls_chain_free(&chain);
  return 0;
}
