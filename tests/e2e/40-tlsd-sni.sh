#!/bin/sh
# ISC license.
# timeout: 60
#
# 40-tlsd-sni: SNI certificate selection in tlsd with openssl s_client.
# CERTFILE/KEYFILE is the default; CERTFILE:a.sni.test and
# CERTFILE:*.wild.sni.test are picked by the client's server name (one
# label for the wildcard, case-insensitive); SSL_TLS_SNI_SERVERNAME is
# exported; -k 2 refuses names without a certificate (98, app never
# runs); -k 0 ignores the SNI variables; bad SNI variables exit 100 or 96
# (an EC key of the right curve but not the certificate's: 96 when the
# first handshake that uses it fails).

. "${0%/*}/../lib.sh"
. "$UTLS_TOP/tests/helpers/cfg-common.sh"

need tlsd openssl python3 timeout
pki
K=$UTLS_PKI
unset CERTFILE KEYFILE CAFILE CADIR TLS_UID TLS_GID 2>/dev/null || :

n=0
# sni EXPECTED_CN CLIENT_NAME_ARGS [tlsd options]: default + a + wildcard
# configured; the client gets the certificate whose CN is EXPECTED_CN.
sni() {
  _cn=$1
  _cargs=$2
  shift 2
  n=$((n + 1))
  mkdir "$T/app$n"
  serve1 "sni$n" env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" \
    "CERTFILE:a.sni.test=$K/sni-a.pem" "KEYFILE:a.sni.test=$K/sni-a.key" \
    "CERTFILE:*.wild.sni.test=$K/sni-wild.pem" "KEYFILE:*.wild.sni.test=$K/sni-wild.key" \
    tlsd -v 2 "$@" "$CFG_APP" "$T/app$n"
  # $_cargs is split on purpose.
  tls_client "sni$n" $_cargs
  finish1
  expect_status "sni$n" 0
  expect_grep '^app-reply$' "$T/sni$n.out"
  grep '^subject=' "$T/sni$n.out" >"$T/subject" || fail "sni$n ($_cargs): no certificate received"
  [ "$(cat "$T/subject")" = "subject=CN = $_cn" ] || fail "sni$n ($_cargs $*): got $(cat "$T/subject"), expected CN = $_cn"
}

sni a.sni.test "-servername a.sni.test"
expect_grep '^SSL_TLS_SNI_SERVERNAME=a.sni.test$' "$T/app$n/env"
expect_grep '^tlsd: info: peer 127.0.0.1:[0-9]* protocol TLSv1.2 .* sni a.sni.test .* end ' "$T/sni$n.err"

sni a.sni.test "-servername A.Sni.TEST"
expect_grep '^SSL_TLS_SNI_SERVERNAME=A.Sni.TEST$' "$T/app$n/env"

sni '*.wild.sni.test' "-servername x.wild.sni.test"
expect_grep '^SSL_TLS_SNI_SERVERNAME=x.wild.sni.test$' "$T/app$n/env"

# the wildcard covers one label only: two labels, or none, get the default
sni localhost "-servername y.z.wild.sni.test"
expect_grep '^SSL_TLS_SNI_SERVERNAME=y.z.wild.sni.test$' "$T/app$n/env"
sni localhost "-servername wild.sni.test"

# an unknown name and no name at all get the default (-k 1 is implied
# by the SNI variables; given explicitly, the same)
sni localhost "-servername other.test"
sni localhost "-noservername"
expect_no_grep '^SSL_TLS_SNI_SERVERNAME=' "$T/app$n/env"
expect_grep ' sni - ' "$T/sni$n.err"
sni localhost "-noservername" -k 1
sni a.sni.test "-servername a.sni.test" -k 1

# -k 0: the SNI variables are ignored, the name is still exported
sni localhost "-servername a.sni.test" -k 0
expect_grep '^SSL_TLS_SNI_SERVERNAME=a.sni.test$' "$T/app$n/env"
sni localhost "-servername x.wild.sni.test" -k 0

# -k 2: known names work...
sni a.sni.test "-servername a.sni.test" -k 2
sni '*.wild.sni.test' "-servername q.wild.sni.test" -k 2

# ...and anything else fails the handshake: no fallback to the default
k2_refused() {
  n=$((n + 1))
  mkdir "$T/app$n"
  tls_refused "k2_$n" "$T/app$n" "$1" env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" \
    "CERTFILE:a.sni.test=$K/sni-a.pem" "KEYFILE:a.sni.test=$K/sni-a.key" \
    "CERTFILE:*.wild.sni.test=$K/sni-wild.pem" "KEYFILE:*.wild.sni.test=$K/sni-wild.key" \
    tlsd -k 2 "$CFG_APP" "$T/app$n"
  [ "$cli_status" != 0 ] || fail "k2_$n: the client succeeded"
  expect_grep 'handshake failure' "$T/k2_$n.cerr"
  expect_grep "^tlsd: fatal: TLS handshake failed: $2\$" "$T/k2_$n.err"
}
k2_refused "-servername other.test" 'no certificate for the server name the client asked for: other\.test'
k2_refused "-servername y.z.wild.sni.test" 'no certificate for the server name the client asked for: y\.z\.wild\.sni\.test'
k2_refused "-noservername" 'the client sent no usable server name \(SNI\), and -k 2 requires one'

# Without a default certificate (SNI variables only): a name without a
# certificate fails the handshake at the implied -k 1 too.
n=$((n + 1))
mkdir "$T/app$n"
serve1 nodef env "CERTFILE:b.sni.test=$K/sni-b.pem" "KEYFILE:b.sni.test=$K/sni-b.key" tlsd "$CFG_APP" "$T/app$n"
tls_client nodef -servername b.sni.test
finish1
expect_status nodef 0
expect_grep '^subject=CN = b.sni.test$' "$T/nodef.out"
n=$((n + 1))
mkdir "$T/app$n"
tls_refused nodef2 "$T/app$n" "-servername a.sni.test" \
  env "CERTFILE:b.sni.test=$K/sni-b.pem" "KEYFILE:b.sni.test=$K/sni-b.key" tlsd "$CFG_APP" "$T/app$n"

# Configuration errors, at start
cfg() {
  _st=$1
  _msg=$2
  shift 2
  _rc=0
  env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" "$@" timeout 10 tlsd /bin/true </dev/null >"$T/out" 2>"$T/err" || _rc=$?
  printf '%s\n' "$_msg" >"$T/want"
  if [ "$_rc" != "$_st" ] || ! cmp -s "$T/want" "$T/err"; then
    echo "--- got (exit $_rc):" >&2
    cat "$T/err" >&2
    fail "tlsd with $*: expected exit $_st and: $_msg"
  fi
}
cfg 100 'tlsd: fatal: CERTFILE:a.sni.test is set but KEYFILE:a.sni.test is not' "CERTFILE:a.sni.test=$K/sni-a.pem"
cfg 100 'tlsd: fatal: CERTFILE:a.sni.test is set but KEYFILE:a.sni.test is not' "CERTFILE:a.sni.test=$K/sni-a.pem" "KEYFILE:b.sni.test=$K/sni-b.key"
cfg 100 "tlsd: fatal: invalid name in SNI variable: CERTFILE:a b=$K/sni-a.pem" "CERTFILE:a b=$K/sni-a.pem" "KEYFILE:a b=$K/sni-a.key"
cfg 100 "tlsd: fatal: invalid name in SNI variable: CERTFILE:a.*.test=$K/sni-a.pem" "CERTFILE:a.*.test=$K/sni-a.pem" "KEYFILE:a.*.test=$K/sni-a.key"
cfg 100 "tlsd: fatal: invalid SNI variable: CERTFILE:=$K/sni-a.pem" "CERTFILE:=$K/sni-a.pem"
# An SNI key of the certificate's curve but another value is found by the
# first handshake that uses it (96, same line as at start); a client
# that asks for another name is served with the default certificate.
badsni() {
  n=$((n + 1))
  mkdir "$T/app$n"
  serve1 "badsni$n" env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" \
    "CERTFILE:a.sni.test=$K/sni-a.pem" "KEYFILE:a.sni.test=$K/sni-b.key" \
    tlsd "$CFG_APP" "$T/app$n"
  tls_client "badsni$n" -servername "$1"
  finish1
}
badsni a.sni.test
expect_status "badsni$n" 96
printf '%s\n' "tlsd: fatal: key $K/sni-b.key does not match certificate $K/sni-a.pem: private key does not match the certificate (the peer refused the handshake: received alert decrypt_error)" >"$T/want"
cmp -s "$T/want" "$T/badsni$n.err" || { cat "$T/badsni$n.err" >&2; fail "SNI key mismatch: tlsd's message"; }
[ ! -e "$T/app$n/ran" ] || fail "SNI key mismatch: the application ran"
badsni other.sni.test
expect_status "badsni$n" 0
expect_grep '^app-reply$' "$T/badsni$n.out"
cfg 96 "tlsd: fatal: unable to read key file $T/nope.key: No such file or directory" "CERTFILE:a.sni.test=$K/sni-a.pem" "KEYFILE:a.sni.test=$T/nope.key"
cfg 96 "tlsd: fatal: unable to read certificate file $T/nope.pem: No such file or directory" "CERTFILE:a.sni.test=$T/nope.pem" "KEYFILE:a.sni.test=$K/sni-a.key"
# with -k 0 the SNI variables are not even read, so not checked
rc=0
env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" "CERTFILE:a.sni.test=$K/sni-a.pem" timeout 10 tlsd -k 0 /bin/true </dev/null >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 98 ] || { cat "$T/err" >&2; fail "-k 0 with an incomplete SNI pair: exit $rc, expected 98 (handshake reached)"; }
expect_grep '^tlsd: fatal: TLS handshake failed: peer closed the connection without close_notify$' "$T/err"

exit 0
