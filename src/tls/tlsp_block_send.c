/* ISC license. */

#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>

#include "tls-internal.h"

int tlsp_block_send (int fd, utls_envblock const *block)
{
  int r = allwrite(fd, block->buf, block->len) == block->len ? 0 : -1;
  fd_close(fd);
  return r;
}
