#!/bin/sh
# timeout: 120
# ISC license.
#
# 31-tlsd-halfclose.sh: 1000 clients that half-close right after their request.
#
# Each client (tests/helpers/e2e-halfclose.py: Python ssl over memory
# BIOs, so the half-close is a bare shutdown(SHUT_WR), no close_notify)
# sends one request line and shuts down its write side at once: the
# request and the TCP FIN reach tlsd together. The application
# (tests/helpers/e2e-reply.sh) reads the request until EOF and answers
# 21120 bytes derived from it. Every reply must arrive whole: no lost,
# short or wrong reply, no error (measured before this suite existed:
# another TLS tunnel loses ~2% of replies here). tlsd must log 1000 -v2 lines with 28 bytes in and 21120 out,
# and nothing else.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/e2e-common.sh"

need tcpserver python3
pki
P=$UTLS_PKI
n=1000

srv hc env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 e2e-reply.sh
run 0 timeout 100 e2e-halfclose.py --cafile "$P/ca.pem" --count "$n" --threads 4 127.0.0.1 "$PORT"
expect_grep "^total=$n ok=$n lost=0 short=0 wrong=0 error=0 close_notify=0 eof=$n " "$T/out"
[ ! -s "$T/err" ] || fail "the clients reported failures"
wait_lines "$n" "$T/hc.err" '^tlsd: info: '
srv_stop
good="^tlsd: info: peer 127\\.0\\.0\\.1:[0-9]+ protocol TLSv1\\.2 cipher ECDHE-ECDSA-AES128-GCM-SHA256 sni localhost alpn - peer_subject \"-\" resumed Initial bytes_in 28 bytes_out 21120 end eof-without-close_notify\$"
expect_eq "$(count_lines "$T/hc.err" "$good")" "$n" "tlsd's -v2 lines for whole exchanges"
expect_eq "$(wc -l <"$T/hc.err" | tr -d ' ')" "$n" "lines on tlsd's stderr"
sed -n 's/^total=[0-9]* .* seconds=/seconds=/p' "$T/out"
exit 0
