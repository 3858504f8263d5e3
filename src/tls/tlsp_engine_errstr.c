/* ISC license. */

#include <string.h>

#include "tls-internal.h"

char const *tlsp_engine_errstr (utls_engine const *e)
{
  if (e->sys_what) return strerror(e->sys_errno);
  /* Records start with 20..23; SSLv2 hellos with 0x80. A letter means a
     plaintext protocol: say so rather than "unsupported version". */
  if (!e->handshake_done && e->bytes_from_net && (e->first_byte < 20 || e->first_byte > 23) && e->first_byte != 0x80)
    return "peer did not start a TLS handshake (plaintext or another protocol?)";
  if (!e->handshake_done && !e->err && e->peer_close_notify)
    return "peer ended the session (close_notify) before the handshake completed";
  return utls_error_str(e->err);
}
