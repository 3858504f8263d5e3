#!/bin/sh
# ISC license.
#
# e2e-reply.sh [lines]
#
# A UCSPI application for the half-close tests: reads its whole request
# (until EOF), then answers with `lines` lines (default 640) of the form
# "%04d REQUEST\n", REQUEST being the request without its final newline.
# A 27-byte request gives 640 * 33 = 21120 bytes. e2e-halfclose.py
# computes the same reply and compares.

req=$(cat) || exit 1
exec awk -v r="$req" -v n="${1:-640}" 'BEGIN { for (i = 0; i < n; i++) printf "%04d %s\n", i, r }'
