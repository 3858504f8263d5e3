#!/bin/sh
# ISC license.
#
# cli-argv.sh args...: a fake tcpclient for tlsclient -W: prints its
# arguments, one per line, and exits 0.
for a; do printf '%s\n' "$a"; done
