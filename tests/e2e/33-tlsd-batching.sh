#!/bin/sh
# timeout: 60
# ISC license.
#
# 33-tlsd-batching.sh: tlsd moves plaintext in batches of up to four
# records each way (one readv/writev per batch), and an idle connection
# gives the pages of its empty buffers back after UTLS_IDLE_RELEASE.
# tests/helpers/e2e-pingpong.py, against tlsd with cat as the
# application:
#  1. messages of sizes around the record size and the batch size go one
#     at a time, each echoed whole before the next (a byte held back in a
#     half-filled record or batch would stall it: timeout);
#  2. 4 MiB both ways at once, then tlsd's anonymous resident memory must
#     drop by at least 128 KiB within 2.5 s of idleness;
#  3. the same messages and 1 MiB again, through the released buffers.
# tlsd's -v2 line must count every byte both ways.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/e2e-common.sh"

need tcpserver python3
pki
P=$UTLS_PKI

srv echo env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" \
  tlsd -v2 sh -c 'echo "$PPID" >"$0"; exec cat' "$T/tlsd.pid"
run 0 timeout 50 e2e-pingpong.py --cafile "$P/ca.pem" --pidfile "$T/tlsd.pid" 127.0.0.1 "$PORT"
expect_grep '^busy_kib=[0-9]+ idle_kib=[0-9]+ drop_kib=[0-9]+$' "$T/out"
expect_grep '^pingpong=ok bulk=ok bytes=[0-9]+$' "$T/out"
bytes=$(sed -n 's/^pingpong=ok bulk=ok bytes=//p' "$T/out")
wait_lines 1 "$T/echo.err" '^tlsd: info: '
expect_grep "^tlsd: info: peer 127\\.0\\.0\\.1:[0-9]+ protocol TLSv1\\.2 .* bytes_in $bytes bytes_out $bytes end " "$T/echo.err"
expect_no_grep 'fatal|warning' "$T/echo.err"
srv_stop
exit 0
