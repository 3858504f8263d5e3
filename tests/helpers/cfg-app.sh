#!/bin/sh
# ISC license.
#
# cfg-app.sh DIR [ hold ]: the application of the tlsd e2e tests.
# Creates DIR/ran (proof it was started), writes its SSL_* and TLS
# configuration variables to DIR/env (sorted), its parent's pid to
# DIR/ppid, its own pid to DIR/pid, then replies "app-reply" and exits.
# With "hold", after the reply it waits (at most 20 s) for DIR/release
# to exist before exiting, so that a test can look at the processes
# while the connection is open.

dir=$1
: >"$dir/ran"
env | grep -E '^(SSL_|CERTFILE|KEYFILE|CAFILE=|CADIR=|TLS_UID=|TLS_GID=)' | sort >"$dir/env.tmp"
mv "$dir/env.tmp" "$dir/env"
echo "$PPID" >"$dir/ppid"
echo "$$" >"$dir/pid"
echo app-reply
if [ "${2:-}" = hold ]; then
  n=400
  while [ ! -e "$dir/release" ] && [ "$n" -gt 0 ]; do
    sleep 0.05
    n=$((n - 1))
  done
fi
exit 0
