#!/bin/sh
# ISC license.
#
# e2e-env.sh [copyfile]
#
# A UCSPI application for the tlsd tests: prints, sorted, the variables
# that tlsd is supposed to set (SSL_*) or to remove (the TLS
# configuration: CERTFILE, KEYFILE, CAFILE, CADIR, TLS_UID, TLS_GID and
# their SNI forms), then "END-OF-ENV". With copyfile, the same bytes are
# also written there, so that a test knows how many bytes tlsd relayed.

out=$(env | grep -E '^(SSL_|CERTFILE|KEYFILE|CAFILE|CADIR|TLS_UID|TLS_GID)' | LC_ALL=C sort)
if [ $# -ge 1 ]
then
  printf '%s\nEND-OF-ENV\n' "$out" >"$1"
  cat -- "$1"
else
  printf '%s\nEND-OF-ENV\n' "$out"
fi
