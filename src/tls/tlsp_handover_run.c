/* ISC license. */

#include "tls-internal.h"

int tlsp_handover_run (utls_engine *e, void *data)
{
  tlsp_handover *h = data;
  int r;
  (void)e;
  (*h->wipe)();
  h->keys_wiped = 1;
  r = (*h->facts)(&h->block, h->opts);
  /* Also when the facts were refused: the -v 2 line says what was known. */
  tlsp_facts_read(&h->logged, &h->block);
  if (r) return r;
  if (!utls_envblock_finish(&h->block)) return UTLS_ERR_ENVFULL;
  if (h->fd >= 0)
  {
    r = tlsp_block_send(h->fd, &h->block);
    h->fd = -1;
    /* tlsd/tlsc: the application died before it could start. */
    if (r < 0 && !h->fd_optional) return UTLS_ERR_APPGONE;
  }
  return 0;
}
