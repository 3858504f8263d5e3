#!/bin/sh
# ISC license.
# timeout: 240
#
# 64-fleet-haproxy-memcached: the whole scale-out story with real
# components. A real HAProxy (mode tcp, send-proxy-v2, round robin) in
# front of two "machines": two tlsserver -A 127.0.0.2 (proxy-accept
# before tlsd), each with TLS_SESSION_CACHE=memcached:SOCKET and the
# same fleet key, sharing one real memcached. The client is tcpclient
# from 127.0.0.5 + tlsc with its own session cache file, so it offers
# its last session on every connection.
#
# Checked: four connections alternate between the two servers; the
# first is a full handshake, the three others are resumed, half of
# them on the other machine than the one that made the session; every
# application sees the client's address (127.0.0.5), not HAProxy's;
# tlsd's -v 2 lines agree. The control: the same fleet without the
# shared store (each server its own file) resumes nothing, since every
# connection lands on the other server than the last one.

. "${0%/*}/../lib.sh"

need haproxy tcpserver tcpclient tlsserver tlsd tlsc proxy-accept memcached python3 timeout
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
pki
K=$UTLS_PKI
$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.5", 0))' 2>/dev/null || skip "cannot bind 127.0.0.5"
TS=$UTLS_TOP/src/tls/tlsserver
[ -x "$TS" ] || TS=$(command -v tlsserver)
head -c 32 /dev/urandom >"$T/fleet.key"
chmod 600 "$T/fleet.key"

if [ "$(id -u)" = 0 ]; then U="-u root"; else U=; fi
# shellcheck disable=SC2086
memcached $U -m 8 -t 1 -U 0 -s "$T/mc.sock" >"$T/mc.err" 2>&1 &
MC_PID=$!
bg_pid "$MC_PID"
$PY "$UTLS_TOP/tests/helpers/mc-tool.py" "$T/mc.sock" wait || fail "memcached did not start: $(cat "$T/mc.err")"

cat >"$T/app" <<'EOF'
#!/bin/sh
echo "server=$1 resumed=${SSL_SESSION_RESUMED-unset} remote=$TCPREMOTEIP balancer=${PROXY_REMOTEIP-unset}"
EOF
chmod +x "$T/app"

# fleet NAME CACHE1 CACHE2: two servers (NAME_s1, NAME_s2) and an HAProxy
# (NAME) in front of them; CACHEn is each server's TLS_SESSION_CACHE
fleet ()
{
  for i in 1 2; do
    eval "_c=\$$((i + 1))"
    server_start "${1}_s$i" out env CERTFILE="$K/ec.chain.pem" KEYFILE="$K/ec.key" TLS_SESSION_CACHE="$_c" \
      TLS_SESSION_KEYFILE="$T/fleet.key" \
      "$TS" -1 -v 2 -A 127.0.0.2 127.0.0.1 0 "$T/app" "s$i"
  done
  eval "_p1=\$${1}_s1_PORT _p2=\$${1}_s2_PORT"
  haproxy_start "$1" "server s1 127.0.0.1:$_p1 send-proxy-v2 source 127.0.0.2" \
    "server s2 127.0.0.1:$_p2 send-proxy-v2 source 127.0.0.2"
}

# go FLEET N: N connections through FLEET's HAProxy, from 127.0.0.5,
# tlsc with a client session cache; the applications' lines in $T/FLEET.seen
go ()
{
  eval "_hp=\$${1}_PORT"
  : >"$T/$1.seen"
  _i=0
  while [ "$_i" -lt "$2" ]; do
    _i=$((_i + 1))
    timeout 30 tcpclient -i 127.0.0.5 -R -H -l0 127.0.0.1 "$_hp" \
      env CAFILE="$K/ca.pem" TLS_SESSION_CACHE="$T/$1.client" \
      tlsc -k localhost sh -c 'cat <&6' >>"$T/$1.seen" 2>"$T/$1.cerr" ||
      fail "$1: connection $_i failed: $(cat "$T/$1.cerr")"
  done
}

# The fleet: both servers share memcached.
fleet shared "memcached:$T/mc.sock" "memcached:$T/mc.sock"
go shared 4
cat "$T/shared.seen" >&2
expect_eq "$(sed -n 's/^server=\(s[12]\) .*/\1/p' "$T/shared.seen" | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')" "s1:2 s2:2 " "round robin"
expect_eq "$(sed -n 's/.* resumed=\([A-Za-z]*\) .*/\1/p' "$T/shared.seen" | tr '\n' ' ')" "Initial Resumed Resumed Resumed " "the sessions, in order"
first=$(sed -n '1s/^server=\(s[12]\) .*/\1/p' "$T/shared.seen")
expect_eq "$(sed -n '2s/^server=\(s[12]\) .*/\1/p' "$T/shared.seen")" "$([ "$first" = s1 ] && echo s2 || echo s1)" "the second connection's server"
expect_eq "$(grep -c ' remote=127\.0\.0\.5 balancer=127\.0\.0\.2$' "$T/shared.seen")" 4 "applications that saw the client's address"
wait_for grep -q ' resumed Resumed ' "$shared_s1_ERR"
wait_for grep -q ' resumed Resumed ' "$shared_s2_ERR"
expect_grep '^tlsd: info: peer 127\.0\.0\.5:[0-9]+ ' "$shared_s2_ERR"
expect_no_grep 'warning|session cache: memcached' "$shared_s1_ERR"
expect_no_grep 'warning|session cache: memcached' "$shared_s2_ERR"

# The control: one cache file per server. The client offers the
# session of its last connection, always made on the other server:
# nothing resumes.
fleet apart "$T/s1.cache" "$T/s2.cache"
go apart 4
cat "$T/apart.seen" >&2
expect_eq "$(sed -n 's/.* resumed=\([A-Za-z]*\) .*/\1/p' "$T/apart.seen" | tr '\n' ' ')" "Initial Initial Initial Initial " "without the shared store"
exit 0
