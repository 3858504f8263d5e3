#!/bin/sh
# timeout: 90
# ISC license.
#
# 30-tlsd-integrity.sh: 64 MiB each way, at the same time, through tlsd.
#
# The application (tests/helpers/e2e-duplex.sh) writes 64 MiB of random
# data while it copies everything it reads into a file; the client
# (tests/helpers/e2e-tlsclient.py: Python ssl over memory BIOs and a
# non-blocking socket) sends its own 64 MiB while it receives. Both
# sides half-close when they have sent everything. SHA-256 compared both
# ways; tlsd's -v2 line must count 64 MiB each way.
#  1. tcpserver + tlsd (default -s, -j): the client sees the server's
#     TCP EOF without close_notify.
#  2. the same, tlsd alone on the connection, to check its exit status
#     (the application's: 0).
# (-S with bulk data: see 32-tlsd-eof.sh.)

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/e2e-common.sh"

need tcpserver python3 sha256sum
pki
P=$UTLS_PKI
size=67108864
head -c "$size" /dev/urandom >"$T/c.send"
head -c "$size" /dev/urandom >"$T/s.send"
sum_c=$(sha256sum <"$T/c.send")
sum_s=$(sha256sum <"$T/s.send")

# verify name end: the two copies, the client's report, tlsd's line
verify ()
{
  [ -f "$T/s.recv" ] || fail "$1: the application did not run"
  expect_eq "$(sha256sum <"$T/s.recv")" "$sum_c" "$1: SHA-256 of what the application received ($(wc -c <"$T/s.recv") bytes)"
  expect_eq "$(sha256sum <"$T/c.recv")" "$sum_s" "$1: SHA-256 of what the client received ($(wc -c <"$T/c.recv") bytes)"
  expect_grep "^version=TLSv1\\.2 cipher=ECDHE-ECDSA-AES128-GCM-SHA256 alpn=-\$" "$T/err"
  expect_grep "^sent=$size received=$size end=$2\$" "$T/err"
  wait_lines 1 "$T/$1.err" '^tlsd: info: '
  expect_grep "^tlsd: info: peer 127\\.0\\.0\\.1:[0-9]+ protocol TLSv1\\.2 cipher ECDHE-ECDSA-AES128-GCM-SHA256 sni localhost alpn - peer_subject \"-\" resumed Initial bytes_in $size bytes_out $size end $3\$" "$T/$1.err"
  expect_no_grep 'fatal|warning' "$T/$1.err"
}

# 1. tcpserver + tlsd, defaults
srv bulk env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" \
  tlsd -v2 e2e-duplex.sh "$T/s.send" "$T/s.recv"
run 0 timeout 40 e2e-tlsclient.py --timeout 35 --cafile "$P/ca.pem" \
  --send "$T/c.send" --recv "$T/c.recv" --end halfclose 127.0.0.1 "$PORT"
srv_stop
verify bulk eof '(eof-without-close_notify|local-close)'

# 2. the same with tlsd alone on the connection: its exit status is the
# application's
rm -f "$T/s.recv" "$T/c.recv"
one_shot alone env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" \
  tlsd -v2 e2e-duplex.sh "$T/s.send" "$T/s.recv"
run 0 timeout 40 e2e-tlsclient.py --timeout 35 --cafile "$P/ca.pem" \
  --send "$T/c.send" --recv "$T/c.recv" --end halfclose 127.0.0.1 "$PORT"
one_shot_wait
expect_eq "$ST" 0 "tlsd's exit status"
verify alone eof '(eof-without-close_notify|local-close)'
exit 0
