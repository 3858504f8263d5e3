/* ISC license. */

#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/strerr.h>

#include "tls-internal.h"

/* The application's side of the handover: Y on ctl, the variables read
   back into block, ctl closed. EOF instead: the handshake failed, and
   the engine says why; exit 98. */
void tlsp_ask_tls (int ctl, utls_envblock *block)
{
  ssize_t r;
  if (fd_write(ctl, "Y", 1) != 1) strerr_diefusys(UTLS_EXIT_SYS, "write to the control descriptor");
  r = allread(ctl, block->buf, sizeof block->buf);
  if (r < 0) strerr_diefusys(UTLS_EXIT_SYS, "read from the control descriptor");
  if (!r) strerr_dief(UTLS_EXIT_PROTOCOL, "TLS handshake failed (the TLS engine says why)");
  block->len = r;
  if (!tlsp_block_valid(block)) strerr_dief(UTLS_EXIT_PROTOCOL, "malformed answer on the control descriptor");
  fd_close(ctl);
}
