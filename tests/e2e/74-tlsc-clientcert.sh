#!/bin/sh
# timeout: 60
# ISC license.
#
# 74-tlsc-clientcert.sh: tlsc -y sends CERTFILE/KEYFILE as its client
# certificate.
#
# Against openssl s_server -Verify 1 -verify_return_error (a client
# certificate is mandatory and must chain to ca.pem): the client chain is
# accepted and s_server names the client; a rogue client certificate and
# no certificate at all are refused (s_server sends an alert, tlsc says
# which, the application never runs). Against tlsd -y with CAFILE: the
# server application sees SSL_CLIENT_VERIFY=SUCCESS and the client's DN;
# without -y, or with -y -Y (the last one wins: send none), the handshake
# fails with a client-side message that says why, exit 98, no app.
# Configuration errors: -y without CERTFILE or KEYFILE => 100; a key
# that does not match the certificate, a missing file => 96; all before
# any connection (tlsc is given /dev/null as its network), except an EC
# key of the right curve but another value, found when the server
# refuses its signature (96 too).

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/cli-common.sh"

need tcpserver tcpclient tlsd tlsc openssl
pki
P=$UTLS_PKI
CAFILE=$P/ca.pem
export CAFILE
unset CADIR CERTFILE KEYFILE 2>/dev/null || :
good="CERTFILE=$P/client.chain.pem KEYFILE=$P/client.key"
rogue="CERTFILE=$P/rogue-client.pem KEYFILE=$P/rogue-client.key"

# --- openssl s_server, client certificate mandatory
ossl () {
  ossl_start "$1" -naccept 1 -rev -cert "$P/rsa.pem" -key "$P/rsa.key" -cert_chain "$P/int.pem" \
    -Verify 1 -CAfile "$P/ca.pem" -verify_return_error
}

ossl o1
# shellcheck disable=SC2086
run 0 tcli "$o1_PORT" env $good tlsc -y -k localhost cli-app.sh "$T/o1.app" 'client cert\nCLOSE\n'
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "o1: tlsc wrote on stderr"; }
expect_eq "$(cat "$T/out")" "trec tneilc" "o1: reply"
wait "$o1_PID" 2>/dev/null || :
expect_grep '^Peer certificate: CN = Test Client, O = ucspi-tls, emailAddress = client@example\.test$' "$o1_ERR"
expect_grep '^Verification: OK$' "$o1_ERR"
# the TLS configuration variables do not reach the application (-z)
expect_grep '^SSL_PROTOCOL=TLSv1\.2$' "$T/o1.app"
expect_no_grep '^(CERTFILE|KEYFILE|CAFILE)=' "$T/o1.app"

ossl o2
# shellcheck disable=SC2086
run 98 tcli "$o2_PORT" env $rogue tlsc -y -k localhost cli-app.sh "$T/o2.app" 'x\n'
err_is 'tlsc: fatal: TLS handshake failed: received alert unknown_ca'
no_app "$T/o2.app" "rogue client certificate, openssl s_server"

ossl o3
run 98 tcli "$o3_PORT" tlsc -k localhost cli-app.sh "$T/o3.app" 'x\n'
err_is 'tlsc: fatal: TLS handshake failed: received alert handshake_failure'
no_app "$T/o3.app" "no client certificate, openssl s_server"
wait "$o3_PID" 2>/dev/null || :
expect_grep 'peer did not return a certificate' "$o3_ERR"

# An EC key of the certificate's curve but another value passes the
# start-up check (type, curve); the server refuses its signature, and
# tlsc then names the key as the reason: 96, no app.
ossl o4
run 96 tcli "$o4_PORT" env CERTFILE="$P/client.chain.pem" KEYFILE="$P/ec.key" tlsc -y -k localhost cli-app.sh "$T/o4.app" 'x\n'
err_is "tlsc: fatal: key $P/ec.key does not match certificate $P/client.chain.pem: private key does not match the certificate (the peer refused the handshake: received alert decrypt_error)"
no_app "$T/o4.app" "client key of the right curve but not the certificate's, openssl s_server"
# The same key, but a server chain that tlsc refuses (CAFILE: another
# CA): that refusal is the reason, not the key, which never signed.
ossl o5
run 98 tcli "$o5_PORT" env CAFILE="$P/rogue-ca.pem" CERTFILE="$P/client.chain.pem" KEYFILE="$P/ec.key" tlsc -y -k localhost cli-app.sh "$T/o5.app" 'x\n'
err_is 'tlsc: fatal: TLS handshake failed: server certificate chain not trusted: no known CA signed it (CAFILE/CADIR, or the system store)'
no_app "$T/o5.app" "untrusted server chain, mismatched client key"

# --- tlsd -y (mandatory client certificate, CAFILE=ca.pem)
cat >"$T/srv.sh" <<'EOF'
#!/bin/sh
echo "verify=${SSL_CLIENT_VERIFY-} dn=${SSL_CLIENT_S_DN-} cn=${SSL_CLIENT_S_DN_CN-}"
EOF
chmod +x "$T/srv.sh"
tcpserver_start t env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" CAFILE="$P/ca.pem" tlsd -y "$T/srv.sh"

# shellcheck disable=SC2086
run 0 tcli "$t_PORT" env $good tlsc -y -k localhost cli-app.sh "$T/t1.app"
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "t1: tlsc wrote on stderr"; }
expect_eq "$(cat "$T/out")" "verify=SUCCESS dn=emailAddress=client@example.test,O=ucspi-tls,CN=Test Client cn=Test Client" "t1: what tlsd's application saw"

# refused by tlsd: BearSSL refuses a client certificate (or its absence)
# by closing the connection, without an alert (there is no public API to
# send one), so all tlsc can say is that the server closed the connection
# during the handshake; tlsd's own log names the reason.
# shellcheck disable=SC2086
for c in t2 t3 t4; do
  case $c in
    t2) run 98 tcli "$t_PORT" tlsc -k localhost cli-app.sh "$T/$c.app" ;;
    t3) run 98 tcli "$t_PORT" env $good tlsc -y -Y -k localhost cli-app.sh "$T/$c.app" ;;
    t4) run 98 tcli "$t_PORT" env $rogue tlsc -y -k localhost cli-app.sh "$T/$c.app" ;;
  esac
  no_app "$T/$c.app" "$c: client certificate refused by tlsd"
  [ ! -s "$T/out" ] || fail "$c: output although the handshake failed"
  expect_eq "$(wc -l <"$T/err" | tr -d ' ')" 1 "$c: lines on tlsc's stderr"
  expect_grep '^tlsc: fatal: TLS handshake failed: ' "$T/err"
  expect_grep '^tlsc: fatal: TLS handshake failed: peer closed the connection without close_notify$' "$T/err"
done
wait_for grep -q 'client sent no certificate' "$t_ERR"

# --- configuration errors, before any connection
# cfg STATUS "MESSAGE" [VAR=value...]: tlsc -y with that environment
cfg () {
  _st=$1 _msg=$2
  shift 2
  rm -f "$T/cfg.app"
  run "$_st" env "$@" tlsc -y -k localhost cli-app.sh "$T/cfg.app" 6</dev/null 7>/dev/null
  err_is "$_msg"
  no_app "$T/cfg.app" "configuration error: $*"
}
need_both='tlsc: fatal: a client certificate (-y) needs CERTFILE and KEYFILE'
cfg 100 "$need_both" CAFILE="$P/ca.pem"
cfg 100 "$need_both" KEYFILE="$P/client.key"
cfg 100 "$need_both" CERTFILE="$P/client.chain.pem"
cfg 96 "tlsc: fatal: key $P/rsa.key does not match certificate $P/client.chain.pem: private key does not match the certificate" \
  CERTFILE="$P/client.chain.pem" KEYFILE="$P/rsa.key"
cfg 96 "tlsc: fatal: unable to read certificate file $P/nonexistent.pem: No such file or directory" \
  CERTFILE="$P/nonexistent.pem" KEYFILE="$P/client.key"
exit 0
