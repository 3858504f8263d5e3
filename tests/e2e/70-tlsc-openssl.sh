#!/bin/sh
# timeout: 60
# ISC license.
#
# 70-tlsc-openssl.sh: tcpclient + tlsc against openssl s_server.
#
# For an RSA and an ECDSA leaf, the server sending the intermediate with
# the leaf (-cert_chain), tlsc verifies the chain to ca.pem (CAFILE) and
# the name localhost (-k), then the application runs: a round trip
# through s_server -rev (it sends each line back reversed; "CLOSE" makes
# it close the connection). Checked: exit 0, nothing but the -v2 info
# line on tlsc's stderr, the SSL_* facts the application got (server
# DN, issuer DN, SHA-256 of the server's DER certificate, protocol, the
# suite s_server says it chose, SNI, a stale SSL_FOO removed), ALPN, and
# a shell pipeline through tlsclient against s_server -www.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/cli-common.sh"

need tcpclient openssl tlsc tlsclient
pki
P=$UTLS_PKI
CAFILE=$P/ca.pem
export CAFILE
unset CADIR CERTFILE KEYFILE 2>/dev/null || :

# one NAME LEAF SUITE: round trip against s_server -rev with LEAF.pem/.key
one () {
  name=$1 leaf=$2 suite=$3
  ossl_start "$name" -naccept 1 -rev -cert "$P/$leaf.pem" -key "$P/$leaf.key" -cert_chain "$P/int.pem"
  eval "port=\$${name}_PORT"
  run 0 tcli "$port" env SSL_FOO=stale tlsc -v2 -k localhost cli-app.sh "$T/$name.app" 'hello tlsc\nCLOSE\n'
  expect_eq "$(cat "$T/out")" "cslt olleh" "$name: the reply from s_server -rev"
  expect_grep "^tlsc: info: peer 127\\.0\\.0\\.1:$port protocol TLSv1\\.2 cipher $suite sni localhost alpn - peer_subject \"CN=localhost\" resumed Initial bytes_in 11 bytes_out 17 end (close_notify|eof-without-close_notify)\$" "$T/err"
  expect_eq "$(wc -l <"$T/err" | tr -d ' ')" 1 "$name: lines on tlsc's stderr"
  wait "$(eval "echo \$${name}_PID")" 2>/dev/null || :
  # what s_server negotiated (with -rev it prints that on stderr)
  expect_grep "^Ciphersuite: $suite\$" "$T/$name.err"
  expect_grep '^Protocol version: TLSv1\.2$' "$T/$name.err"
  # what the application got
  hash=$(der_sha256 "$P/$leaf.pem")
  [ ${#hash} = 64 ] || fail "$name: cannot compute the certificate's hash"
  for v in "SSL_PROTOCOL=TLSv1.2" "SSL_CIPHER=$suite" \
    "SSL_SERVER_S_DN=CN=localhost" "SSL_SERVER_S_DN_CN=localhost" \
    "SSL_SERVER_I_DN=CN=ucspi-tls Test Intermediate CA" \
    "SSL_PEER_CERT_HASH=SHA256:$hash" "SSL_PEER_CERT_SUBJECT=CN=localhost" \
    "SSL_TLS_SNI_SERVERNAME=localhost" "SSL_SESSION_RESUMED=Initial"
  do
    grep -q -x -F -e "$v" "$T/$name.app" || { cat "$T/$name.app" >&2; fail "$name: $v not in the application's environment"; }
  done
  expect_no_grep '^SSL_FOO=' "$T/$name.app"
  expect_no_grep '^SSL_ALPN_PROTOCOL=' "$T/$name.app"
  expect_no_grep '^(CAFILE|CADIR)=' "$T/$name.app"
}

one rsa rsa ECDHE-RSA-AES128-GCM-SHA256
one ec ec ECDHE-ECDSA-AES128-GCM-SHA256

# ALPN: offered with -a, chosen by the server, exported
ossl_start alpn -naccept 1 -rev -cert "$P/ec.pem" -key "$P/ec.key" -cert_chain "$P/int.pem" -alpn http/1.1
run 0 tcli "$alpn_PORT" tlsc -k localhost -a h2,http/1.1 cli-app.sh "$T/alpn.app" 'abc\nCLOSE\n'
expect_eq "$(cat "$T/out")" "cba" "alpn: the reply"
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "alpn: tlsc wrote on stderr"; }
expect_grep '^SSL_ALPN_PROTOCOL=http/1\.1$' "$T/alpn.app"

# shell pipeline through tlsclient against s_server -www (it answers
# GET / with a status page, then closes); tlsclient's host is an
# address, so -k names the certificate's host.
ossl_start www -naccept 1 -www -cert "$P/rsa.pem" -key "$P/rsa.key" -cert_chain "$P/int.pem"
run 0 timeout 20 tlsclient -k localhost 127.0.0.1 "$www_PORT" \
  sh -c 'printf "GET / HTTP/1.0\r\n\r\n" >&7; cat <&6'
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "www: tlsclient wrote on stderr"; }
expect_eq "$(head -n 1 "$T/out" | tr -d '\r')" "HTTP/1.0 200 ok" "www: status line"
expect_grep '^Content-type: text/html' "$T/out"
expect_grep '^New, TLSv1\.2, Cipher is ECDHE-RSA-AES128-GCM-SHA256$' "$T/out"
expect_grep '</HTML>' "$T/out"

# The same pipeline, verification failing: the shell never runs.
ossl_start www2 -naccept 1 -www -cert "$P/rsa.pem" -key "$P/rsa.key" -cert_chain "$P/int.pem"
run 98 timeout 20 tlsclient -k other.test 127.0.0.1 "$www2_PORT" \
  sh -c ': >"$0"; printf "GET / HTTP/1.0\r\n\r\n" >&7; cat <&6' "$T/www2.ran"
err_is 'tlsc: fatal: TLS handshake failed: host name mismatch: wanted other.test, certificate has localhost, *.wild.test, 127.0.0.1, ::1'
[ ! -s "$T/out" ] || fail "www2: output although verification failed"
no_app "$T/www2.ran" "www2 (wrong host name)"
exit 0
