#!/bin/sh
# timeout: 60
# ISC license.
#
# 20-tlsd-openssl.sh: openssl s_client against tcpserver + tlsd.
#
# For each server key (RSA-2048 and ECDSA P-256; PEM chain with the
# intermediate, DER leaf + DER key, PKCS#1 and PKCS#8 key forms) a
# verifying s_client (-CAfile, -verify_return_error, -verify_hostname)
# gets the application's output; the application prints its SSL_* and
# TLS configuration variables. Checked: the suite openssl negotiated is
# the one tlsd exports, SSL_PROTOCOL, SNI, SSL_CLIENT_VERIFY, a stale
# SSL_FOO removed, configuration variables absent by default and present
# with -Z, the chain tlsd sent, the -v2 info line, and a handshake that
# the client refuses (untrusted CA) never starting the application.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/e2e-common.sh"

need tcpserver openssl
pki
P=$UTLS_PKI
cat "$P/ca.pem" "$P/int.pem" >"$T/ca+int.pem"
uid=$(id -u)
gid=$(id -g)

# sclient cafile [s_client options...]: connect to $PORT, verifying.
# -ign_eof: keep reading after our stdin's EOF until the server closes.
# tlsd runs with the default -s: it ends with a TCP half-close, no
# close_notify, which OpenSSL 3 reports as "unexpected eof while
# reading" with exit status 1, after it got all the data.
sclient ()
{
  _ca=$1
  shift
  timeout 20 openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$_ca" \
    -verify_return_error -verify_hostname localhost -showcerts -ign_eof "$@" </dev/null
}

# s_client's stderr: the verified chain, then only the expected EOF.
client_err_ok ()
{
  expect_grep '^depth=2 CN = ucspi-tls Test Root CA$' "$T/err"
  expect_grep '^depth=1 CN = ucspi-tls Test Intermediate CA$' "$T/err"
  expect_grep 'unexpected eof while reading' "$T/err"
  n=$(count_lines "$T/err" 'error')
  [ "$n" = 1 ] || { sed 's/^/  | /' "$T/err" >&2; fail "$1: s_client reported other errors"; }
}

# one name certfile keyfile cipher ncerts [tlsd options...]
# A full connection with a stale SSL_FOO and all the TLS configuration
# variables set; the client's output is in $T/out, the application's own
# copy in $T/name.app, the client's stderr in $T/err, tlsd's in
# $T/name.err.
one ()
{
  name=$1 cert=$2 key=$3 cipher=$4 ncerts=$5
  shift 5
  ca=$P/ca.pem
  [ "$ncerts" = 2 ] || ca=$T/ca+int.pem    # DER: the leaf alone
  srv "$name" env SSL_FOO=stale CERTFILE="$cert" KEYFILE="$key" \
    CAFILE="$P/ca.pem" CADIR="$P/cadir" TLS_UID="$uid" TLS_GID="$gid" \
    tlsd -v2 "$@" e2e-env.sh "$T/$name.app"
  run 1 sclient "$ca" -servername localhost
  srv_stop

  # the client's view: verified chain and name, TLS 1.2, the expected suite
  expect_grep '^Verification: OK$' "$T/out"
  expect_grep '^Verified peername: localhost$' "$T/out"
  expect_grep '^ *Protocol *: TLSv1\.2$' "$T/out"
  got=$(sed -n 's/^ *Cipher *: *//p' "$T/out")
  expect_eq "$got" "$cipher" "$name: suite negotiated by openssl"
  expect_eq "$(count_lines "$T/out" '^ *[0-9]+ s:')" "$ncerts" "$name: certificates sent by tlsd"
  if [ "$ncerts" = 2 ]
  then
    expect_grep '^ 1 s:CN = ucspi-tls Test Intermediate CA$' "$T/out"
  fi
  client_err_ok "$name"

  # the application's view, and all its output reached the client
  [ -s "$T/$name.app" ] || fail "$name: the application did not run"
  expect_grep '^END-OF-ENV$' "$T/out"
  for v in "SSL_PROTOCOL=TLSv1.2" "SSL_CIPHER=$got" "SSL_TLS_SNI_SERVERNAME=localhost" \
    "SSL_CLIENT_VERIFY=NONE" "SSL_SESSION_RESUMED=Initial" \
    "SSL_CIPHER_USEKEYSIZE=128" "SSL_CIPHER_ALGKEYSIZE=128"
  do
    grep -q -x -F -e "$v" "$T/out" || fail "$name: $v not in the application's environment"
  done
  expect_no_grep '^SSL_FOO=' "$T/$name.app"
  expect_no_grep '^SSL_CLIENT_(S_DN|I_DN|M_SERIAL)|^SSL_PEER_CERT' "$T/$name.app"

  # tlsd's -v2 line: one per connection, with the facts and the byte counts
  bytes=$(wc -c <"$T/$name.app" | tr -d ' ')
  line="tlsd: info: peer 127\.0\.0\.1:[0-9]+ protocol TLSv1\.2 cipher $got sni localhost alpn - peer_subject \"-\" resumed Initial bytes_in 0 bytes_out $bytes end"
  log_ok "$T/$name.err" "$line"
}


# the configuration variables are gone by default
noconf ()
{
  expect_no_grep '^(CERTFILE|KEYFILE|CAFILE|CADIR|TLS_UID|TLS_GID)=' "$T/$1.app"
}

one rsa_pem "$P/rsa.chain.pem" "$P/rsa.key" ECDHE-RSA-AES128-GCM-SHA256 2
noconf rsa_pem
one rsa_pkcs1 "$P/rsa.chain.pem" "$P/rsa.pkcs1.key" ECDHE-RSA-AES128-GCM-SHA256 2 -z
noconf rsa_pkcs1
one rsa_der "$P/rsa.der" "$P/rsa.key.der" ECDHE-RSA-AES128-GCM-SHA256 1
noconf rsa_der
one ec_pem "$P/ec.chain.pem" "$P/ec.key" ECDHE-ECDSA-AES128-GCM-SHA256 2
noconf ec_pem
one ec_pkcs8 "$P/ec.chain.pem" "$P/ec.pkcs8.key" ECDHE-ECDSA-AES128-GCM-SHA256 2
noconf ec_pkcs8
one ec_der "$P/ec.der" "$P/ec.key.der" ECDHE-ECDSA-AES128-GCM-SHA256 1
noconf ec_der

# -Z keeps them, with their values (SSL_FOO still goes)
one keep "$P/ec.chain.pem" "$P/ec.key" ECDHE-ECDSA-AES128-GCM-SHA256 2 -Z
for v in "CERTFILE=$P/ec.chain.pem" "KEYFILE=$P/ec.key" "CAFILE=$P/ca.pem" \
  "CADIR=$P/cadir" "TLS_UID=$uid" "TLS_GID=$gid"
do
  grep -q -x -F -e "$v" "$T/keep.app" || fail "-Z: $v not in the application's environment"
done

# no SNI from the client: no SSL_TLS_SNI_SERVERNAME, "sni -" in the log
srv nosni env CERTFILE="$P/rsa.chain.pem" KEYFILE="$P/rsa.key" \
  tlsd -v2 e2e-env.sh "$T/nosni.app"
run 1 sclient "$P/ca.pem" -noservername
srv_stop
client_err_ok nosni
expect_grep '^SSL_PROTOCOL=TLSv1\.2$' "$T/nosni.app"
expect_no_grep '^SSL_TLS_SNI_SERVERNAME=' "$T/nosni.app"
log_ok "$T/nosni.err" 'tlsd: info: peer 127\.0\.0\.1:[0-9]+ protocol TLSv1\.2 cipher ECDHE-RSA-AES128-GCM-SHA256 sni - alpn - .*'

# a client that does not trust the chain aborts the handshake: tlsd says
# why, and the application never runs
srv rogue env CERTFILE="$P/rsa.chain.pem" KEYFILE="$P/rsa.key" \
  tlsd -v2 e2e-env.sh "$T/rogue.app"
run 1 sclient "$P/rogue-ca.pem" -servername localhost
srv_stop
expect_grep 'unable to get local issuer certificate' "$T/err"
wait_lines 1 "$T/rogue.err" '^tlsd: fatal: '
expect_grep '^tlsd: info: peer 127\.0\.0\.1:[0-9]+ .* end handshake-failed$' "$T/rogue.err"
expect_grep '^tlsd: fatal: TLS handshake failed: .*(unknown_ca|unknown CA)' "$T/rogue.err"
[ ! -e "$T/rogue.app" ] || fail "the application ran although the handshake failed"
exit 0
