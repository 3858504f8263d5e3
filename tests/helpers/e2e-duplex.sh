#!/bin/sh
# ISC license.
#
# e2e-duplex.sh sendfile recvfile
#
# A UCSPI application for the integrity tests: it writes sendfile to its
# stdout while, at the same time, it copies its stdin into recvfile.
# Its stdout is closed as soon as sendfile has been written, so the peer
# sees the end of the data at once, not when the whole exchange is over.
# Exits 0 when both copies succeeded, 1 otherwise.

[ $# -eq 2 ] || { echo "usage: e2e-duplex.sh sendfile recvfile" >&2; exit 100; }
cat -- "$1" &
wpid=$!
exec >&-
cat >"$2" || { echo "e2e-duplex.sh: copying stdin to $2 failed" >&2; wait "$wpid"; exit 1; }
wait "$wpid" || { echo "e2e-duplex.sh: writing $1 failed" >&2; exit 1; }
exit 0
