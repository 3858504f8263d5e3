#!/bin/sh
# ISC license.
#
# e2e-resumed.sh LOG [quiet]
#
# A UCSPI application for the session resumption tests: appends one line
# with what tlsd told it about the session and the client certificate
# to LOG, and writes the same line to the client unless "quiet" (for
# clients that close at once, such as openssl s_client -reconnect).

line="resumed=${SSL_SESSION_RESUMED-} verify=${SSL_CLIENT_VERIFY-} dn=${SSL_CLIENT_S_DN-} hash=${SSL_PEER_CERT_HASH-} sni=${SSL_TLS_SNI_SERVERNAME-} cache=${TLS_SESSION_CACHE-}"
printf '%s\n' "$line" >>"$1"
[ "${2-}" = quiet ] || printf '%s\n' "$line"
