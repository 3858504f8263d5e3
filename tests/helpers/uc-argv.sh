#!/bin/sh
# ISC license.
# uc-argv.sh ARGS...: a fake superserver/client for tlsserver/tlsclient -W:
# prints its name and each argument on a line of its own, exits 0.
printf '%s\n' "${0##*/}" "$@"
