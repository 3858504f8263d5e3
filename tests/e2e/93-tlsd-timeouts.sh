#!/bin/sh
# timeout: 60
# ISC license.
#
# 93-tlsd-timeouts.sh: slow and idle peers (tests/helpers/rb-fault.py).
#
#  slowloris  with -K 1000, a client sends a real ClientHello one byte
#             every 200 ms: tlsd exits 98 between 0.95 and 1.3 s after
#             it started, says "TLS handshake failed: handshake timed
#             out" (-v2: "end handshake-failed"), the application never
#             ran, and the child tlsd had forked for it is gone.
#  silent     the same with a client that sends nothing at all.
#  idle       an established connection with no data for 3 s: tlsd and
#             the application (cat) use at most 2 clock ticks of CPU
#             over those 3 s and sleep (state S); tlsd holds exactly
#             0 and 1 (the same socket), 2, and two pipes; the
#             application 0 and 1 (pipes) and 2. Data still flows
#             after the pause; tlsd exits 0 after the client's
#             half-close.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/rb-common.sh"

need python3
pki
P=$UTLS_PKI
LINE='tlsd: info: peer 127\.0\.0\.1:[0-9]+ protocol TLSv1\.2 cipher ECDHE-ECDSA-AES128-GCM-SHA256 sni localhost alpn - peer_subject "-" resumed Initial'

printf '#!/bin/sh\n: >"%s/ran"\nexec cat\n' "$T" >"$T/app.sh"
printf '#!/bin/sh\nexec cat\n' >"$T/echo.sh"
chmod +x "$T/app.sh" "$T/echo.sh"

for n in slowloris silent
do
  fault "$n" "$n" -- env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 -K 1000 "$T/app.sh"
  expect_fact "$n" status 98
  expect_le "$n" exit_after 1.3
  awk -v v="$(fact "$n" exit_after)" 'BEGIN { exit !(v >= 0.95) }' || { _rb_show "$n" ; fail "$n: tlsd ended before its 1000 ms timeout" ; }
  expect_gone "$n"
  [ ! -e "$T/ran" ] || fail "$n: the application ran"
  expect_grep '^tlsd: info: peer 127\.0\.0\.1:[0-9]+ protocol - cipher - sni - alpn - peer_subject "-" resumed - bytes_in 0 bytes_out 0 end handshake-failed$' "$T/$n.err"
  expect_grep '^tlsd: fatal: TLS handshake failed: handshake timed out$' "$T/$n.err"
  expect_err_lines "$n" 2
done
h=$(fact slowloris hello_bytes)
s=$(fact slowloris hello_sent)
[ "$s" -ge 4 ] && [ "$s" -lt "$h" ] || fail "slowloris: $s of $h ClientHello bytes sent"

n=idle
fault "$n" idle -- env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 "$T/echo.sh"
expect_idle "$n" '0:socket,1:socket,2:file,[3-9]:pipe,[3-9]:pipe' \
  '0:pipe,1:pipe,2:file'
exit 0
