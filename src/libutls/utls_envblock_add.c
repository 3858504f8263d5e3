/* ISC license. */

#include <string.h>
#include <utls/utls.h>

/*
 * An entry is written whole or not at all, and always leaves room for
 * the final NUL that utls_envblock_finish adds. value is a C string, so
 * it cannot carry a NUL into the block. After an overflow nothing more
 * is added: the block is unusable anyway.
 */
void utls_envblock_add (utls_envblock *block, char const *name, char const *value)
{
  size_t namelen, valuelen;
  if (!value || !*value || block->overflow) return;
  namelen = strlen(name);
  valuelen = strlen(value);
  if (block->len > UTLS_ENVBLOCK_MAX - 1
   || namelen + valuelen + 2 > UTLS_ENVBLOCK_MAX - 1 - block->len)
  {
    block->overflow = 1;
    return;
  }
  memcpy(block->buf + block->len, name, namelen);
  block->buf[block->len + namelen] = '=';
  memcpy(block->buf + block->len + namelen + 1, value, valuelen + 1);
  block->len += namelen + valuelen + 2;
}
