#!/bin/sh
# ISC license.
# timeout: 90
#
# 43-tlsd-x509-policy: what tlsd -y/-Y refuses in a client chain that
# BearSSL's minimal validator alone would accept. The clients are openssl
# s_client (SECLEVEL=0, or it would refuse to send the weak chains) and
# our own tlsc -y.
#
# Refused (exit 98, the exact reason on stderr, the application never
# runs): a leaf or an intermediate signed with SHA-1; an RSA-1024 key in
# the leaf or in the intermediate; a serverAuth-only leaf (the "any web
# server's certificate logs in" hole when CAFILE is a public bundle); a
# leaf with both purposes under an intermediate restricted to
# serverAuth; a malformed EKU extension. With -Y the same chains are
# refused too (only the absence of a certificate is tolerated).
# Positive controls, same shapes: client (P-256, SHA-256, clientAuth),
# rsa (RSA-2048), ec (both purposes), eku-any (anyExtendedKeyUsage),
# noeku (no EKU), and a root that signs itself with SHA-1 (never
# checked, even when the client sends it along).

. "${0%/*}/../lib.sh"
. "$UTLS_TOP/tests/helpers/cfg-common.sh"

need tlsd tlsc tcpclient openssl python3 timeout
pki
K=$UTLS_PKI
unset CERTFILE KEYFILE CAFILE CADIR TLS_UID TLS_GID 2>/dev/null || :

weak="-cipher DEFAULT:@SECLEVEL=0"
# cli NAME CHAIN: s_client arguments presenting NAME.pem with the rest of CHAIN
cli() {
  echo "$weak -cert $K/$1.pem -key $K/$1.key -cert_chain $K/$2"
}

n=0
# ok CA_VARS CLIENT_ARGS TLSD_OPTS: a successful exchange, verified client
ok() {
  n=$((n + 1))
  mkdir "$T/app$n"
  # $1 and $3 are split on purpose.
  tls_ok "ok$n" "$2" env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" $1 tlsd $3 "$CFG_APP" "$T/app$n"
  [ ! -s "$T/ok$n.err" ] || { cat "$T/ok$n.err" >&2; fail "ok$n: tlsd wrote on stderr"; }
  expect_grep '^SSL_CLIENT_VERIFY=SUCCESS$' "$T/app$n/env"
}

# refused CA_VARS CLIENT_ARGS TLSD_OPTS MESSAGE: 98, message, no app
refused() {
  n=$((n + 1))
  mkdir "$T/app$n"
  tls_refused "no$n" "$T/app$n" "$2" env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" $1 tlsd $3 "$CFG_APP" "$T/app$n"
  expect_grep "^tlsd: fatal: TLS handshake failed: $4\$" "$T/no$n.err"
}

ca="CAFILE=$K/ca.pem"
sha1='peer certificate signed with SHA-1 \(refused\)'
short='RSA key in peer chain shorter than 2048 bits'
eku='peer certificate not valid for TLS client authentication \(Extended Key Usage\)'

# SHA-1 signatures
ok "$ca" "$(cli client int.pem)" -y
refused "$ca" "$(cli sha1 int.pem)" -y "$sha1"
refused "$ca" "$(cli sha1 int.pem)" -Y "$sha1"
refused "$ca" "$(cli sha1int int-sha1.pem)" -y "$sha1"
ok "CAFILE=$K/sha1root.pem" "$(cli sha1root-leaf sha1root.pem)" -y

# RSA keys shorter than 2048 bits
ok "$ca" "$(cli rsa int.pem)" -y
refused "$ca" "$(cli rsa1024 int.pem)" -y "$short"
refused "$ca" "$(cli rsa1024int int-rsa1024.pem)" -y "$short"
refused "$ca" "$(cli rsa1024 int.pem)" -Y "$short"

# Extended Key Usage
refused "$ca" "$(cli eku-server int.pem)" -y "$eku"
refused "$ca" "$(cli eku-server int.pem)" -Y "$eku"
refused "$ca" "$(cli ekuint int-ekuserver.pem)" -y "$eku"
ok "$ca" "$(cli ec int.pem)" -y
ok "$ca" "$(cli eku-client int.pem)" -y
ok "$ca" "$(cli eku-any int.pem)" -y
ok "$ca" "$(cli noeku int.pem)" -Y
# an intermediate as the trust anchor: its own EKU is not judged, the
# leaf's still is
ok "CAFILE=$K/int-ekuserver.pem" "$(cli ekuint int-ekuserver.pem)" -y
refused "CAFILE=$K/int.pem" "$(cli eku-server int.pem)" -y "$eku"

# our own client: tlsc -y with a serverAuth-only certificate, then with
# a malformed EKU, then the control
cat >"$T/cli.sh" <<'EOF'
#!/bin/sh
cat <&6
EOF
chmod +x "$T/cli.sh"
# tlscpair CHAIN KEY: tlsd -y on one connection (its status in
# $srv_status), tlsc -y sending CHAIN as its client certificate
tlscpair() {
  n=$((n + 1))
  mkdir "$T/app$n"
  serve1 "tc$n" env CERTFILE="$K/ec.chain.pem" KEYFILE="$K/ec.key" "$ca" tlsd -y "$CFG_APP" "$T/app$n"
  timeout 20 tcpclient -H -R -l0 127.0.0.1 "$port" env CAFILE="$K/ca.pem" CERTFILE="$K/$1" KEYFILE="$K/$2" \
    tlsc -y -k localhost "$T/cli.sh" >"$T/tc$n.out" 2>"$T/tc$n.cerr" || :
  finish1
}
tlscpair eku-server.chain.pem eku-server.key
expect_status "tc$n" 98
expect_grep "^tlsd: fatal: TLS handshake failed: $eku\$" "$T/tc$n.err"
[ ! -e "$T/app$n/ran" ] || fail "tc$n: the application ran"
tlscpair eku-bad.chain.pem eku-bad.key
expect_status "tc$n" 98
expect_grep '^tlsd: fatal: TLS handshake failed: peer certificate: invalid value in an ASN\.1 structure$' "$T/tc$n.err"
[ ! -e "$T/app$n/ran" ] || fail "tc$n: the application ran"
tlscpair client.chain.pem client.key
expect_status "tc$n" 0
expect_grep '^app-reply$' "$T/tc$n.out"
expect_grep '^SSL_CLIENT_VERIFY=SUCCESS$' "$T/app$n/env"
exit 0
