#!/bin/sh
# timeout: 90
# ISC license.
#
# 78-tlsc-x509-policy.sh: what tlsc refuses in a server chain that
# BearSSL's minimal validator alone would accept, against tlsd servers
# and against openssl s_server.
#
# Refused (exit 98, one exact line on stderr, no output, the application
# never runs): a leaf or an intermediate signed with SHA-1; an RSA-1024
# key in the leaf or in the intermediate; a leaf whose Extended Key
# Usage is clientAuth only; a leaf whose EKU extension is malformed.
# Each refusal has its positive control in the same chain shape with
# the good property, so that nothing here passes by refusing everything:
# ec (SHA-256, P-256, serverAuth+clientAuth), rsa (RSA-2048), eku-server
# (serverAuth only), eku-any (anyExtendedKeyUsage), noeku (no EKU at
# all), ekuint (an intermediate restricted to serverAuth), and a root
# that signs itself with SHA-1 (that signature is never checked, even
# when the server sends the root along). --insecure-no-verify still accepts everything (with its
# warning); so does --pin, which accepts exactly one key.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/cli-common.sh"

need tcpserver tcpclient tlsd tlsc openssl
pki
P=$UTLS_PKI
CAFILE=$P/ca.pem
export CAFILE
unset CADIR CERTFILE KEYFILE 2>/dev/null || :

cat >"$T/srv.sh" <<'EOF'
#!/bin/sh
echo "served"
EOF
chmod +x "$T/srv.sh"

# srv NAME CHAIN KEY: a tlsd server (many connections)
srv () {
  tcpserver_start "$1" env CERTFILE="$P/$2" KEYFILE="$P/$3" tlsd "$T/srv.sh"
}

n=0
# accepted PORT REPLY [env VAR=value...] tlsc-args...: the app ran and
# got the reply; nothing on stderr unless the caller checks it.
accepted () {
  _port=$1 _reply=$2
  shift 2
  n=$((n + 1))
  run 0 tcli "$_port" "$@" cli-app.sh "$T/app.$n" "${REQ-}"
  expect_eq "$(cat "$T/out")" "$_reply" "case $n ($*): the server's reply"
  [ -f "$T/app.$n" ] || fail "case $n ($*): the application did not run"
}

sha1='peer certificate signed with SHA-1 (refused)'
short='RSA key in peer chain shorter than 2048 bits'
eku='peer certificate not valid for TLS server authentication (Extended Key Usage)'

# --- against tlsd
srv good ec.chain.pem ec.key
srv goodrsa rsa.chain.pem rsa.key
srv sha1 sha1.chain.pem sha1.key
srv sha1int sha1int.chain.pem sha1int.key
srv sha1root sha1root-leaf.chain.pem sha1root-leaf.key
srv rsa1024 rsa1024.chain.pem rsa1024.key
srv rsa1024int rsa1024int.chain.pem rsa1024int.key
srv ekuclient eku-client.chain.pem eku-client.key
srv ekuserver eku-server.chain.pem eku-server.key
srv ekuany eku-any.chain.pem eku-any.key
srv noeku noeku.chain.pem noeku.key
srv ekubad eku-bad.chain.pem eku-bad.key
srv ekuint ekuint.chain.pem ekuint.key

accepted "$good_PORT" served tlsc -k localhost
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "good chain: tlsc wrote on stderr"; }
rejected "$sha1" "$sha1_PORT" tlsc -k localhost
rejected "$sha1" "$sha1int_PORT" tlsc -k localhost
accepted "$sha1root_PORT" served env CAFILE="$P/sha1root.pem" tlsc -k localhost
rejected "$short" "$rsa1024_PORT" tlsc -k localhost
rejected "$short" "$rsa1024int_PORT" tlsc -k localhost
accepted "$goodrsa_PORT" served tlsc -k localhost
rejected "$eku" "$ekuclient_PORT" tlsc -k localhost
accepted "$ekuserver_PORT" served tlsc -k localhost
accepted "$ekuany_PORT" served tlsc -k localhost
accepted "$noeku_PORT" served tlsc -k localhost
accepted "$ekuint_PORT" served tlsc -k localhost
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "EKU controls: tlsc wrote on stderr"; }
rejected 'peer certificate: invalid value in an ASN.1 structure' "$ekubad_PORT" tlsc -k localhost

# the policy is part of verification: --insecure-no-verify and --pin skip it
warn='tlsc: warning: server certificate NOT verified (--insecure-no-verify): this connection can be intercepted'
accepted "$sha1_PORT" served tlsc --insecure-no-verify -k localhost
err_is "$warn"
accepted "$ekuclient_PORT" served tlsc --insecure-no-verify -k localhost
err_is "$warn"
accepted "$rsa1024_PORT" served tlsc -k localhost "--pin=SHA256:$(spki_hex "$P/rsa1024.pem")"

# --- against openssl s_server (one connection each). SECLEVEL=0, or
# OpenSSL itself would refuse to serve these chains.
REQ='policy\nCLOSE\n'
ossl () {
  ossl_start "$1" -naccept 1 -rev -cipher 'DEFAULT:@SECLEVEL=0' -cert "$P/$2.pem" -key "$P/$2.key" -cert_chain "$P/$3"
}
ossl o1 ec int.pem
accepted "$o1_PORT" 'ycilop' tlsc -k localhost
ossl o2 sha1 int.pem
rejected "$sha1" "$o2_PORT" tlsc -k localhost
ossl o3 sha1int int-sha1.pem
rejected "$sha1" "$o3_PORT" tlsc -k localhost
ossl o4 rsa1024 int.pem
rejected "$short" "$o4_PORT" tlsc -k localhost
ossl o5 rsa int.pem
accepted "$o5_PORT" 'ycilop' tlsc -k localhost
ossl o6 eku-client int.pem
rejected "$eku" "$o6_PORT" tlsc -k localhost
ossl o7 noeku int.pem
accepted "$o7_PORT" 'ycilop' tlsc -k localhost
exit 0
