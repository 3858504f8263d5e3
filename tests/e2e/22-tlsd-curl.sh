#!/bin/sh
# timeout: 60
# ISC license.
#
# 22-tlsd-curl.sh: curl against an HTTP/1.0 application behind tcpserver + tlsd.
#
# The application (tests/helpers/e2e-http.sh) answers one GET with a
# line of facts (path, SSL_PROTOCOL, SSL_CIPHER, SSL_ALPN_PROTOCOL) and
# a 3 MiB random payload generated here, whose SHA-256 it sends in a
# header. curl verifies the server (--cacert, host name localhost) and
# must get the whole body: payload compared byte for byte and by
# SHA-256, suite reported by curl = SSL_CIPHER. With tlsd -a http/1.1,
# curl (which offers h2 and http/1.1) gets ALPN http/1.1 and the
# application sees SSL_ALPN_PROTOCOL=http/1.1; a client offering only
# protocols tlsd does not have is refused (ALPACA defence); a client
# offering no ALPN at all still gets through, with no SSL_ALPN_PROTOCOL.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/e2e-common.sh"

need tcpserver curl sha256sum
pki
P=$UTLS_PKI
head -c 3145728 /dev/urandom >"$T/payload"
want_sum=$(sha256sum <"$T/payload")
want_sum=${want_sum%% *}

# get path [curl options...]: GET https://localhost:$PORT/path, verifying
get ()
{
  _path=$1
  shift
  rm -f "$T/headers" "$T/body"
  timeout 20 curl -sS -v --max-time 15 --cacert "$P/ca.pem" \
    --resolve "localhost:$PORT:127.0.0.1" -D "$T/headers" -o "$T/body" "$@" \
    "https://localhost:$PORT/$_path"
}

# check name path suite alpn: body, headers, curl's view, tlsd's line
check ()
{
  name=$1 path=$2 suite=$3 alpn=$4
  expect_grep '^HTTP/1\.0 200 OK' "$T/headers"
  expect_grep "^X-Payload-SHA256: $want_sum" "$T/headers"
  expect_grep "^X-SSL-Cipher: $suite" "$T/headers"
  expect_grep "SSL connection using TLSv1\\.2 / $suite\$" "$T/err"
  expect_grep 'SSL certificate verify ok' "$T/err"
  expect_grep 'subjectAltName: host "localhost" matched' "$T/err"
  facts=$(head -n 1 "$T/body")
  expect_eq "$facts" "path=/$path protocol=TLSv1.2 cipher=$suite alpn=$alpn sni=localhost" "$name: facts line"
  tail -c +$(( ${#facts} + 2 )) "$T/body" >"$T/got"
  got_sum=$(sha256sum <"$T/got")
  expect_eq "${got_sum%% *}" "$want_sum" "$name: SHA-256 of the payload received by curl"
  cmp -s "$T/got" "$T/payload" || fail "$name: payload differs"
  wait_lines 1 "$T/$name.err" '^tlsd: info: '
  a=$alpn
  [ "$a" != none ] || a=-
  expect_grep "^tlsd: info: peer 127\\.0\\.0\\.1:[0-9]+ protocol TLSv1\\.2 cipher $suite sni localhost alpn $a peer_subject \"-\" resumed Initial bytes_in [0-9]+ bytes_out $(cat "$T/headers" "$T/body" | wc -c | tr -d ' ') end " "$T/$name.err"
  expect_no_grep 'fatal|warning' "$T/$name.err"
}

# RSA and ECDSA, no ALPN on the server: curl's ALPN offer is ignored
srv rsa env CERTFILE="$P/rsa.chain.pem" KEYFILE="$P/rsa.key" tlsd -v2 e2e-http.sh "$T/payload"
run 0 get rsa-path
srv_stop
# the headers: tlsd added nothing; the body: facts + payload
check rsa rsa-path ECDHE-RSA-AES128-GCM-SHA256 none
expect_grep 'ALPN: server did not agree on a protocol|ALPN: server did not agree to a protocol' "$T/err"

srv ec env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 e2e-http.sh "$T/payload"
run 0 get ec-path
srv_stop
check ec ec-path ECDHE-ECDSA-AES128-GCM-SHA256 none

# -a http/1.1: curl offers h2 and http/1.1, gets http/1.1
srv alpn env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 -a http/1.1 e2e-http.sh "$T/payload"
run 0 get alpn-path
srv_stop
expect_grep 'ALPN: offers h2' "$T/err"
expect_grep 'ALPN: server accepted http/1\.1' "$T/err"
check alpn alpn-path ECDHE-ECDSA-AES128-GCM-SHA256 http/1.1

# -a h2,http/1.1 and a client that offers only http/1.1: the server's
# second choice is taken
srv alpn2 env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 -a h2,http/1.1 e2e-http.sh "$T/payload"
run 0 get alpn2-path --http1.1
srv_stop
expect_grep 'ALPN: server accepted http/1\.1' "$T/err"
check alpn2 alpn2-path ECDHE-ECDSA-AES128-GCM-SHA256 http/1.1

# no ALPN from the client: no SSL_ALPN_PROTOCOL, the request works
srv noalpn env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 -a http/1.1 e2e-http.sh "$T/payload"
run 0 get noalpn-path --no-alpn
srv_stop
check noalpn noalpn-path ECDHE-ECDSA-AES128-GCM-SHA256 none

# a client that offers only protocols the server does not speak: the
# handshake fails (no_application_protocol), the application never runs
srv mismatch env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 -a imap e2e-http.sh "$T/payload"
run 35 get mismatch-path --http1.1
srv_stop
expect_grep 'no.application.protocol|alert' "$T/err"
[ ! -s "$T/body" ] || fail "mismatch: a body came back although ALPN did not match"
wait_lines 1 "$T/mismatch.err" '^tlsd: fatal: '
expect_grep '^tlsd: info: peer 127\.0\.0\.1:[0-9]+ .* end handshake-failed$' "$T/mismatch.err"
expect_grep '^tlsd: fatal: TLS handshake failed: .*(ALPN|application.protocol)' "$T/mismatch.err"
exit 0
