#!/bin/sh
# timeout: 60
# ISC license.
#
# 21-tlsd-gnutls.sh: gnutls-cli against tcpserver + tlsd.
#
# gnutls-cli verifies the chain (--x509cafile) and the host name, sends
# one request line and gets the application's reply, which names the
# request and the SSL_* facts, for an RSA and an ECDSA server; the suite
# GnuTLS describes is the one tlsd exports. Also: suites forced by the
# client (ChaCha20-Poly1305, AES-256-GCM), and a client that refuses the
# server's name (the application never runs, tlsd says why).
#
# gnutls-cli sends close_notify and quits as soon as its stdin ends, so
# its stdin is a FIFO that stays open until the server has closed. tlsd
# runs with the default -s (TCP half-close, no close_notify), which
# gnutls-cli reports as "non-properly terminated", exit status 1. Then
# gnutls-cli closes its end: tlsd's -v2 line ends with local-close or
# with eof-without-close_notify, whichever tlsd saw first.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/e2e-common.sh"

need tcpserver gnutls-cli
pki
P=$UTLS_PKI

# the application: one request line in, one reply line out
cat >"$T/app.sh" <<'EOF'
#!/bin/sh
IFS= read -r line || exit 3
printf 'reply to [%s] protocol=%s cipher=%s sni=%s verify=%s\n' "$line" \
  "${SSL_PROTOCOL-}" "${SSL_CIPHER-}" "${SSL_TLS_SNI_SERVERNAME-}" "${SSL_CLIENT_VERIFY-}"
EOF
chmod +x "$T/app.sh"
mkfifo "$T/fifo"

# gcli request [gnutls-cli options...]: request on stdin, stdin kept open
gcli ()
{
  _req=$1
  shift
  { printf '%s\n' "$_req" ; exec sleep 30 ; } >"$T/fifo" &
  _w=$!
  bg_pid "$_w"
  if timeout 20 gnutls-cli --x509cafile="$P/ca.pem" -p "$PORT" "$@" 127.0.0.1 <"$T/fifo"
  then _st=0
  else _st=$?
  fi
  kill "$_w" 2>/dev/null || :
  wait "$_w" 2>/dev/null || :
  return "$_st"
}

# one name cert key expected-suite gnutls-description-ERE [gnutls-cli options...]
one ()
{
  name=$1 cert=$2 key=$3 suite=$4 desc=$5
  shift 5
  req="request $name $$-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
  srv "$name" env CERTFILE="$cert" KEYFILE="$key" tlsd -v2 "$T/app.sh"
  run 1 gcli "$req" --verify-hostname=localhost --sni-hostname=localhost "$@"
  srv_stop
  expect_grep '^- Status: The certificate is trusted\. *$' "$T/out"
  if ! grep -q '^- Handshake was completed' "$T/out"
  then
    sed 's/^/  | /' "$T/err" >&2
    fail "$name: the handshake did not complete; tlsd's stderr: [$(cat "$T/$name.err")] (empty: tlsd died without a word, e.g. a crash)"
  fi
  expect_grep "^- Description: \\(TLS1\\.2-X\\.509\\)-\\(ECDHE-[A-Z0-9]+\\)-$desc\$" "$T/out"
  grep -q -x -F -e "reply to [$req] protocol=TLSv1.2 cipher=$suite sni=localhost verify=NONE" "$T/out" ||
    fail "$name: the application's reply did not come through, or has wrong facts"
  expect_grep 'The TLS connection was non-properly terminated' "$T/err"
  wait_lines 1 "$T/$name.err" '^tlsd: info: '
  expect_grep "^tlsd: info: peer 127\\.0\\.0\\.1:[0-9]+ protocol TLSv1\\.2 cipher $suite sni localhost alpn - peer_subject \"-\" resumed Initial bytes_in [0-9]+ bytes_out [0-9]+ end (local-close|eof-without-close_notify)\$" "$T/$name.err"
  expect_eq "$(wc -l <"$T/$name.err" | tr -d ' ')" 1 "$name: lines on tlsd's stderr"
  # the byte counts are the request and the reply
  out_len=$(grep -F -e "reply to [$req]" "$T/out" | wc -c | tr -d ' ')
  expect_grep " bytes_in $(( ${#req} + 1 )) bytes_out $out_len end" "$T/$name.err"
}

one rsa "$P/rsa.chain.pem" "$P/rsa.key" ECDHE-RSA-AES128-GCM-SHA256 '\(RSA-(PSS-RSAE-)?SHA256\)-\(AES-128-GCM\)'
one ecdsa "$P/ec.chain.pem" "$P/ec.key" ECDHE-ECDSA-AES128-GCM-SHA256 '\(ECDSA-SHA256\)-\(AES-128-GCM\)'
one ecdsa_der "$P/ec.der" "$P/ec.key.der" ECDHE-ECDSA-AES128-GCM-SHA256 '\(ECDSA-SHA256\)-\(AES-128-GCM\)' \
  --x509cafile="$P/int.pem"
one aes256 "$P/rsa.chain.pem" "$P/rsa.key" ECDHE-RSA-AES256-GCM-SHA384 '\(RSA-(PSS-RSAE-)?SHA256\)-\(AES-256-GCM\)' \
  --priority='NORMAL:-CIPHER-ALL:+AES-256-GCM'

# the client checks the name: "wrong.example" is refused, the handshake
# fails, the application never runs
srv wrongname env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 "$T/app.sh"
run 1 gcli "never answered" --verify-hostname=wrong.example --sni-hostname=wrong.example
srv_stop
expect_grep '^- Status: The certificate is NOT trusted\. The name in the certificate does not match' "$T/out"
expect_grep 'Error in the certificate' "$T/err"
expect_no_grep '^reply to ' "$T/out"
wait_lines 1 "$T/wrongname.err" '^tlsd: fatal: '
expect_grep '^tlsd: info: peer 127\.0\.0\.1:[0-9]+ .* end handshake-failed$' "$T/wrongname.err"
expect_grep '^tlsd: fatal: TLS handshake failed: received alert bad_certificate$' "$T/wrongname.err"
[ "$(wc -l <"$T/wrongname.err" | tr -d ' ')" = 2 ] || fail "wrongname: unexpected lines on tlsd's stderr"
# ChaCha20-Poly1305, forced by the client, with both key types
one chacha "$P/ec.chain.pem" "$P/ec.key" ECDHE-ECDSA-CHACHA20-POLY1305 '\(ECDSA-SHA256\)-\(CHACHA20-POLY1305\)' \
  --priority='NORMAL:-CIPHER-ALL:+CHACHA20-POLY1305'
one chacha_rsa "$P/rsa.chain.pem" "$P/rsa.key" ECDHE-RSA-CHACHA20-POLY1305 '\(RSA-(PSS-RSAE-)?SHA256\)-\(CHACHA20-POLY1305\)' \
  --priority='NORMAL:-CIPHER-ALL:+CHACHA20-POLY1305'
exit 0
