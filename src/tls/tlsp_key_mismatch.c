/* ISC license. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bearssl.h>

#include "tls-internal.h"

/*
 * The peer refused the handshake: it sent a fatal alert, or closed or
 * reset the connection. A key that signed with the wrong value ends that
 * way (the peer checks the signature), and nothing that is our own
 * verdict does (an X.509 error, a timeout, a refused SNI).
 */
static int peer_refused (utls_engine const *e)
{
  if (e->sys_what) return e->sys_errno == ECONNRESET || e->sys_errno == EPIPE;
  return e->err == UTLS_ERR_PEEREOF || (e->err >= BR_ERR_RECV_FATAL_ALERT && e->err < BR_ERR_SEND_FATAL_ALERT);
}

char const *tlsp_key_mismatch (utls_engine const *e, utls_skey const *key, utls_chain const *chain, char const *certfile, char const *keyfile, int *failexit)
{
  static char fallback[] = "the private key does not match its certificate";
  static char *msg = 0;
  char const *why, *seen;
  size_t len;
  int r;
  if (e->handshake_done || !peer_refused(e) || key->type != BR_KEYTYPE_EC) return 0;
  r = utls_skey_matches_chain(key, chain);
  if (!r) return 0;
  *failexit = UTLS_EXIT_CONFIG;
  why = utls_error_str(r);
  /* What the engine saw is said too: every error is reported. */
  seen = tlsp_engine_errstr(e);
  len = strlen(keyfile) + strlen(certfile) + strlen(why) + strlen(seen) + 80;
  free(msg);
  msg = malloc(len);
  if (!msg) return fallback;
  strcpy(msg, "key ");
  strcat(msg, keyfile);
  strcat(msg, " does not match certificate ");
  strcat(msg, certfile);
  strcat(msg, ": ");
  strcat(msg, why);
  strcat(msg, " (the peer refused the handshake: ");
  strcat(msg, seen);
  strcat(msg, ")");
  return msg;
}
