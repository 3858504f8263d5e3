/* ISC license. */

#include <string.h>

#include "tls-internal.h"

/* A block is a series of non-empty NAME=value entries, then one NUL. */
int tlsp_block_valid (utls_envblock const *block)
{
  size_t i = 0;
  if (!block->len || block->buf[block->len - 1]) return 0;
  while (i < block->len - 1)
  {
    size_t n = strnlen(block->buf + i, block->len - 1 - i);
    if (!n || i + n >= block->len - 1 || !memchr(block->buf + i, '=', n)) return 0;
    i += n + 1;
  }
  return 1;
}
