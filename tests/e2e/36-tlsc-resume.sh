#!/bin/sh
# timeout: 120
# ISC license.
#
# 36-tlsc-resume.sh: client-side session resumption (tlsc with
# TLS_SESSION_CACHE) against tlsd (with its own cache) and against
# openssl s_server (its built-in session cache).
#
# Checked: the second connection to the same server resumes, client and
# server agree (SSL_SESSION_RESUMED, both -v2 lines), and the resumed
# connection's application gets the SSL_SERVER_* facts of the verified
# full handshake; the client cache file is mode 0600. A session is never
# offered to another server: another port (where the server would
# resume it, sharing its cache), other trust (another CAFILE, or the
# same one changed); and --insecure-no-verify neither stores nor offers.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/cli-common.sh"

need tcpserver tcpclient openssl tlsd tlsc cli-app.sh
pki
P=$UTLS_PKI
unset CADIR CERTFILE KEYFILE 2>/dev/null || :
CC=$T/ccache

# go NAME PORT [tlsc options]: one tlsc connection, the application's
# variables in $T/NAME.app; CAFILE from $CA (default the root)
go ()
{
  _n=$1 _port=$2
  shift 2
  run 0 tcli "$_port" env CAFILE="${CA:-$P/ca.pem}" TLS_SESSION_CACHE="$CC" \
    tlsc -v2 "$@" cli-app.sh "$T/$_n.app"
}

# resumed NAME Resumed|Initial: what tlsc told the application and said at -v2
resumed ()
{
  grep -q -x -e "SSL_SESSION_RESUMED=$2" "$T/$1.app" || { cat "$T/$1.app" >&2; fail "$1: SSL_SESSION_RESUMED is not $2"; }
  expect_grep " resumed $2 bytes_in " "$T/err"
}

# facts NAME: the server facts, without the resumption line
facts () { grep -E '^SSL_(SERVER_|PEER_CERT_)' "$T/$1.app"; }

# 1. tlsc against tlsd, three times; tlsd shares a cache too.
tcpserver_start d env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" \
  TLS_SESSION_CACHE="$T/scache" tlsd -v2 sh -c 'echo hello'
go d1 "$d_PORT" -k localhost
resumed d1 Initial
expect_eq "$(cat "$T/out")" hello "d1: the reply"
expect_eq "$(stat -c %a "$CC")" 600 "mode of the client cache file"
go d2 "$d_PORT" -k localhost
resumed d2 Resumed
expect_eq "$(cat "$T/out")" hello "d2: the reply"
go d3 "$d_PORT" -k localhost
resumed d3 Resumed
[ -n "$(facts d1)" ] || fail "d1: no server facts"
expect_eq "$(facts d2)" "$(facts d1)" "d2: SSL_SERVER_* facts of the resumed session"
expect_grep '^SSL_SERVER_S_DN=CN=localhost$' "$T/d3.app"
wait_for sh -c "[ \$(grep -c '^tlsd: info: ' '$d_ERR') -ge 3 ]"
expect_eq "$(grep -c ' resumed Resumed ' "$d_ERR")" 2 "tlsd's -v2 lines saying Resumed"

# 2. Another port: a second tlsd with the same cache and certificate
# would resume the session; tlsc must not offer it there.
tcpserver_start e env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" \
  TLS_SESSION_CACHE="$T/scache" tlsd -v2 sh -c 'echo hello'
go e1 "$e_PORT" -k localhost
resumed e1 Initial
go e2 "$e_PORT" -k localhost
resumed e2 Resumed

# 3. Other trust: another CAFILE, then the same file changed.
cp "$P/ca.pem" "$T/ca2.pem"
CA=$T/ca2.pem go t1 "$d_PORT" -k localhost
resumed t1 Initial
CA=$T/ca2.pem go t2 "$d_PORT" -k localhost
resumed t2 Resumed
cat "$P/ca.pem" "$P/int.pem" >"$T/ca2.pem"
CA=$T/ca2.pem go t3 "$d_PORT" -k localhost
resumed t3 Initial

# 4. --insecure-no-verify: no cache at all.
CC=$T/insecure go i1 "$d_PORT" -k localhost --insecure-no-verify
resumed i1 Initial
[ ! -e "$T/insecure" ] || fail "--insecure-no-verify: a cache file was created"
CC=$T/insecure go i2 "$d_PORT" -k localhost
resumed i2 Initial
CC=$T/insecure go i3 "$d_PORT" -k localhost --insecure-no-verify
resumed i3 Initial
server_stop d
server_stop e

# 5. Against openssl s_server (-rev: each line back reversed).
ossl_start o -naccept 2 -rev -cert "$P/rsa.pem" -key "$P/rsa.key" -cert_chain "$P/int.pem"
CC=$T/ocache
run 0 tcli "$o_PORT" env CAFILE="$P/ca.pem" TLS_SESSION_CACHE="$CC" tlsc -v2 -k localhost cli-app.sh "$T/o1.app" 'abc\nCLOSE\n'
expect_eq "$(cat "$T/out")" cba "o1: the reply"
resumed o1 Initial
run 0 tcli "$o_PORT" env CAFILE="$P/ca.pem" TLS_SESSION_CACHE="$CC" tlsc -v2 -k localhost cli-app.sh "$T/o2.app" 'abc\nCLOSE\n'
expect_eq "$(cat "$T/out")" cba "o2: the reply"
resumed o2 Resumed
expect_eq "$(facts o2)" "$(facts o1)" "o2: SSL_SERVER_* facts of the resumed session"
wait "$o_PID" 2>/dev/null || :
exit 0
