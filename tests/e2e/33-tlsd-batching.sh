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
#  4. the batches, counted: 4 MiB each way (tests/helpers/e2e-tlsclient.py)
#     through tlsd running under strace, which logs tlsd's readv and
#     writev calls (its only ones: they move plaintext to and from the
#     application; the application itself is not traced). A call moves
#     one batch, at most four records (64 KiB): 64 calls each way at
#     best. Without batching a call moves at most one record (16 KiB),
#     so 4 MiB would take at least 256 calls each way. The bound, 192
#     calls each way that moved data, fails whenever batching is gone and
#     leaves room for short reads and writes under load.

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

need strace
size=4194304
head -c "$size" /dev/urandom >"$T/c.send"
# -s 0: no data in the log; -o: the log, not stderr (tlsd's, checked);
# -q: no attach messages, but the "+++ exited with N +++" line, which
# tells when the log is complete.
tcpserver_start traced env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" \
  strace -q -s 0 -o "$T/trace" -e trace=readv,writev tlsd -v2 cat
run 0 timeout 50 e2e-tlsclient.py --cafile "$P/ca.pem" --send "$T/c.send" --recv "$T/c.recv" \
  --end halfclose 127.0.0.1 "$traced_PORT"
cmp -s "$T/c.send" "$T/c.recv" || fail "traced: the echo differs from what was sent"
wait_lines 1 "$T/trace" '^\+\+\+ exited with '
expect_grep '^\+\+\+ exited with 0 \+\+\+$' "$T/trace"
expect_grep "^tlsd: info: peer 127\\.0\\.0\\.1:[0-9]+ protocol TLSv1\\.2 .* bytes_in $size bytes_out $size end " "$traced_ERR"
expect_no_grep 'fatal|warning|strace' "$traced_ERR"
# calls CALL: "COUNT BYTES" of the CALL lines of the log that moved data
# from or to the application (fd 2 is tlsd's stderr: its -v2 line)
calls ()
{
  sed -n "s/^$1(\([0-9]*\),.*) *= \([0-9][0-9]*\)\$/\1 \2/p" "$T/trace" |
    awk '$1 != 2 && $2 > 0 { n++; b += $2 } END { printf "%d %d\n", n, b }'
}
for call in readv writev
do
  set -- $(calls "$call")
  expect_eq "$2" "$size" "bytes moved by tlsd's ${call}s"
  [ "$1" -le 192 ] || fail "$call: $1 calls moved $size bytes, expected at most 192 (64 KiB batches: 64; one record per call: 256 or more)"
  echo "$call: $1 calls for $2 bytes"
done
exit 0
