#!/bin/sh
# ISC license.
# timeout: 60
#
# 11-tlsd-config: tlsd's environment. Missing or unusable CERTFILE/KEYFILE
# (100 or 96, with the path in the message), a key that does not match
# its certificate (96 at start, before reading the network), bad
# TLS_UID/TLS_GID (100), and every supported certificate/key encoding
# really working end to end with openssl s_client (PEM and DER
# certificates; PKCS#1, SEC1 and PKCS#8 keys, PEM and DER). Also -Z/-z:
# the configuration variables reach the application only with -Z, and
# stale SSL_* variables never do.

. "${0%/*}/../lib.sh"
. "$UTLS_TOP/tests/helpers/cfg-common.sh"

need tlsd openssl python3 timeout
pki
K=$UTLS_PKI
unset CERTFILE KEYFILE CAFILE CADIR TLS_UID TLS_GID 2>/dev/null || :

# cfg STATUS MESSAGE VAR=value...: tlsd with that environment and stdin
# from /dev/null exits STATUS at once, stderr is exactly MESSAGE. With
# stdin empty, a tlsd that got as far as the handshake would say "TLS
# handshake failed" and exit 98: the 96s below happen at start.
cfg() {
  _st=$1
  _msg=$2
  shift 2
  _t0=$(date +%s)
  _rc=0
  env "$@" timeout 10 tlsd "$CFG_APP" "$T" </dev/null >"$T/out" 2>"$T/err" || _rc=$?
  _t1=$(date +%s)
  printf '%s\n' "$_msg" >"$T/want"
  if [ "$_rc" != "$_st" ] || ! cmp -s "$T/want" "$T/err"; then
    echo "--- got (exit $_rc):" >&2
    cat "$T/err" >&2
    echo "--- expected (exit $_st):" >&2
    cat "$T/want" >&2
    fail "tlsd with $*"
  fi
  [ $((_t1 - _t0)) -le 3 ] || fail "tlsd with $*: took $((_t1 - _t0)) s to fail"
  [ ! -e "$T/ran" ] || fail "tlsd with $*: the application ran"
}

# Missing variables
cfg 100 'tlsd: fatal: no certificate: set CERTFILE and KEYFILE (or CERTFILE:name and KEYFILE:name with -k 1 or -k 2)'
cfg 100 'tlsd: fatal: CERTFILE is set but KEYFILE is not' CERTFILE="$K/ec.pem"
cfg 100 'tlsd: fatal: KEYFILE is set but CERTFILE is not' KEYFILE="$K/ec.key"

# Files that cannot be read
cfg 96 "tlsd: fatal: unable to read key file $T/nope.key: No such file or directory" CERTFILE="$K/ec.pem" KEYFILE="$T/nope.key"
cfg 96 "tlsd: fatal: unable to read certificate file $T/nope.pem: No such file or directory" CERTFILE="$T/nope.pem" KEYFILE="$K/ec.key"
# root reads any file: a directory is the unreadable key that works for everyone
mkdir "$T/keydir"
cfg 96 "tlsd: fatal: unable to read key file $T/keydir: Is a directory" CERTFILE="$K/ec.pem" KEYFILE="$T/keydir"
cfg 96 "tlsd: fatal: unable to read certificate file $T/keydir: Is a directory" CERTFILE="$T/keydir" KEYFILE="$K/ec.key"

# A key without read permission: as an unprivileged user (setpriv when we are root)
mkdir "$T/perm"
cp "$K/ec.pem" "$K/ec.key" "$T/perm/"
chmod 644 "$T/perm/ec.pem"
chmod 000 "$T/perm/ec.key"
if [ "$(id -u)" != 0 ]; then
  cfg 96 "tlsd: fatal: unable to read key file $T/perm/ec.key: Permission denied" CERTFILE="$T/perm/ec.pem" KEYFILE="$T/perm/ec.key"
elif command -v setpriv >/dev/null 2>&1; then
  chmod 711 "$T"
  chmod 755 "$T/perm"
  tlsd_path=$(command -v tlsd)
  rc=0
  CERTFILE="$T/perm/ec.pem" KEYFILE="$T/perm/ec.key" timeout 10 \
    setpriv --reuid=65534 --regid=65534 --clear-groups "$tlsd_path" /bin/true </dev/null >"$T/out" 2>"$T/err" || rc=$?
  chmod 700 "$T"
  [ "$rc" = 96 ] || { cat "$T/err" >&2; fail "unreadable key as uid 65534: exit $rc, expected 96"; }
  expect_grep "^tlsd: fatal: unable to read key file $T/perm/ec.key: Permission denied\$" "$T/err"
fi

# Files that are not what they should be
cfg 96 "tlsd: fatal: unable to use key file $K/garbage.key: not a valid RSA or EC private key" CERTFILE="$K/ec.pem" KEYFILE="$K/garbage.key"
cfg 96 'tlsd: fatal: unable to use key file /dev/null: not a valid RSA or EC private key' CERTFILE="$K/ec.pem" KEYFILE=/dev/null
cfg 96 "tlsd: fatal: unable to use certificate file $K/garbage.key: no certificate in the file" CERTFILE="$K/garbage.key" KEYFILE="$K/ec.key"
cfg 96 "tlsd: fatal: unable to use certificate file $K/ec.key: no certificate in the file" CERTFILE="$K/ec.key" KEYFILE="$K/ec.key"
cfg 96 "tlsd: fatal: unable to use key file $K/secp256k1.key: unsupported key type or curve (usable: RSA up to 4096 bits, EC P-256, P-384, P-521)" CERTFILE="$K/ec.pem" KEYFILE="$K/secp256k1.key"

# A key that does not match its certificate: 96 at start when the type,
# the curve or the RSA modulus differ
cfg 96 "tlsd: fatal: key $K/ec.key does not match certificate $K/rsa.pem: private key does not match the certificate" CERTFILE="$K/rsa.pem" KEYFILE="$K/ec.key"
# An EC key of the certificate's curve but another value: found when the
# first handshake that used it fails (the client refuses the signature:
# OpenSSL sends decrypt_error), with the same line, what the engine saw,
# and the same 96; the application never runs.
mismatch_hs() {
  mkdir -p "$T/$1"
  serve1 "$1" env CERTFILE="$2" KEYFILE="$3" tlsd "$CFG_APP" "$T/$1"
  tls_client "$1" -CAfile "$K/ca.pem"
  finish1
  expect_status "$1" 96
  printf '%s\n' "tlsd: fatal: key $3 does not match certificate $2: private key does not match the certificate (the peer refused the handshake: received alert decrypt_error)" >"$T/$1.want"
  cmp -s "$T/$1.want" "$T/$1.err" || { cat "$T/$1.err" >&2; fail "$1: tlsd's message"; }
  [ ! -e "$T/$1/ran" ] || fail "$1: the application ran with a mismatched key"
  [ "$cli_status" != 0 ] || fail "$1: the client accepted the handshake"
}
mismatch_hs samecurve "$K/ec.pem" "$K/sni-a.key"
cfg 96 "tlsd: fatal: key $K/ec.key does not match certificate $K/ec384.chain.pem: private key does not match the certificate" CERTFILE="$K/ec384.chain.pem" KEYFILE="$K/ec.key"
# the key of the chain's second certificate is not the leaf's key either
mismatch_hs intkey "$K/ec.chain.pem" "$K/int.key"

# TLS_UID / TLS_GID (checked after the key was read; the key is good here)
good="CERTFILE=$K/ec.pem KEYFILE=$K/ec.key"
# $good is split on purpose below.
cfg 100 'tlsd: fatal: TLS_UID is set but TLS_GID is not' $good TLS_UID=0
cfg 100 'tlsd: fatal: TLS_GID is set but TLS_UID is not' $good TLS_GID=0
cfg 100 'tlsd: fatal: TLS_UID must be a numeric uid: abc' $good TLS_UID=abc TLS_GID=0
cfg 100 'tlsd: fatal: TLS_UID must be a numeric uid: ' $good TLS_UID= TLS_GID=0
cfg 100 'tlsd: fatal: TLS_GID must be a numeric gid: -1' $good TLS_UID=0 TLS_GID=-1
cfg 100 'tlsd: fatal: TLS_GID must be a numeric gid: nogroup' $good TLS_UID=0 TLS_GID=nogroup
# good values get as far as the handshake (empty stdin: 98)
cfg 98 'tlsd: fatal: TLS handshake failed: peer closed the connection without close_notify' $good TLS_UID="$(id -u)" TLS_GID="$(id -g)"
cfg 98 'tlsd: fatal: TLS handshake failed: peer closed the connection without close_notify' $good

# End to end with every encoding. The client trusts ca+int (the DER
# certificates are leaves without their chain) and checks the host name;
# the certificate it got must be the one in CERTFILE.
cat "$K/ca.pem" "$K/int.pem" >"$T/trust.pem"
n=0
fmt_ok() {
  n=$((n + 1))
  mkdir "$T/app$n"
  serve1 "fmt$n" env CERTFILE="$K/$1" KEYFILE="$K/$2" tlsd "$CFG_APP" "$T/app$n"
  tls_client "fmt$n" -CAfile "$T/trust.pem" -verify_return_error -verify_hostname localhost
  finish1
  expect_status "fmt$n" 0
  [ ! -s "$T/fmt$n.err" ] || { cat "$T/fmt$n.err" >&2; fail "$1 + $2: tlsd wrote on stderr"; }
  expect_grep '^app-reply$' "$T/fmt$n.out"
  expect_grep 'Verify return code: 0 \(ok\)' "$T/fmt$n.out"
  openssl x509 -in "$T/fmt$n.out" -noout -fingerprint -sha256 >"$T/got.fp" || fail "$1: no certificate in the client's output"
  case $1 in
    *.der) openssl x509 -inform DER -in "$K/$1" -noout -fingerprint -sha256 >"$T/want.fp" ;;
    *) openssl x509 -in "$K/$1" -noout -fingerprint -sha256 >"$T/want.fp" ;;
  esac
  cmp -s "$T/got.fp" "$T/want.fp" || fail "$1 + $2: the server sent another certificate"
  expect_grep '^SSL_PROTOCOL=TLSv1.2$' "$T/app$n/env"
}
fmt_ok rsa.der rsa.key.der              # DER certificate, PKCS#8 DER key
fmt_ok rsa.der rsa.pkcs1.key.der        # PKCS#1 DER key
fmt_ok rsa.pem rsa.pkcs1.key            # PKCS#1 PEM key
fmt_ok rsa.chain.pem rsa.key            # PEM chain, PKCS#8 PEM key
fmt_ok ec.der ec.key.der                # SEC1 DER key
fmt_ok ec.chain.pem ec.pkcs8.key        # PKCS#8 PEM EC key
fmt_ok ec.pem ec.pkcs8.key.der          # PKCS#8 DER EC key
fmt_ok ec.chain.pem ec.key              # SEC1 PEM key
fmt_ok ec384.chain.pem ec384.key        # P-384

# The chain in a PEM CERTFILE is sent whole: a client that trusts only
# the root verifies it.
serve1 chain env CERTFILE="$K/ec.chain.pem" KEYFILE="$K/ec.key" tlsd "$CFG_APP" "$T"
tls_client chain -CAfile "$K/ca.pem" -verify_return_error -showcerts
finish1
expect_status chain 0
expect_grep 'Verify return code: 0 \(ok\)' "$T/chain.out"
expect_grep 'i:CN = ucspi-tls Test Root CA' "$T/chain.out"
# and a leaf alone is not enough for that client (the check above can fail)
rm -f "$T/ran"
serve1 leaf env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" tlsd "$CFG_APP" "$T"
tls_client leaf -CAfile "$K/ca.pem" -verify_return_error
finish1
[ "$cli_status" != 0 ] || fail "a client trusting only the root verified a chain without the intermediate"
expect_grep 'unable to get local issuer certificate' "$T/leaf.cerr"
[ ! -e "$T/ran" ] || fail "the application ran although the client refused the server"

# -z (default) removes the configuration variables from the application's
# environment, -Z keeps them; stale SSL_* variables are removed either way.
rm -rf "$T/z" && mkdir "$T/z"
serve1 z env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" TLS_UID="$(id -u)" TLS_GID="$(id -g)" \
  SSL_CLIENT_VERIFY=SUCCESS SSL_STALE=1 tlsd "$CFG_APP" "$T/z"
tls_client z
finish1
expect_status z 0
expect_grep '^SSL_CLIENT_VERIFY=NONE$' "$T/z/env"
expect_no_grep '^SSL_STALE=' "$T/z/env"
expect_no_grep '^CERTFILE=' "$T/z/env"
expect_no_grep '^KEYFILE=' "$T/z/env"
expect_no_grep '^TLS_UID=' "$T/z/env"
expect_no_grep '^TLS_GID=' "$T/z/env"

rm -rf "$T/Z" && mkdir "$T/Z"
serve1 Z env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" TLS_UID="$(id -u)" TLS_GID="$(id -g)" \
  SSL_CLIENT_VERIFY=SUCCESS SSL_STALE=1 tlsd -Z "$CFG_APP" "$T/Z"
tls_client Z
finish1
expect_status Z 0
expect_grep '^SSL_CLIENT_VERIFY=NONE$' "$T/Z/env"
expect_no_grep '^SSL_STALE=' "$T/Z/env"
expect_grep "^CERTFILE=$K/ec.pem\$" "$T/Z/env"
expect_grep "^KEYFILE=$K/ec.key\$" "$T/Z/env"
expect_grep "^TLS_UID=$(id -u)\$" "$T/Z/env"

# -Z then -z: the last one wins
rm -rf "$T/Zz" && mkdir "$T/Zz"
serve1 Zz env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" tlsd -Z -z "$CFG_APP" "$T/Zz"
tls_client Zz
finish1
expect_status Zz 0
expect_no_grep '^CERTFILE=' "$T/Zz/env"

exit 0
