#!/bin/sh
# ISC license.
# timeout: 300
#
# 62-proxy-haproxy: a real HAProxy (Debian package) in mode tcp in front
# of two TLS servers on 127.0.0.1, round robin: s1 is
# "tlsserver -A 127.0.0.2" (proxy-accept inserted by tlsserver), s2 the
# chain written by hand, "tcpserver ... proxy-accept -a 127.0.0.2 tlsd".
# HAProxy connects to them from 127.0.0.2 (source), clients connect to
# HAProxy from 127.0.0.5. One HAProxy sends PROXY v2 (send-proxy-v2),
# another v1 (send-proxy), to the same two servers.
#
# Checked: the TLS handshake behind the header works (proxy-accept left
# the ClientHello to tlsd); the application sees the client's address
# and port (127.0.0.5 and the client's own port), the balancer's in
# PROXY_REMOTEIP; connections alternate between s1 and s2; HAProxy's
# health checks (a LOCAL header with v2) are accepted with the real
# addresses and keep both servers up; a client that bypasses HAProxy
# (from 127.0.0.1, not trusted) is refused and the application never
# runs for it.

. "${0%/*}/../lib.sh"

need haproxy tcpserver tlsserver tlsd proxy-accept python3 timeout
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
CLIENT="$PY $UTLS_TOP/tests/helpers/proxy-tlsclient.py"
pki
K=$UTLS_PKI
# 127.0.0.2 and 127.0.0.5 are loopback addresses on Linux; skip elsewhere.
$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.5", 0))' 2>/dev/null || skip "cannot bind 127.0.0.5"

for n in s1 s2; do
  cat >"$T/app-$n" <<EOF
#!/bin/sh
echo run >>"$T/runs-$n"
echo "server=$n remote=\$TCPREMOTEIP:\$TCPREMOTEPORT local=\$TCPLOCALIP:\$TCPLOCALPORT balancer=\${PROXY_REMOTEIP-unset} version=\${PROXY_VERSION-unset} family=\${PROXY_FAMILY-unset} host=\${TCPREMOTEHOST-unset} tls=\${SSL_PROTOCOL-unset}"
EOF
  chmod +x "$T/app-$n"
done

export CERTFILE="$K/ec.chain.pem" KEYFILE="$K/ec.key"
TS=$UTLS_TOP/src/tls/tlsserver
[ -x "$TS" ] || TS=$(command -v tlsserver)
server_start s1 out "$TS" -1 -v 2 -A 127.0.0.2 127.0.0.1 0 "$T/app-s1"
tcpserver_start S2 proxy-accept -v 2 -a 127.0.0.2 tlsd -v 2 "$T/app-s2"

# two HAProxy, one for each version: both servers, health checks every 200 ms
for v in 2 1; do
  if [ "$v" = 2 ]; then send=send-proxy-v2; else send=send-proxy; fi
  haproxy_start "HA$v" "server s1 127.0.0.1:$s1_PORT $send source 127.0.0.2 check inter 200" \
    "server s2 127.0.0.1:$S2_PORT $send source 127.0.0.2 check inter 200"
done

# Both servers up (the health checks pass) before the round robin is counted.
wait_for grep -q 'PROXY v2 LOCAL from 127\.0\.0\.2:[0-9]*: keeping the real addresses' "$T/s1.err"
wait_for grep -q 'PROXY v2 LOCAL from 127\.0\.0\.2:[0-9]*: keeping the real addresses' "$S2_ERR"
# v1 health checks: HAProxy 2.6 sends a TCP4 line with the check
# connection's own addresses (v1 has no LOCAL); accepted like any other.
wait_for grep -q 'info: PROXY v1 [A-Z0-9]* from 127\.0\.0\.2' "$S2_ERR"
expect_no_grep 'proxy-accept: (fatal|warning)' "$T/s1.err"
expect_no_grep 'proxy-accept: (fatal|warning)' "$S2_ERR"

# via PORT VERSION: four connections through one HAProxy, alternating servers
via() {
  : >"$T/servers"
  for i in 1 2 3 4; do
    timeout 60 $CLIENT "$1" "$K/ca.pem" 127.0.0.5 >"$T/c.out" 2>"$T/c.err" || fail "client via haproxy ($2) failed (status $?): $(cat "$T/c.out" "$T/c.err")"
    me=$(sed -n 's/^client=//p' "$T/c.out")
    case $me in 127.0.0.5:[0-9]*) ;; *) fail "client address: $me" ;; esac
    grep -q -F "remote=$me local=127.0.0.1:$1 balancer=127.0.0.2 version=$2 family=TCP4 host=unset tls=TLSv1.2" "$T/c.out" ||
      fail "the application did not see the client $me through v$2: $(cat "$T/c.out")"
    sed -n 's/^server=\(s[12]\) .*/\1/p' "$T/c.out" >>"$T/servers"
  done
  expect_eq "$(sort "$T/servers" | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')" "s1:2 s2:2 " "round robin over v$2"
}
via "$HA2_PORT" 2
via "$HA1_PORT" 1
expect_grep '^proxy-accept: info: PROXY v2 TCP4 from 127\.0\.0\.2:[0-9]+: client 127\.0\.0\.5 port [0-9]+, server 127\.0\.0\.1 port' "$T/s1.err"
expect_grep '^proxy-accept: info: PROXY v1 TCP4 from 127\.0\.0\.2:[0-9]+: client 127\.0\.0\.5 port' "$S2_ERR"
# tlsd logs the client, not the balancer
expect_grep '^tlsd: info: peer 127\.0\.0\.5:[0-9]' "$T/s1.err"

# Bypassing HAProxy: refused by proxy-accept, the application never runs.
runs1=$(wc -l <"$T/runs-s1")
runs2=$(wc -l <"$T/runs-s2")
for p in "$s1_PORT" "$S2_PORT"; do
  if timeout 60 $CLIENT "$p" "$K/ca.pem" 127.0.0.1 >"$T/d.out" 2>"$T/d.err"; then
    fail "a direct connection to $p got through: $(cat "$T/d.out")"
  fi
done
wait_for grep -q '^proxy-accept: fatal: refused connection from 127\.0\.0\.1:[0-9]*: not a trusted PROXY source (-a)$' "$T/s1.err"
wait_for grep -q '^proxy-accept: fatal: refused connection from 127\.0\.0\.1:[0-9]*: not a trusted PROXY source (-a)$' "$S2_ERR"
expect_eq "$(wc -l <"$T/runs-s1")" "$runs1" "s1 application runs after the bypass"
expect_eq "$(wc -l <"$T/runs-s2")" "$runs2" "s2 application runs after the bypass"
kill -0 "$HA2_PID" && kill -0 "$HA1_PID" || fail "haproxy died: $(cat "$HA2_ERR" "$HA1_ERR")"
exit 0
