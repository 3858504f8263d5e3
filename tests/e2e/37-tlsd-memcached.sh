#!/bin/sh
# timeout: 180
# ISC license.
#
# 37-tlsd-memcached.sh: sessions shared across machines through a real
# memcached (TLS_SESSION_CACHE=memcached:..., TLS_SESSION_KEYFILE).
# Two tlsd servers on two ports stand for two machines behind a load
# balancer; openssl s_client -sess_out on one, -sess_in on the other:
#  - a session made on A resumes on B (Unix socket; and two memcached
#    servers, a socket and 127.0.0.1, listed in either order);
#  - what memcached holds is names "utls:" + 40 hex digits and values in
#    which neither the session ID nor the master secret appears;
#  - a tampered entry, a server with another key: not resumed (with a
#    -v 2 line for the tampered one), handshakes go on;
#  - key rotation: a server whose key is new and whose TLS_SESSION_KEYFILE_OLD
#    is A's resumes A's session; one with the new key alone does not;
#  - memcached killed: full handshakes, each within a second, the -v 2
#    line says why; a memcached that accepts and never answers: the same,
#    within TLS_SESSION_CACHE_TIMEOUT;
#  - tlsc with memcached: the second connection to a server resumes,
#    the first to another one does not;
#  - configuration: no key file, a key file of 31 bytes: exit 96; a
#    malformed list, a bad timeout: exit 100; the application never
#    sees the variables' secrets (the key file's content).

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/e2e-common.sh"

need tcpserver tcpclient openssl memcached python3
pki
P=$UTLS_PKI
MC=$UTLS_TOP/tests/helpers/mc-tool.py
head -c 32 /dev/urandom >"$T/k1"
head -c 32 /dev/urandom >"$T/k2"
head -c 31 /dev/urandom >"$T/k31"
chmod 600 "$T/k1" "$T/k2" "$T/k31"

# mc NAME -s PATH | -p PORT: a memcached, waited for
mc ()
{
  _n=$1
  shift
  if [ "$(id -u)" = 0 ]; then _u="-u root"; else _u=; fi
  if [ "$1" = -s ]
  then
    # shellcheck disable=SC2086
    memcached $_u -m 8 -t 1 -U 0 -s "$2" >"$T/$_n.mcerr" 2>&1 &
    _a=$2
  else
    # shellcheck disable=SC2086
    memcached $_u -m 8 -t 1 -U 0 -l 127.0.0.1 -p "$2" >"$T/$_n.mcerr" 2>&1 &
    _a=127.0.0.1:$2
  fi
  eval "${_n}_MCPID=$!"
  bg_pid "$!"
  python3 "$MC" "$_a" wait || fail "memcached $_n did not start: $(cat "$T/$_n.mcerr")"
}

# start NAME SPEC KEYFILE [VAR=value...]: tlsd -v2 with the memcached cache
start ()
{
  _n=$1 _spec=$2 _key=$3
  shift 3
  : >"$T/$_n.log"
  srv "$_n" env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" \
    TLS_SESSION_CACHE="memcached:$_spec" TLS_SESSION_KEYFILE="$_key" "$@" \
    tlsd -v2 e2e-resumed.sh "$T/$_n.log"
}

# sc PORT [s_client options]: one connection, the session's fate in $T/out
sc ()
{
  _p=$1
  shift
  timeout 20 openssl s_client -connect "127.0.0.1:$_p" -CAfile "$P/ca.pem" \
    -verify_return_error -servername localhost -ign_eof "$@" </dev/null >"$T/out" 2>"$T/err" || :
}
expect_new ()
{
  grep -q '^New, TLSv1\.2' "$T/out" || { sed 's/^/  | /' "$T/out" "$T/err" >&2; fail "$1: not a new session"; }
}
expect_reused ()
{
  grep -q '^Reused, TLSv1\.2' "$T/out" || { sed 's/^/  | /' "$T/out" "$T/err" >&2; fail "$1: session not reused"; }
}

S1=$T/mc1.sock
mc one -s "$S1"
P2=$(free_port)
mc two -p "$P2"

# 1. A and B share memcached on a Unix socket: A's session resumes on B
start a "$S1" "$T/k1"
PA=$PORT
start b "$S1" "$T/k1"
PB=$PORT
sc "$PA" -sess_out "$T/s1"
expect_new "A, first connection"
sc "$PB" -sess_in "$T/s1"
expect_reused "A's session on B"
wait_lines 1 "$T/b.log" '^resumed='
expect_eq "$(cat "$T/b.log")" "resumed=Resumed verify=NONE dn= hash= sni=localhost cache=" "B's application"
wait_lines 1 "$T/b.err" ' resumed Resumed '
expect_no_grep 'warning' "$T/a.err"

# what memcached holds: keyed names, sealed values
sid=$(openssl sess_id -in "$T/s1" -noout -text | sed -n 's/^ *Session-ID: *//p' | tr 'A-F' 'a-f')
mk=$(openssl sess_id -in "$T/s1" -noout -text | sed -n 's/^ *Master-Key: *//p' | tr 'A-F' 'a-f')
[ "${#sid}" = 64 ] && [ "${#mk}" = 96 ] || fail "could not read the session ID and master key from s_client's session"
python3 "$MC" "$S1" dump >"$T/dump"
expect_eq "$(wc -l <"$T/dump" | tr -d ' ')" 1 "entries in memcached"
expect_grep '^utls:[0-9a-f]{40} [0-9a-f]+$' "$T/dump"
expect_no_grep "$sid" "$T/dump"
expect_no_grep "$mk" "$T/dump"
expect_no_grep "$(printf localhost | od -An -tx1 | tr -d ' \n')" "$T/dump"

# 2. two memcached servers, listed in either order on A and B
start c "$S1,127.0.0.1:$P2" "$T/k1"
PC=$PORT
start d "127.0.0.1:$P2,$S1" "$T/k1"
PD=$PORT
i=0
while [ "$i" -lt 4 ]
do
  i=$((i + 1))
  sc "$PC" -sess_out "$T/s2.$i"
  expect_new "C, connection $i"
  sc "$PD" -sess_in "$T/s2.$i"
  expect_reused "C's session $i on D"
done
n1=$(python3 "$MC" "$S1" keys | wc -l)
n2=$(python3 "$MC" "127.0.0.1:$P2" keys | wc -l)
expect_eq "$((n1 + n2))" 5 "entries on the two memcached servers (1 before, 4 now)"

# 3. tampered entries are not resumed; the handshake goes on
sc "$PA" -sess_out "$T/s3"
expect_new "A, for the tampered entry"
python3 "$MC" "$S1" tamper >/dev/null
sc "$PB" -sess_in "$T/s3"
expect_new "a tampered entry"
wait_lines 1 "$T/b.err" 'session cache: memcached: an entry that does not open'

# 4. another key: not resumed, and nothing said (a miss: another name)
start e "$S1" "$T/k2"
PE=$PORT
sc "$PA" -sess_out "$T/s4"
expect_new "A, for the other key"
sc "$PE" -sess_in "$T/s4"
expect_new "A's session on a server with another key"

# 5. rotation: the new key, and A's as the old one, reads A's sessions
start f "$S1" "$T/k2" TLS_SESSION_KEYFILE_OLD="$T/k1"
PF=$PORT
sc "$PF" -sess_in "$T/s4"
expect_reused "A's session on a server with k1 as its old key"
# and what F makes is sealed with k2: E (k2 only) resumes it
sc "$PF" -sess_out "$T/s5"
expect_new "F, first connection"
sc "$PE" -sess_in "$T/s5"
expect_reused "F's session on E"
sc "$PA" -sess_in "$T/s5"
expect_new "F's session on A (k1 only)"

# 6. memcached killed: full handshakes at once, with the reason at -v 2
sc "$PA" -sess_out "$T/s6"
eval "kill \$one_MCPID"
eval "wait \$one_MCPID 2>/dev/null" || :
# timed_sc WHAT PORT [s_client options]: sc, a new session, within 3 s
timed_sc ()
{
  _w=$1
  shift
  _t0=$(date +%s%N)
  sc "$@"
  _t1=$(date +%s%N)
  expect_new "$_w"
  [ $(( (_t1 - _t0) / 1000000 )) -lt 3000 ] || fail "$_w: the connection took $(( (_t1 - _t0) / 1000000 )) ms"
}
timed_sc "memcached gone" "$PB" -sess_in "$T/s6"
wait_lines 1 "$T/b.err" 'session cache: memcached: connection refused or failed'
# a memcached that accepts and never answers: the timeout (100 ms)
python3 - "$T/hang.sock" >"$T/hang.out" 2>&1 <<'EOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(16)
print("ready", flush=True)
conns = []
t = time.monotonic() + 60
while time.monotonic() < t:
    c, _ = s.accept()
    conns.append(c)
EOF
hang=$!
bg_pid "$hang"
wait_for test -s "$T/hang.out"
start g "$T/hang.sock" "$T/k1" TLS_SESSION_CACHE_TIMEOUT=100
PG=$PORT
timed_sc "a memcached that never answers" "$PG" -sess_in "$T/s6"
wait_lines 1 "$T/g.err" 'session cache: memcached: read timed out'
kill "$hang" 2>/dev/null || :

# 7. the client side: tlsc keeps its sessions in memcached too (sealed
# under its own key), and offers them to the same server only
start h "127.0.0.1:$P2" "$T/k1"
PH=$PORT
tc ()
{
  timeout 20 tcpclient -H -R -l0 127.0.0.1 "$1" env CAFILE="$P/ca.pem" \
    TLS_SESSION_CACHE="memcached:127.0.0.1:$P2" TLS_SESSION_KEYFILE="$T/k2" \
    tlsc -v2 -k localhost sh -c 'echo "$SSL_SESSION_RESUMED"' >"$T/tc.out" 2>"$T/tc.err" || fail "tlsc to port $1 failed: $(cat "$T/tc.err")"
}
tc "$PH"
expect_eq "$(cat "$T/tc.out")" Initial "tlsc, first connection"
tc "$PH"
expect_eq "$(cat "$T/tc.out")" Resumed "tlsc, second connection"
expect_grep ' resumed Resumed ' "$T/tc.err"
tc "$PA"
expect_eq "$(cat "$T/tc.out")" Initial "tlsc, another server (port)"

# 8. configuration errors
cfg ()
{
  _want=$1
  shift
  if env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" "$@" tlsd true </dev/null >"$T/cfg.out" 2>"$T/cfg.err"
  then _st=0
  else _st=$?
  fi
  expect_eq "$_st" "$_want" "tlsd with $*"
}
cfg 96 TLS_SESSION_CACHE="memcached:$S1"
expect_grep '^tlsd: fatal: TLS_SESSION_CACHE is memcached: but TLS_SESSION_KEYFILE is not set' "$T/cfg.err"
cfg 96 TLS_SESSION_CACHE="memcached:$S1" TLS_SESSION_KEYFILE="$T/k31"
expect_grep "^tlsd: fatal: TLS_SESSION_KEYFILE $T/k31: a session key file must hold exactly 32 bytes" "$T/cfg.err"
cfg 96 TLS_SESSION_CACHE="memcached:$S1" TLS_SESSION_KEYFILE="$T/k1" TLS_SESSION_KEYFILE_OLD="$T/nokey"
expect_grep "^tlsd: fatal: unable to read TLS_SESSION_KEYFILE_OLD $T/nokey: No such file or directory" "$T/cfg.err"
cfg 100 TLS_SESSION_CACHE="memcached:localhost:11211" TLS_SESSION_KEYFILE="$T/k1"
expect_grep '^tlsd: fatal: TLS_SESSION_CACHE: malformed memcached server list' "$T/cfg.err"
cfg 100 TLS_SESSION_CACHE="memcached:$S1" TLS_SESSION_KEYFILE="$T/k1" TLS_SESSION_CACHE_TIMEOUT=0
expect_grep '^tlsd: fatal: TLS_SESSION_CACHE_TIMEOUT must be a number of milliseconds' "$T/cfg.err"
exit 0
