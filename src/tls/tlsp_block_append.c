/* ISC license. */

#include <string.h>

#include "tls-internal.h"

int tlsp_block_append (utls_envblock *block, char const *s, size_t len)
{
  if (block->overflow || block->len > UTLS_ENVBLOCK_MAX - 1 || len > UTLS_ENVBLOCK_MAX - 1 - block->len)
  {
    block->overflow = 1;
    return 0;
  }
  memcpy(block->buf + block->len, s, len);
  block->len += len;
  return 1;
}
