#!/bin/sh
# ISC license.
# timeout: 120
#
# 50-tlsd-failures: tlsd against clients that fail, misbehave or end the
# connection in unusual ways. Each run is one tlsd on one accepted
# connection (cfg-accept1.py), so tlsd's own exit status and stderr are
# checked, and the application leaves a marker file when it starts.
#
# Part 1 (must hold): plaintext instead of TLS, TLS 1.0/1.1 clients,
# CBC-only / RSA-key-exchange-only / TLS 1.3-only clients, a silent
# client with -K 500 (and -K 0 = no timeout), a client that sends its
# ClientHello and leaves or goes silent: all 98, with a message, and the
# application never starts. "Quickly" is checked loosely (5 s, far from
# the 60 s default -K, and wide enough for ASan on a loaded machine,
# where 2 s failed): a timing bound is not a benchmark. -j/-J: a peer EOF without
# close_notify after the handshake is normal with -j, an error with -J.
#
# Part 2: the bugs found while writing this test, each kept as a check:
# ChaCha20-Poly1305 connections, -S, a client close_notify before the
# reply, and the exit status of default -s with an OpenSSL 3 client.

. "${0%/*}/../lib.sh"
. "$UTLS_TOP/tests/helpers/cfg-common.sh"

need tlsd openssl python3 timeout
pki
K=$UTLS_PKI
unset CERTFILE KEYFILE CAFILE CADIR TLS_UID TLS_GID 2>/dev/null || :
RAW=$UTLS_TOP/tests/helpers/cfg-rawclient.py

n=0
newapp() {
  n=$((n + 1))
  d=$T/app$n
  mkdir "$d"
}

# now_ms: milliseconds since the epoch
now_ms() {
  python3 -c 'import time; print(int(time.time() * 1000))'
}

# raw_refused MAX_MS MESSAGE_ERE MODE [ARG] -- [tlsd options]: a raw client;
# tlsd exits 98 within MAX_MS of the connection, with MESSAGE, no app.
raw_refused() {
  _max=$1
  _msg=$2
  _mode=$3
  _arg=
  shift 3
  if [ "$1" != -- ]; then _arg=$1; shift; fi
  shift
  newapp
  serve1 "raw$n" env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" tlsd "$@" "$CFG_APP" "$d"
  _t0=$(now_ms)
  python3 "$RAW" "$port" "$_mode" "$_arg" >"$T/raw$n.out" 2>"$T/raw$n.cerr" || fail "raw$n: cfg-rawclient.py $_mode failed"
  finish1
  _t1=$(now_ms)
  expect_status "raw$n" 98
  expect_grep "^tlsd: fatal: TLS handshake failed: $_msg\$" "$T/raw$n.err"
  [ ! -e "$d/ran" ] || fail "raw$n ($_mode): the application ran"
  [ $((_t1 - _t0)) -le "$_max" ] || fail "raw$n ($_mode $*): tlsd took $((_t1 - _t0)) ms, more than $_max"
}

# --- Part 1

# Plaintext instead of TLS
raw_refused 5000 'peer did not start a TLS handshake \(plaintext or another protocol\?\)' send 'EHLO x\r\n' --
expect_grep '^eof after 0 bytes' "$T/raw$n.out"
raw_refused 5000 'peer did not start a TLS handshake \(plaintext or another protocol\?\)' send 'GET / HTTP/1.0\r\n\r\n' --

# A silent client: -K 500 ends it in about half a second
raw_refused 5000 'handshake timed out' silent -- -K 500
expect_grep '^eof after 0 bytes in 0\.[4-9]' "$T/raw$n.out"
# A ClientHello, then silence: -K 500 again
raw_refused 5000 'handshake timed out' hello-wait -- -K 500
# A ClientHello, then the client leaves
raw_refused 5000 'peer closed the connection without close_notify' hello-close --
# -K 0: no handshake timeout (the idle client gives up after 1.5 s)
raw_refused 5000 'peer closed the connection without close_notify' idle 1.5 -- -K 0
expect_grep '^open$' "$T/raw$n.out"
# -K 2000: still open after 1 s
raw_refused 10000 'peer closed the connection without close_notify' idle 1 -- -K 2000
expect_grep '^open$' "$T/raw$n.out"

# client_refused ALERT_MESSAGE CLIENT_ARGS [tlsd options]: openssl s_client
# fails, tlsd 98 with the message, the application never runs.
client_refused() {
  _msg=$1
  _cargs=$2
  shift 2
  newapp
  tls_refused "cli$n" "$d" "$_cargs" env CERTFILE="$K/rsa.pem" KEYFILE="$K/rsa.key" tlsd "$@" "$CFG_APP" "$d"
  [ "$cli_status" != 0 ] || fail "cli$n ($_cargs): the client succeeded"
  expect_grep "^tlsd: fatal: TLS handshake failed: $_msg\$" "$T/cli$n.err"
}
# TLS 1.0 and 1.1 are refused (SECLEVEL=0, or OpenSSL 3 does not even try)
client_refused 'sent alert protocol_version' '-tls1_1 -cipher DEFAULT@SECLEVEL=0'
client_refused 'sent alert protocol_version' '-tls1 -cipher DEFAULT@SECLEVEL=0'
# AEAD and ECDHE only
client_refused 'sent alert handshake_failure' '-tls1_2 -cipher ECDHE-RSA-AES128-SHA'
expect_grep 'alert handshake failure' "$T/cli$n.cerr"
client_refused 'sent alert handshake_failure' '-tls1_2 -cipher ECDHE-RSA-AES128-SHA256'
client_refused 'sent alert handshake_failure' '-tls1_2 -cipher AES128-GCM-SHA256'
client_refused 'sent alert handshake_failure' '-tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256'
# no TLS 1.3 in BearSSL
client_refused 'sent alert handshake_failure' '-tls1_3'
# and what the same server accepts
newapp
tls_ok "gcm$n" "-tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384" env CERTFILE="$K/rsa.pem" KEYFILE="$K/rsa.key" tlsd "$CFG_APP" "$d"
expect_grep '^SSL_CIPHER=ECDHE-RSA-AES256-GCM-SHA384$' "$d/env"
expect_grep '^SSL_PROTOCOL=TLSv1\.2$' "$d/env"

# -j (default) / -J: the client sends a line, half-closes TCP without
# close_notify and reads the reply. The application reads to EOF first.
WC_APP='n=$(wc -c); echo "got $n"'
eof_case() {
  _want=$1
  shift
  n=$((n + 1))
  serve1 "eof$n" env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" tlsd "$@" sh -c "$WC_APP"
  python3 "$RAW" "$port" tls-eof 'hello\n' >"$T/eof$n.out" 2>"$T/eof$n.cerr" || fail "eof$n: cfg-rawclient.py failed"
  finish1
  expect_status "eof$n" "$_want"
}
eof_case 0
expect_grep '^got 6$' "$T/eof$n.out"
[ ! -s "$T/eof$n.err" ] || { cat "$T/eof$n.err" >&2; fail "eof$n: tlsd -j wrote on stderr"; }
eof_case 0 -J -j
expect_grep '^got 6$' "$T/eof$n.out"
eof_case 0 -v 2
expect_grep '^tlsd: info: peer .* end eof-without-close_notify$' "$T/eof$n.err"
eof_case 98 -J
expect_grep '^tlsd: fatal: connection failed after the handshake: peer closed the connection without close_notify$' "$T/eof$n.err"
eof_case 98 -j -J
expect_grep '^tlsd: fatal: connection failed after the handshake: peer closed the connection without close_notify$' "$T/eof$n.err"

# --- Part 2: the bugs this test found, now fixed; each stays checked.

# ChaCha20-Poly1305 suites (once a crash: the record-layer vtables were
# never set in utls_engine_algos).
for suite in ECDHE-ECDSA-CHACHA20-POLY1305:ec ECDHE-RSA-CHACHA20-POLY1305:rsa; do
  newapp
  serve1 "cc$n" env CERTFILE="$K/${suite#*:}.pem" KEYFILE="$K/${suite#*:}.key" tlsd "$CFG_APP" "$d"
  tls_client "cc$n" -tls1_2 -cipher "${suite%:*}"
  finish1
  expect_status "cc$n" 0
  expect_grep '^app-reply$' "$T/cc$n.out"
  expect_grep "^SSL_CIPHER=${suite%:*}\$" "$d/env"
done

# -S: after the application exits, tlsd sends close_notify and ends
# (once it sometimes sent nothing and never ended).
i=0
while [ "$i" -lt 8 ]; do
  i=$((i + 1))
  newapp
  SERVE1_TIMEOUT=3 serve1 "S$n" env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" tlsd -S "$CFG_APP" "$d"
  tls_client "S$n" -msg
  finish1
  expect_status "S$n" 0
  expect_grep '^<<< .*Alert.*close_notify' "$T/S$n.out"
done

# -S with a peer EOF without close_notify (normal with -j): the reply is
# delivered and tlsd exits 0 (once "internal error ... TLS engine state", 98).
n=$((n + 1))
serve1 "eofS$n" env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" tlsd -S sh -c "$WC_APP"
python3 "$RAW" "$port" tls-eof 'hello\n' >"$T/eofS$n.out" 2>"$T/eofS$n.cerr" || fail "eofS$n: cfg-rawclient.py failed"
finish1
expect_grep '^got 6$' "$T/eofS$n.out"
expect_status "eofS$n" 0

# A client that sends its request, then close_notify (as gnutls-cli does
# on end of input), then waits for the reply. TLS 1.2 allows no data
# after close_notify, and BearSSL answers it at once: the reply cannot
# be delivered. That must be reported, never silent: the application
# dies of SIGPIPE (tlsd exits with its status, 141) and tlsd says why.
n=$((n + 1))
serve1 "cn$n" env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" tlsd sh -c "$WC_APP"
python3 "$RAW" "$port" tls-notify 'hello\n' >"$T/cn$n.out" 2>"$T/cn$n.cerr" || fail "cn$n: cfg-rawclient.py failed"
finish1
expect_status "cn$n" 141
expect_grep "^tlsd: warning: the application's output was not delivered: the peer closed the TLS session \(close_notify\) first" "$T/cn$n.err"

# Default -s with an OpenSSL 3 client that treats the half-close as an
# error and answers it with a decode_error alert: the reply was
# delivered, so tlsd exits 0 every time (once 0 or 98 at random).
i=0
while [ "$i" -lt 30 ]; do
  i=$((i + 1))
  newapp
  serve1 "race$n" env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" tlsd "$CFG_APP" "$d"
  CFG_STRICT_EOF=1 tls_client "race$n"
  finish1
  grep -q '^app-reply$' "$T/race$n.out" || fail "race$n: reply lost"
  expect_status "race$n" 0
done
exit 0
