/* ISC license. */

#include <stdlib.h>
#include <string.h>
#include <utls/utls.h>

void utls_chain_free (utls_chain *chain)
{
  size_t i = 0;
  for (; i < chain->ncerts; i++) free(chain->certs[i].data);
  free(chain->certs);
  chain->certs = 0;
  chain->ncerts = 0;
  memset(&chain->ee_key, 0, sizeof(chain->ee_key));
}
