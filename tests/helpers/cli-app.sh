#!/bin/sh
# ISC license.
#
# cli-app.sh MARKER [-l] [REQUEST]
#
# A UCSPI client application for the tlsc tests (network on fds 6/7).
# First it writes its SSL_* variables and the TLS configuration ones
# (CERTFILE KEYFILE CAFILE CADIR TLS_UID TLS_GID), sorted, to MARKER: the file's
# existence proves that the application ran. Then it writes REQUEST
# (printf %b, so "\r\n" works) to fd 7 and copies what the server sends
# on fd 6 to stdout: until EOF, or only one line with -l (for servers
# that never close, like an echo server). fd 7 stays open until the
# application exits.

[ $# -ge 1 ] || { echo "usage: cli-app.sh MARKER [-l] [REQUEST]" >&2; exit 100; }
marker=$1
shift
line=
if [ "${1-}" = -l ]; then line=1; shift; fi
env | grep -E '^(SSL_|CERTFILE=|KEYFILE=|CAFILE=|CADIR=|TLS_UID=|TLS_GID=)' | LC_ALL=C sort >"$marker"
if [ -n "${1-}" ]; then
  printf '%b' "$1" >&7 || { echo "cli-app.sh: cannot write to fd 7" >&2; exit 1; }
fi
if [ -n "$line" ]; then
  IFS= read -r l <&6 || { echo "cli-app.sh: no line from the server" >&2; exit 1; }
  printf '%s\n' "$l"
else
  cat <&6
fi
