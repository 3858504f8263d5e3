#!/bin/sh
# ISC license.
# timeout: 60
#
# 41-tlsd-clientcert: client certificates in tlsd (-y required, -Y
# optional) with openssl s_client as the client.
#
# client.pem is signed by the intermediate int.pem, not by the root. With
# CAFILE=ca.pem (the root only) the client must send its chain: s_client
# sends only the first certificate of -cert, so the tests use
# "-cert client.pem -key client.key -cert_chain int.pem". BearSSL's
# minimal X.509 validator also accepts an intermediate as a trust anchor:
# with CAFILE=int.pem, or a ca+int bundle, the bare leaf is accepted too
# (checked below); with the root alone, a bare leaf is refused.
#
# Checked: the SSL_CLIENT_* variables against what openssl x509 says of
# client.pem (DN in RFC 4514/2253 order, serial, dates, SHA-256 of the
# DER); refusals (no certificate with -y, unknown CA, expired, not yet
# valid) exit 98 without starting the application; -Y without a
# certificate gives SSL_CLIENT_VERIFY=NONE and no DN or hash; CAFILE or
# CADIR is mandatory with -Y/-y (100) and must be usable (96).

. "${0%/*}/../lib.sh"
. "$UTLS_TOP/tests/helpers/cfg-common.sh"

need tlsd openssl python3 timeout sha256sum
pki
K=$UTLS_PKI
unset CERTFILE KEYFILE CAFILE CADIR TLS_UID TLS_GID 2>/dev/null || :

good="-cert $K/client.pem -key $K/client.key -cert_chain $K/int.pem"
leaf="-cert $K/client.pem -key $K/client.key"
rogue="-cert $K/rogue-client.pem -key $K/rogue-client.key"
expired="-cert $K/expired.pem -key $K/expired.key -cert_chain $K/int.pem"
notyet="-cert $K/notyet.pem -key $K/notyet.key -cert_chain $K/int.pem"

# What the application must see for client.pem
want_dn=$(openssl x509 -in "$K/client.pem" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
want_idn=$(openssl x509 -in "$K/client.pem" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')
want_serial=$(openssl x509 -in "$K/client.pem" -noout -serial | sed 's/^serial=//')
want_start=$(openssl x509 -in "$K/client.pem" -noout -startdate | sed 's/^notBefore=//')
want_end=$(openssl x509 -in "$K/client.pem" -noout -enddate | sed 's/^notAfter=//')
want_hash=$(openssl x509 -in "$K/client.pem" -outform DER | sha256sum | cut -d' ' -f1)
expect_eq "$want_dn" 'emailAddress=client@example.test,O=ucspi-tls,CN=Test Client' "client.pem subject (gen.sh changed?)"

# getv DIR NAME: the value of NAME in DIR/env
getv() {
  sed -n "s/^$2=//p" "$1/env"
}

n=0
# ok CA_VARS CLIENT_ARGS TLSD_OPTS: a successful exchange; sets $d, the app's dir
ok() {
  n=$((n + 1))
  d=$T/app$n
  mkdir "$d"
  # $1 and $3 are split on purpose.
  tls_ok "ok$n" "$2" env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" $1 tlsd $3 "$CFG_APP" "$d"
  [ ! -s "$T/ok$n.err" ] || { cat "$T/ok$n.err" >&2; fail "ok$n: tlsd wrote on stderr"; }
}

# refused CA_VARS CLIENT_ARGS TLSD_OPTS MESSAGE: 98, message, no app
refused() {
  n=$((n + 1))
  mkdir "$T/app$n"
  tls_refused "no$n" "$T/app$n" "$2" env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" $1 tlsd $3 "$CFG_APP" "$T/app$n"
  expect_grep "^tlsd: fatal: TLS handshake failed: $4\$" "$T/no$n.err"
}

# check_good DIR: the variables of a validated client.pem
check_good() {
  expect_eq "$(getv "$1" SSL_CLIENT_VERIFY)" SUCCESS SSL_CLIENT_VERIFY
  expect_eq "$(getv "$1" SSL_CLIENT_S_DN)" "$want_dn" SSL_CLIENT_S_DN
  expect_eq "$(getv "$1" SSL_CLIENT_S_DN_CN)" 'Test Client' SSL_CLIENT_S_DN_CN
  expect_eq "$(getv "$1" SSL_CLIENT_S_DN_Email)" 'client@example.test' SSL_CLIENT_S_DN_Email
  expect_eq "$(getv "$1" SSL_CLIENT_I_DN)" "$want_idn" SSL_CLIENT_I_DN
  expect_eq "$(getv "$1" SSL_CLIENT_M_SERIAL)" "$want_serial" SSL_CLIENT_M_SERIAL
  expect_eq "$(getv "$1" SSL_CLIENT_V_START)" "$want_start" SSL_CLIENT_V_START
  expect_eq "$(getv "$1" SSL_CLIENT_V_END)" "$want_end" SSL_CLIENT_V_END
  expect_eq "$(getv "$1" SSL_PEER_CERT_HASH)" "SHA256:$want_hash" SSL_PEER_CERT_HASH
  expect_eq "$(getv "$1" SSL_PEER_CERT_SUBJECT)" "$want_dn" SSL_PEER_CERT_SUBJECT
  expect_eq "$(getv "$1" SSL_PROTOCOL)" TLSv1.2 SSL_PROTOCOL
}

# check_none DIR: no client certificate
check_none() {
  expect_eq "$(getv "$1" SSL_CLIENT_VERIFY)" NONE SSL_CLIENT_VERIFY
  expect_no_grep '^SSL_CLIENT_(S_DN|S_DN_CN|S_DN_Email|I_DN|M_SERIAL|V_START|V_END)=' "$1/env"
  expect_no_grep '^SSL_PEER_CERT_(HASH|SUBJECT)=' "$1/env"
  # never the hash of nothing
  expect_no_grep '0000000000000000' "$1/env"
}

# -y: required
ok "CAFILE=$K/ca.pem" "$good" -y
check_good "$d"
ok "CADIR=$K/cadir" "$good" -y
check_good "$d"
ok "CAFILE=$K/ca.pem CADIR=$K/cadir" "$good" -y
check_good "$d"
refused "CAFILE=$K/ca.pem" "" -y 'client sent no certificate, or its certificate could not be validated'
refused "CAFILE=$K/ca.pem" "$rogue" -y 'peer certificate chain not trusted \(unknown CA\)'
refused "CAFILE=$K/ca.pem" "$leaf" -y 'peer certificate chain not trusted \(unknown CA\)'
refused "CADIR=$K/cadir" "$rogue" -y 'peer certificate chain not trusted \(unknown CA\)'
refused "CAFILE=$K/ca.pem" "$expired" -y 'peer certificate expired or not yet valid'
refused "CAFILE=$K/ca.pem" "$notyet" -y 'peer certificate expired or not yet valid'
# the rogue client is fine for a server that trusts its CA
ok "CAFILE=$K/rogue-ca.pem" "$rogue" -y
expect_eq "$(getv "$d" SSL_CLIENT_S_DN)" 'CN=Rogue Client' SSL_CLIENT_S_DN

# an intermediate is a trust anchor too: the bare leaf is then enough
cat "$K/ca.pem" "$K/int.pem" >"$T/ca+int.pem"
ok "CAFILE=$T/ca+int.pem" "$leaf" -y
check_good "$d"
ok "CAFILE=$K/int.pem" "$leaf" -y
check_good "$d"

# -Y: optional
ok "CAFILE=$K/ca.pem" "" -Y
check_none "$d"
ok "CAFILE=$K/ca.pem" "$good" -Y
check_good "$d"
refused "CAFILE=$K/ca.pem" "$rogue" -Y 'peer certificate chain not trusted \(unknown CA\)'
refused "CAFILE=$K/ca.pem" "$expired" -Y 'peer certificate expired or not yet valid'

# the last of -Y/-y wins
refused "CAFILE=$K/ca.pem" "" "-Y -y" 'client sent no certificate, or its certificate could not be validated'
ok "CAFILE=$K/ca.pem" "" "-y -Y"
check_none "$d"

# neither: no certificate is asked for, a client certificate is not looked at
ok "CAFILE=$K/ca.pem" "$good" ""
check_none "$d"
ok "" "" ""
check_none "$d"

# -v2 names the client in the connection line
n=$((n + 1))
mkdir "$T/app$n"
tls_ok "v2" "$good" env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" CAFILE="$K/ca.pem" tlsd -v 2 -y "$CFG_APP" "$T/app$n"
expect_grep '^tlsd: info: peer 127\.0\.0\.1:[0-9]+ .* peer_subject "emailAddress=client@example\.test,O=ucspi-tls,CN=Test Client" ' "$T/v2.err"

# Configuration errors, at start (stdin empty: a tlsd that got as far as
# the handshake would exit 98)
cfg() {
  _st=$1
  _msg=$2
  _opt=$3
  shift 3
  _rc=0
  env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" "$@" timeout 10 tlsd "$_opt" /bin/true </dev/null >"$T/out" 2>"$T/err" || _rc=$?
  printf '%s\n' "$_msg" >"$T/want"
  if [ "$_rc" != "$_st" ] || ! cmp -s "$T/want" "$T/err"; then
    echo "--- got (exit $_rc):" >&2
    cat "$T/err" >&2
    fail "tlsd $_opt with $*: expected exit $_st and: $_msg"
  fi
}
mkdir "$T/emptydir"
cfg 100 'tlsd: fatal: client certificates (-Y or -y) need CAFILE or CADIR' -y
cfg 100 'tlsd: fatal: client certificates (-Y or -y) need CAFILE or CADIR' -Y
cfg 96 "tlsd: fatal: unable to read CA file $T/nope.pem: No such file or directory" -y CAFILE="$T/nope.pem"
cfg 96 "tlsd: fatal: unable to use CA file $K/garbage.key: no certificate in the file" -Y CAFILE="$K/garbage.key"
cfg 96 'tlsd: fatal: unable to use CA file /dev/null: no certificate in the file' -y CAFILE=/dev/null
cfg 96 "tlsd: fatal: unable to read CA directory $T/nope: No such file or directory" -y CADIR="$T/nope"
cfg 96 "tlsd: fatal: unable to read CA directory $K/ca.pem: Not a directory" -Y CADIR="$K/ca.pem"
cfg 96 "tlsd: fatal: unable to use CA directory $T/emptydir: no usable trust anchor (CA certificate) found" -y CADIR="$T/emptydir"
# a good CAFILE does not excuse a bad CADIR
cfg 96 "tlsd: fatal: unable to read CA directory $T/nope: No such file or directory" -y CAFILE="$K/ca.pem" CADIR="$T/nope"
# without -Y/-y the CA variables are not read
cfg 98 'tlsd: fatal: TLS handshake failed: peer closed the connection without close_notify' -v1 CAFILE="$T/nope.pem"
cfg 98 'tlsd: fatal: TLS handshake failed: peer closed the connection without close_notify' -y CAFILE="$K/ca.pem"

exit 0
