/* ISC license. */

#include <signal.h>

#include "tls-internal.h"

void tlsp_connection_init (utls_engine *e, tlsp_handover *h, tlsp_opts const *opts, utls_fds const *fds, tlsp_side const *side)
{
  /* Inherited SIG_IGN would have the kernel reap the application:
     its status would be lost (waitpid: ECHILD, exit 111). */
  signal(SIGCHLD, SIG_DFL);
  e->fds = *fds;
  h->opts = opts;
  h->facts = side->facts;
  h->wipe = side->wipe;
}
