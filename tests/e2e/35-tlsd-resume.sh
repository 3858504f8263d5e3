#!/bin/sh
# timeout: 300
# ISC license.
#
# 35-tlsd-resume.sh: session resumption through TLS_SESSION_CACHE, with
# real clients: openssl s_client (-reconnect, -sess_out/-sess_in),
# gnutls-cli --resume, Python's ssl module (session=), and 200 Python
# clients at once against an 8-entry cache (constant eviction).
#
# The application (e2e-resumed.sh) logs SSL_SESSION_RESUMED and the
# client-certificate facts; tlsd's -v2 line says "resumed Resumed" or
# "resumed Initial". Checked: resumption happens (client and server
# agree), the cache file is created mode 0600 and its variables do not
# reach the application; another SNI name, an expired entry, a changed
# CERTFILE (same path), a session from -Y without a certificate under -y
# are not resumed, while a restart with the same files is; a -y session
# resumes with exactly the SSL_CLIENT_* facts of its full handshake; a
# lifetime of 0 turns the cache off; bad numbers exit 100; and every bad
# cache file (symlink, missing directory, directory, foreign, truncated,
# open to others, unreadable) costs one warning and full handshakes,
# never a connection.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/e2e-common.sh"

need tcpserver openssl
pki
P=$UTLS_PKI
C=$T/cache

# start NAME [VAR=value...] [-- tlsd options]: tlsd -v2 with the cache,
# the application logging to $T/NAME.log, and writing to the client
# too if QUIET is set to anything but "quiet"
start ()
{
  _n=$1
  shift
  _vars=
  while [ $# -gt 0 ] && [ "$1" != -- ]; do _vars="$_vars $1"; shift; done
  [ $# -gt 0 ] && shift
  : >"$T/$_n.log"
  # shellcheck disable=SC2086 # _vars: words without spaces
  srv "$_n" env CERTFILE="${CERT:-$P/ec.chain.pem}" KEYFILE="${KEY:-$P/ec.key}" \
    TLS_SESSION_CACHE="$C" $_vars tlsd -v2 "$@" e2e-resumed.sh "$T/$_n.log" "${QUIET-quiet}"
}

# sc [s_client options]: one connection, the session's fate in $T/out
sc ()
{
  timeout 20 openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$P/ca.pem" \
    -verify_return_error -ign_eof "$@" </dev/null >"$T/out" 2>"$T/err" || :
}

# expect_new / expect_reused WHAT: what s_client saw
expect_new ()
{
  grep -q '^New, TLSv1\.2' "$T/out" || { sed 's/^/  | /' "$T/out" "$T/err" >&2; fail "$1: not a new session"; }
}
expect_reused ()
{
  grep -q '^Reused, TLSv1\.2' "$T/out" || { sed 's/^/  | /' "$T/out" "$T/err" >&2; fail "$1: session not reused"; }
}

# 1. s_client -reconnect: one full handshake, five resumed.
start a
timeout 30 openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$P/ca.pem" \
  -verify_return_error -servername localhost -reconnect </dev/null >"$T/out" 2>"$T/err" || :
expect_eq "$(count_lines "$T/out" '^New, TLSv1\.2')" 1 "-reconnect: new sessions"
expect_eq "$(count_lines "$T/out" '^Reused, TLSv1\.2')" 5 "-reconnect: reused sessions"
wait_lines 6 "$T/a.err" '^tlsd: info: '
expect_eq "$(count_lines "$T/a.err" '^tlsd: info: peer 127\.0\.0\.1:[0-9]+ protocol TLSv1\.2 cipher ECDHE-ECDSA-AES128-GCM-SHA256 sni localhost alpn - peer_subject "-" resumed Resumed ')" 5 "-v2 lines saying Resumed"
expect_eq "$(count_lines "$T/a.err" ' resumed Initial ')" 1 "-v2 lines saying Initial"
wait_lines 6 "$T/a.log" '^resumed='
expect_eq "$(count_lines "$T/a.log" '^resumed=Resumed verify=NONE dn= hash= sni=localhost cache=$')" 5 "the application's SSL_SESSION_RESUMED"
expect_eq "$(stat -c %a "$C")" 600 "mode of the new cache file"
expect_no_grep 'warning' "$T/a.err"

# 2. -sess_out / -sess_in, another SNI name, gnutls-cli, Python.
sc -servername localhost -sess_out "$T/s1"
expect_new "sess_out"
sc -servername localhost -sess_in "$T/s1"
expect_reused "sess_in"
sc -servername other.example -sess_in "$T/s1"
expect_new "another SNI name"
wait_lines 9 "$T/a.log" '^resumed='
expect_eq "$(tail -n 1 "$T/a.log")" "resumed=Initial verify=NONE dn= hash= sni=other.example cache=" "another SNI name, the application's view"
if command -v gnutls-cli >/dev/null 2>&1
then
  timeout 20 gnutls-cli --resume --x509cafile="$P/ca.pem" --verify-hostname=localhost \
    --sni-hostname=localhost -p "$PORT" 127.0.0.1 </dev/null >"$T/gout" 2>&1 || :
  expect_grep '^\*\*\* This is a resumed session' "$T/gout"
elif [ -n "${CI-}" ]; then fail "gnutls-cli is missing"
fi
srv_stop
if command -v python3 >/dev/null 2>&1
then
  QUIET=no start p
  run 0 timeout 60 python3 "$UTLS_TOP/tests/helpers/e2e-resume.py" "$PORT" "$P/ca.pem" 2 3
  expect_grep '^connections=8 resumed=6 failed=0 mismatch=0$' "$T/out"
  srv_stop
elif [ -n "${CI-}" ]; then fail "python3 is missing"
fi

# 3. The same files after a restart: resumed. A new CERTFILE at the same path: not.
cp "$P/ec.chain.pem" "$T/cert.pem"
cp "$P/ec.key" "$T/key.pem"
CERT=$T/cert.pem KEY=$T/key.pem start b
sc -servername localhost -sess_out "$T/s2"
expect_new "certfile: first"
srv_stop
CERT=$T/cert.pem KEY=$T/key.pem start b2
sc -servername localhost -sess_in "$T/s2"
expect_reused "restart with the same certificate"
srv_stop
cp "$P/rsa.chain.pem" "$T/cert.pem"
cp "$P/rsa.key" "$T/key.pem"
CERT=$T/cert.pem KEY=$T/key.pem start b3
sc -servername localhost -sess_in "$T/s2"
expect_new "changed CERTFILE"
srv_stop

# 4. Lifetime: expired after TLS_SESSION_LIFETIME seconds; 0 turns the cache off.
start c TLS_SESSION_LIFETIME=1
sc -servername localhost -sess_out "$T/s3"
expect_new "lifetime 1: first"
sleep 2
sc -servername localhost -sess_in "$T/s3"
expect_new "expired entry"
srv_stop
C=$T/cache-off start d TLS_SESSION_LIFETIME=0
sc -servername localhost -sess_out "$T/s4"
sc -servername localhost -sess_in "$T/s4"
expect_new "lifetime 0"
[ ! -e "$T/cache-off" ] || fail "lifetime 0: a cache file was created"
srv_stop

# 5. Client certificates: -y resumes with the same facts; a -Y session
# without a certificate does not satisfy -y.
CC="-cert $P/client.pem -key $P/client.key -cert_chain $P/int.pem"
start e CAFILE="$P/ca.pem" -- -y
# shellcheck disable=SC2086
sc -servername localhost $CC -sess_out "$T/s5"
expect_new "-y: first"
# shellcheck disable=SC2086
sc -servername localhost $CC -sess_in "$T/s5"
expect_reused "-y: resumed"
wait_lines 2 "$T/e.log" '^resumed='
first=$(sed -n '1s/^resumed=Initial //p' "$T/e.log")
second=$(sed -n '2s/^resumed=Resumed //p' "$T/e.log")
case $first in "verify=SUCCESS dn="*"CN=Test Client hash=SHA256:"*) ;; *) fail "-y: facts of the full handshake: $first" ;; esac
expect_eq "$second" "$first" "-y: the resumed connection's SSL_CLIENT_* facts"
srv_stop
start f CAFILE="$P/ca.pem" -- -Y
sc -servername localhost -sess_out "$T/s6"
expect_new "-Y without a certificate"
srv_stop
start g CAFILE="$P/ca.pem" -- -y
# shellcheck disable=SC2086
sc -servername localhost $CC -sess_in "$T/s6"
expect_new "-Y session under -y"
wait_lines 1 "$T/g.log" '^resumed='
expect_grep '^resumed=Initial verify=SUCCESS dn=.*CN=Test Client hash=' "$T/g.log"
srv_stop

# 6. Bad numbers are usage errors.
run 100 env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" TLS_SESSION_CACHE="$C" TLS_SESSION_CACHE_SIZE=lots tlsd true
expect_grep '^tlsd: fatal: TLS_SESSION_CACHE_SIZE must be a number of entries from 4 to 1048576: lots$' "$T/err"
run 100 env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" TLS_SESSION_CACHE="$C" TLS_SESSION_LIFETIME=-1 tlsd true
expect_grep '^tlsd: fatal: TLS_SESSION_LIFETIME must be a number of seconds from 0 to 86400: -1$' "$T/err"

# 7. Bad files: one warning per connection, full handshakes, no failure.
# bad NAME PATH REASON-ERE
bad ()
{
  C=$2 start "$1"
  sc -servername localhost -sess_out "$T/s-$1"
  expect_new "$1: first"
  sc -servername localhost -sess_in "$T/s-$1"
  expect_new "$1: second"
  wait_lines 2 "$T/$1.err" '^tlsd: info: '
  srv_stop
  expect_eq "$(count_lines "$T/$1.log" '^resumed=Initial ')" 2 "$1: connections served"
  expect_eq "$(count_lines "$T/$1.err" "^tlsd: warning: session cache $2 not used \\($3\\): full handshakes only\$")" 2 "$1: warnings"
  expect_eq "$(wc -l <"$T/$1.err" | tr -d ' ')" 4 "$1: lines on tlsd's stderr"
}
ln -s "$C" "$T/link"
bad symlink "$T/link" 'it is a symbolic link'
bad nodir "$T/nodir/cache" 'No such file or directory'
mkdir "$T/dir"
bad directory "$T/dir" 'Is a directory|not a regular file'
head -c 100000 /dev/urandom >"$T/foreign"
chmod 600 "$T/foreign"
bad foreign "$T/foreign" 'not a ucspi-tls session cache \(bad magic\)'
head -c 100000 "$C" >"$T/short"
chmod 600 "$T/short"
bad truncated "$T/short" 'the file size does not match its header \(truncated\?\)'
cp "$C" "$T/open"
chmod 644 "$T/open"
bad open "$T/open" 'group or others have access to it \(it must be mode 0600\)'
if [ "$(id -u)" != 0 ]
then
  cp "$C" "$T/locked"
  chmod 000 "$T/locked"
  bad unreadable "$T/locked" 'Permission denied'
fi

# 8. 200 clients at once, 8 entries: constant eviction, no failed
# handshake, no wrong resumption. How many resume depends on timing
# (none, under ASan on a busy machine: every session is evicted before
# its client comes back), so resumption itself is checked after the
# storm, by one client alone: the cache still works, all its
# reconnections resume.
if command -v python3 >/dev/null 2>&1
then
  C=$T/tiny
  : >"$T/h.log"
  tcpserver_start h -c 400 -- env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" \
    TLS_SESSION_CACHE="$C" TLS_SESSION_CACHE_SIZE=8 tlsd e2e-resumed.sh "$T/h.log"
  PORT=$h_PORT
  run 0 timeout 200 python3 "$UTLS_TOP/tests/helpers/e2e-resume.py" "$PORT" "$P/ca.pem" 200 2
  cat "$T/out" >&2
  expect_grep '^connections=600 resumed=[0-9]+ failed=0 mismatch=0$' "$T/out"
  run 0 timeout 60 python3 "$UTLS_TOP/tests/helpers/e2e-resume.py" "$PORT" "$P/ca.pem" 1 3
  expect_grep '^connections=4 resumed=3 failed=0 mismatch=0$' "$T/out"
  expect_eq "$(stat -c %s "$C")" $((4096 + 8 * 2048)) "size of an 8-entry cache"
  server_stop h
fi
exit 0
