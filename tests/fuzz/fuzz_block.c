/* ISC license. */

/*
 * The control-protocol block validator, tlsp_block_valid
 * (src/tls/tlsp_block_valid.c): what the application side of ucspitlsd and
 * starttls accept on the control descriptor. When it says yes, the
 * block must really be NAME=value entries, each with a '=' and a
 * non-empty name... as tlsp_exec_env will read it.
 */

#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <utls/utls.h>
#include "tls-internal.h"
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  static utls_envblock block;
  if (size > sizeof block.buf) return 0;
  memcpy(block.buf, data, size);
  block.len = size;
  block.overflow = 0;
  if (tlsp_block_valid(&block))
  {
    size_t i = 0;
    FUZZ_ASSERT(size >= 1 && !block.buf[size - 1]);
    while (i < size - 1)
    {
      size_t n = strlen(block.buf + i);
      FUZZ_ASSERT(n && i + n < size - 1);
      FUZZ_ASSERT(memchr(block.buf + i, '=', n));
      i += n + 1;
    }
    FUZZ_ASSERT(i == size - 1);
  }
  return 0;
}
