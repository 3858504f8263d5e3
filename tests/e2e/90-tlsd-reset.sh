#!/bin/sh
# timeout: 60
# ISC license.
#
# 90-tlsd-reset.sh: the client resets the connection (SO_LINGER 0, RST)
# in the middle of a transfer (tests/helpers/rb-fault.py).
#
#  reset       the client is sending (the application reads it all):
#              tlsd exits 111 within 1 s of the RST, with
#              "connection failed after the handshake: unable to read
#              from network: Connection reset by peer" and the -v2 line
#              "end error"; the application is gone (no zombie).
#  reset-recv  the application writes without end and the client is
#              receiving: the same, exit 111 within 1 s, the message
#              names the write (or the read, if the RST is seen there
#              first) and ECONNRESET (or EPIPE).
# Each three times.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/rb-common.sh"

need python3
pki
P=$UTLS_PKI
LINE='tlsd: info: peer 127\.0\.0\.1:[0-9]+ protocol TLSv1\.2 cipher ECDHE-ECDSA-AES128-GCM-SHA256 sni localhost alpn - peer_subject "-" resumed Initial'

printf '#!/bin/sh\nexec cat >/dev/null\n' >"$T/sink.sh"
printf '#!/bin/sh\nexec cat /dev/zero\n' >"$T/zero.sh"
chmod +x "$T/sink.sh" "$T/zero.sh"

i=0
while [ "$i" -lt 3 ]
do
  i=$((i + 1))
  n=reset$i
  fault "$n" reset -- env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 "$T/sink.sh"
  expect_fact "$n" alive_at_reset 1
  expect_fact "$n" before_reset_sent '[1-9][0-9]*'
  expect_fact "$n" status 111
  expect_le "$n" exit_after 1.0
  expect_gone "$n"
  expect_grep "^$LINE bytes_in [1-9][0-9]* bytes_out 0 end error\$" "$T/$n.err"
  expect_grep '^tlsd: fatal: connection failed after the handshake: unable to read from network: Connection reset by peer$' "$T/$n.err"
  expect_err_lines "$n" 2

  n=reset_recv$i
  fault "$n" reset-recv -- env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 "$T/zero.sh"
  expect_fact "$n" alive_at_reset 1
  expect_fact "$n" before_reset_recv '[1-9][0-9]*'
  expect_fact "$n" status 111
  expect_le "$n" exit_after 1.0
  expect_gone "$n"
  expect_grep "^$LINE bytes_in 0 bytes_out [1-9][0-9]* end error\$" "$T/$n.err"
  expect_grep '^tlsd: fatal: connection failed after the handshake: unable to (write to|read from) network: (Connection reset by peer|Broken pipe)$' "$T/$n.err"
  expect_err_lines "$n" 2
done

# The client resets while the application is not reading (it sleeps 4 s)
# and tlsd's buffers are full: tlsd must see the reset at once (it once
# stopped polling the socket when its buffer was full, and noticed only
# when the application read again). It reports it at once, then waits
# for the application, as always.
printf '#!/bin/sh
sleep 4
exec cat >/dev/null
' >"$T/slow.sh"
chmod +x "$T/slow.sh"
n=reset_stalled
fault "$n" reset -- env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 "$T/slow.sh" &
fpid=$!
bg_pid "$fpid"
t0=$(date +%s%N)
i=0
until grep -q '^tlsd: fatal: ' "$T/$n.err" 2>/dev/null
do
  i=$((i + 1))
  [ "$i" -le 300 ] || fail "$n: no fatal line within 3 s"
  sleep 0.01
done
t1=$(date +%s%N)
[ $(( (t1 - t0) / 1000000 )) -le 2500 ] || fail "$n: the reset was reported $(( (t1 - t0) / 1000000 )) ms after the start, not before the application read again"
wait "$fpid" || fail "$n: the fault driver failed"
expect_fact "$n" status 111
expect_gone "$n"
expect_grep '^tlsd: fatal: connection failed after the handshake: unable to read from network: Connection reset by peer$' "$T/$n.err"
exit 0
