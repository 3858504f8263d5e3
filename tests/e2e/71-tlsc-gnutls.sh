#!/bin/sh
# timeout: 60
# ISC license.
#
# 71-tlsc-gnutls.sh: tcpclient + tlsc against gnutls-serv.
#
# gnutls-serv sends the chain file it is given (leaf + intermediate).
# For an RSA and an ECDSA leaf: an HTTP request to its built-in web
# page (it describes the session: the suite there must be the one tlsc
# exports), a one-line round trip with --echo, and gnutls-serv's
# unexpected_message answer to tlsc's half-close. tlsc verifies the
# chain to ca.pem and the name localhost each time; the application's
# SSL_* facts are checked.
#
# gnutls-serv cannot bind one address and needs a port number: it gets
# one from freeport (retried on collision, see cli-common.sh) and is
# stopped as soon as its connections are done.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/cli-common.sh"

need tcpclient gnutls-serv openssl tlsc
pki
P=$UTLS_PKI
CAFILE=$P/ca.pem
export CAFILE
unset CADIR CERTFILE KEYFILE 2>/dev/null || :

# facts NAME APPFILE LEAF SUITE
facts () {
  hash=$(der_sha256 "$P/$3.pem")
  for v in "SSL_PROTOCOL=TLSv1.2" "SSL_CIPHER=$4" \
    "SSL_SERVER_S_DN=CN=localhost" "SSL_SERVER_I_DN=CN=ucspi-tls Test Intermediate CA" \
    "SSL_PEER_CERT_HASH=SHA256:$hash" "SSL_TLS_SNI_SERVERNAME=localhost"
  do
    grep -q -x -F -e "$v" "$2" || { cat "$2" >&2; fail "$1: $v not in the application's environment"; }
  done
}

# one NAME LEAF SUITE GNUTLS-KX
one () {
  name=$1 leaf=$2 suite=$3 kx=$4

  # the web page: GET / over HTTP/1.0, the server closes after it
  gnutls_start "$name" --x509certfile "$P/$leaf.chain.pem" --x509keyfile "$P/$leaf.key"
  eval "port=\$${name}_PORT"
  run 0 tcli "$port" tlsc -k localhost cli-app.sh "$T/$name.app" 'GET / HTTP/1.0\r\n\r\n'
  [ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "$name: tlsc wrote on stderr"; }
  expect_eq "$(head -n 1 "$T/out" | tr -d '\r')" "HTTP/1.0 200 OK" "$name: status line"
  expect_grep "<TD>Key Exchange:</TD><TD>$kx</TD>" "$T/out"
  expect_grep '\(TLS1\.2-X\.509\)' "$T/out"
  expect_grep '<TD>Cipher</TD><TD>AES-128-GCM</TD>' "$T/out"
  facts "$name" "$T/$name.app" "$leaf" "$suite"

  # the echo server: one line there and back (it never closes: the
  # application reads one line and exits)
  server_stop "$name"
  gnutls_start "${name}_echo" --echo --x509certfile "$P/$leaf.chain.pem" --x509keyfile "$P/$leaf.key"
  eval "port=\$${name}_echo_PORT"
  word="echo-$name-$$"
  run 0 tcli "$port" tlsc -k localhost cli-app.sh "$T/$name-echo.app" -l "$word\n"
  [ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "$name-echo: tlsc wrote on stderr"; }
  expect_eq "$(cat "$T/out")" "$word" "$name-echo: the echoed line"
  facts "$name-echo" "$T/$name-echo.app" "$leaf" "$suite"
  server_stop "${name}_echo"
}

one rsa rsa ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA
one ec ec ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA

# The application sends a line and closes its output while it goes on
# reading: tlsc half-closes TCP (-s), and gnutls-serv answers that EOF
# without close_notify with a fatal unexpected_message alert, as
# OpenSSL 3 answers with decode_error. Nothing we sent was lost: a
# normal end (exit 0, "peer-alert-after-local-eof" at -v 2). The echo
# test above met this alert only when the application was slow to exit.
gnutls_start halfclose --echo --x509certfile "$P/ec.chain.pem" --x509keyfile "$P/ec.key"
run 0 tcli "$halfclose_PORT" tlsc -v2 -k localhost sh -c 'printf "half\n" >&7; exec 7>&-; exec cat <&6'
server_stop halfclose
expect_eq "$(cat "$T/out")" half "half-close: the echoed line"
expect_grep '^tlsc: info: peer 127\.0\.0\.1:[0-9]+ .* end peer-alert-after-local-eof$' "$T/err"
expect_eq "$(wc -l <"$T/err" | tr -d ' ')" 1 "half-close: lines on tlsc's stderr"

# gnutls-serv with a leaf for another name: rejected, the app never runs
gnutls_start wrong --x509certfile "$P/wronghost.chain.pem" --x509keyfile "$P/wronghost.key"
run 98 tcli "$wrong_PORT" tlsc -k localhost cli-app.sh "$T/wrong.app" 'GET / HTTP/1.0\r\n\r\n'
server_stop wrong
err_is 'tlsc: fatal: TLS handshake failed: host name mismatch: wanted localhost, certificate has other.test'
[ ! -s "$T/out" ] || fail "wrong: output although verification failed"
no_app "$T/wrong.app" "gnutls-serv with a certificate for other.test"
exit 0
