#!/bin/sh
# timeout: 60
# ISC license.
#
# 72-tlsc-tlsd.sh: tcpclient + tlsc against tcpserver + tlsd, 64 MiB
# each way at the same time.
#
# The server application (e2e-duplex.sh) writes its 64 MiB to the client
# while it copies what it receives to a file; the client application
# does the same on fds 6/7 (its writer in the background; the shell
# closes its own fd 7, so the server sees the end of the data when the
# writer is done). Both received files must have the SHA-256 of what the
# other side sent; both ends exit 0 and log the exact byte counts at -v2.
# Done with an ECDSA and an RSA server certificate.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/cli-common.sh"

need tcpserver tcpclient tlsd tlsc e2e-duplex.sh openssl
pki
P=$UTLS_PKI
CAFILE=$P/ca.pem
export CAFILE
unset CADIR CERTFILE KEYFILE 2>/dev/null || :

size=67108864
head -c "$size" /dev/urandom >"$T/c2s"
head -c "$size" /dev/urandom >"$T/s2c"
sum () { openssl dgst -sha256 -r "$1" | cut -d ' ' -f 1; }
want_c2s=$(sum "$T/c2s")
want_s2c=$(sum "$T/s2c")

# one NAME LEAF SUITE
one () {
  name=$1 leaf=$2 suite=$3
  rm -f "$T/got_c2s" "$T/got_s2c"
  tcpserver_start "$name" env CERTFILE="$P/$leaf.chain.pem" KEYFILE="$P/$leaf.key" \
    tlsd -v2 e2e-duplex.sh "$T/s2c" "$T/got_c2s"
  eval "port=\$${name}_PORT"
  eval "srverr=\$${name}_ERR"
  t0=$(date +%s)
  run 0 tcli "$port" tlsc -v2 -k localhost \
    sh -c 'cat "$1" >&7 & exec 7>&-; cat <&6 >"$2" || exit 1; wait $! || exit 2' sh "$T/c2s" "$T/got_s2c"
  t1=$(date +%s)
  echo "$TEST: $name: 2 x 64 MiB in $((t1 - t0)) s" >&2
  expect_eq "$(sum "$T/got_s2c")" "$want_s2c" "$name: SHA-256 of the data the client received"
  expect_grep "^tlsc: info: peer 127\\.0\\.0\\.1:$port protocol TLSv1\\.2 cipher $suite sni localhost alpn - peer_subject \"CN=localhost\" resumed Initial bytes_in $size bytes_out $size end (local-close|eof-without-close_notify)\$" "$T/err"
  expect_eq "$(wc -l <"$T/err" | tr -d ' ')" 1 "$name: lines on tlsc's stderr"
  # the server writes its -v2 line when it is done, a little later
  wait_for grep -q '^tlsd: info: ' "$srverr"
  expect_grep "^tlsd: info: peer 127\\.0\\.0\\.1:[0-9]+ protocol TLSv1\\.2 cipher $suite sni localhost alpn - peer_subject \"-\" resumed Initial bytes_in $size bytes_out $size end (local-close|eof-without-close_notify)\$" "$srverr"
  expect_eq "$(sum "$T/got_c2s")" "$want_c2s" "$name: SHA-256 of the data the server received"
  server_stop "$name"
}

one ec ec ECDHE-ECDSA-AES128-GCM-SHA256
one rsa rsa ECDHE-RSA-AES128-GCM-SHA256
exit 0
