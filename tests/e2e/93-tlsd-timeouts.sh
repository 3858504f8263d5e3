#!/bin/sh
# timeout: 90
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
#             0 and 1 (the same socket), 2, and two pipes (at 8 or
#             above, where the engine moves its own descriptors); the
#             application 0 and 1 (pipes) and 2. Data still flows
#             after the pause; tlsd exits 0 after the client's
#             half-close.
#  flood      with -K 1000, a ClientHello and then a warning alert
#             every 20 ms: tlsd still exits 98 within 1.3 s.
#  -I         the idle scenario with -I 1000: exit 98, "connection idle
#             for longer than the idle timeout (-I)"; with -I 5000 the
#             3 s pause passes and tlsd exits 0.
#  -L         a client that reads nothing for 2.5 s while the
#             application writes 64 MiB: with -L 1000 tlsd exits 98,
#             "peer stopped reading..."; with -L 5000 all 64 MiB arrive.
#             A client that reads 16 KiB every 100 ms for 4 s, with
#             -L 1000: not stalled (its send queue drains), exit 0.

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
expect_idle "$n" '0:socket,1:socket,2:file,([89]|[1-9][0-9]):pipe,([89]|[1-9][0-9]):pipe' \
  '0:pipe,1:pipe,2:file'

# -K holds against a busy socket: a ClientHello, then a warning alert
# every 20 ms; the deadline is checked after every read.
n=flood
fault "$n" alert-flood -- env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 -K 1000 "$T/app.sh"
expect_fact "$n" status 98
expect_le "$n" exit_after 1.3
[ "$(fact "$n" alerts_sent)" -ge 20 ] || { _rb_show "$n" ; fail "$n: the flood did not run"; }
expect_gone "$n"
[ ! -e "$T/ran" ] || fail "$n: the application ran"
expect_grep '^tlsd: fatal: TLS handshake failed: handshake timed out$' "$T/$n.err"
expect_err_lines "$n" 2

# -I: the idle scenario pauses 3 s after its first echo. With -I 1000
# tlsd ends the connection (98) and says why; with -I 5000 (the control)
# the pause is allowed and the connection ends normally.
n=idle1000
fault "$n" idle -- env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 -I 1000 "$T/echo.sh"
expect_fact "$n" echo1 ping
expect_fact "$n" status 98
expect_gone "$n"
expect_grep "^$LINE bytes_in 5 bytes_out 5 end error\$" "$T/$n.err"
expect_grep '^tlsd: fatal: connection failed after the handshake: connection idle for longer than the idle timeout \(-I\)$' "$T/$n.err"
expect_err_lines "$n" 2
n=idle5000
fault "$n" idle -- env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 -I 5000 "$T/echo.sh"
expect_fact "$n" echo2 pong
expect_fact "$n" status 0
expect_grep "^$LINE bytes_in 10 bytes_out 10 end eof-without-close_notify\$" "$T/$n.err"
expect_err_lines "$n" 1

# -L: the client reads nothing for 2.5 s while the application writes
# 64 MiB. With -L 1000, tlsd gives up on the client (98) and the
# application is gone; with -L 5000 (the control) everything arrives.
printf '#!/bin/sh\nexec head -c 67108864 /dev/zero\n' >"$T/gen.sh"
chmod +x "$T/gen.sh"
n=stall1000
fault "$n" no-read -- env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 -L 1000 "$T/gen.sh"
expect_fact "$n" status 98
expect_gone "$n"
expect_grep '^tlsd: fatal: connection failed after the handshake: peer stopped reading: nothing could be sent for the write timeout \(-L\)$' "$T/$n.err"
expect_err_lines "$n" 2
# The control, with -L 5000. And a client that reads slowly but
# steadily (160 KB/s for 4 s), with -L 1000: not a stalled one, even
# though the socket buffer stays nearly full and tlsd itself can write
# nothing for longer than -L: the send queue drains, and that is
# progress. In both, everything arrives.
for c in stall5000:no-read:5000 slow1000:slow-read:1000
do
  n=${c%%:*} sc=${c#*:} ms=${c##*:}
  fault "$n" "${sc%:*}" -- env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 -L "$ms" "$T/gen.sh"
  expect_fact "$n" status 0
  expect_fact "$n" recv_bytes 67108864
  expect_gone "$n"
  expect_err_lines "$n" 1
done
exit 0
