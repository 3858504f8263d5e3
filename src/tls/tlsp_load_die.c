/* ISC license. */

#include <skalibs/strerr.h>

#include "tls-internal.h"

void tlsp_load_die (int r, char const *what, char const *file)
{
  if (r < 0) strerr_diefusys(UTLS_EXIT_CONFIG, "read ", what, " ", file);
  strerr_diefu(UTLS_EXIT_CONFIG, "use ", what, " ", file, ": ", utls_error_str(r));
}
