#!/bin/sh
# timeout: 60
# ISC license.
#
# 94-tlsc-faults.sh: faults on the client side. tests/helpers/rb-fault.py
# plays the TLS server (--role server, Python ssl) and runs tlsc with the
# connection on fds 6 and 7 (as tcpclient does), 0 and 1 on /dev/null.
#
#  reset   the server sends without end (the application reads it all),
#          then resets (RST): tlsc exits 111 within 1 s with "connection
#          failed after the handshake: unable to read from network:
#          Connection reset by peer" and the -v2 "end error". Twice.
#  silent  the server accepts and never answers the ClientHello: tlsc
#          -K 1000 exits 98 between 0.95 and 1.3 s, "TLS handshake
#          failed: handshake timed out"; the application never ran.
#  idle    an established connection, no data for 3 s: tlsc and the
#          application use at most 2 clock ticks of CPU and sleep; tlsc
#          holds exactly 0, 1, 2 (inherited), 6 and 7, and two pipes
#          at 8 or above
#          (the same socket); the application (cat <&6 >&7) 0, 1, 6, 7
#          (pipes) and 2. Data flows after the pause; tlsc exits 0.
# In every case the application's process is gone afterwards.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/rb-common.sh"

need python3
pki
P=$UTLS_PKI
LINE='tlsc: info: peer 127\.0\.0\.1:[0-9]+ protocol TLSv1\.2 cipher ECDHE-ECDSA-[A-Z0-9-]+ sni localhost alpn - peer_subject "CN=localhost" resumed Initial'
SRV="--role server --certfile $P/ec.chain.pem --keyfile $P/ec.key --fds 6,7"

printf '#!/bin/sh\nexec cat <&6 >/dev/null\n' >"$T/sink.sh"
printf '#!/bin/sh\n: >"%s/ran"\nexec cat <&6 >&7\n' "$T" >"$T/echo.sh"
chmod +x "$T/sink.sh" "$T/echo.sh"

for i in 1 2
do
  n=reset$i
  # shellcheck disable=SC2086 # $SRV: several options
  fault "$n" $SRV reset -- env CAFILE="$P/ca.pem" tlsc -v2 -k localhost "$T/sink.sh"
  expect_fact "$n" alive_at_reset 1
  expect_fact "$n" before_reset_sent '[1-9][0-9]*'
  expect_fact "$n" status 111
  expect_le "$n" exit_after 1.0
  expect_gone "$n"
  expect_grep "^$LINE bytes_in [1-9][0-9]* bytes_out 0 end error\$" "$T/$n.err"
  expect_grep '^tlsc: fatal: connection failed after the handshake: unable to read from network: Connection reset by peer$' "$T/$n.err"
  expect_err_lines "$n" 2
done

n=silent
# shellcheck disable=SC2086
fault "$n" $SRV silent -- env CAFILE="$P/ca.pem" tlsc -v2 -K 1000 -k localhost "$T/echo.sh"
expect_fact "$n" status 98
expect_le "$n" exit_after 1.3
awk -v v="$(fact "$n" exit_after)" 'BEGIN { exit !(v >= 0.95) }' || { _rb_show "$n" ; fail "$n: tlsc ended before its 1000 ms timeout" ; }
expect_gone "$n"
[ ! -e "$T/ran" ] || fail "$n: the application ran"
expect_grep '^tlsc: info: peer 127\.0\.0\.1:[0-9]+ protocol - cipher - sni - alpn - peer_subject "-" resumed - bytes_in 0 bytes_out 0 end handshake-failed$' "$T/$n.err"
expect_grep '^tlsc: fatal: TLS handshake failed: handshake timed out$' "$T/$n.err"
expect_err_lines "$n" 2

n=idle
# shellcheck disable=SC2086
fault "$n" $SRV idle -- env CAFILE="$P/ca.pem" tlsc -v2 -k localhost "$T/echo.sh"
expect_idle "$n" '0:file,1:file,2:file,6:socket,7:socket,([89]|[1-9][0-9]):pipe,([89]|[1-9][0-9]):pipe' \
  '0:pipe,1:pipe,2:file,6:pipe,7:pipe'
exit 0
