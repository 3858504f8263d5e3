/* ISC license. */

#include <utls/utls.h>

int utls_envblock_finish (utls_envblock *block)
{
  if (block->overflow || block->len >= UTLS_ENVBLOCK_MAX) return 0;
  block->buf[block->len++] = 0;
  return 1;
}
