#!/bin/sh
# ISC license.
# timeout: 120
#
# 61-proxy-accept: proxy-accept under Debian's tcpserver, fed headers
# crafted by tests/helpers/proxy-hdr.py. Good v1 and v2 headers set
# TCPREMOTEIP/PORT and TCPLOCALIP/PORT, keep the balancer's addresses in
# PROXY_*, export the TLV subset; LOCAL and UNKNOWN keep the real
# addresses. Every malformed case of the specification exits 98 with its
# reason on one line, and prog never runs; each has a good twin just
# before it (positive control). The bytes after the header reach prog
# intact, whether header and data come in one segment, byte by byte, or
# from a file instead of a socket. Untrusted sources are refused before
# a byte is read; the timeout; -1/-2; usage and option errors (100).

. "${0%/*}/../lib.sh"

need tcpserver python3 timeout proxy-accept
# A wrapper (pyenv's shim) may cost a second per start: take the system's.
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
HDR="$PY $UTLS_TOP/tests/helpers/proxy-hdr.py"

# The application: its environment, a line, then what it reads; and a
# marker that it ran.
cat >"$T/app" <<EOF
#!/bin/sh
: >"$T/ran"
env | grep -E '^(TCP|PROXY_)' | sort
echo ---
exec cat
EOF
# The superserver's program: proxy-accept's status and stderr per connection.
cat >"$T/wrap" <<EOF
#!/bin/sh
proxy-accept "\$@" 2>"$T/conn.err"
echo \$? >"$T/conn.status"
EOF
chmod +x "$T/app" "$T/wrap"
$HDR trailer >"$T/trailer"

# start NAME OPTS...: a tcpserver running wrap OPTS app
start() {
  _n=$1; shift
  tcpserver_start "$_n" "$T/wrap" "$@" "$T/app"
}

# conn PORT CASE [MODE]: one connection; waits for proxy-accept's status
conn() {
  rm -f "$T/conn.status" "$T/conn.err" "$T/ran"
  timeout 30 $HDR send "$1" "$2" ${3-} >"$T/got" || fail "$2: client failed"
  wait_for test -s "$T/conn.status"
  STATUS=$(cat "$T/conn.status")
}

# good PORT CASE [MODE]: prog ran, got the trailer intact after its env
good() {
  conn "$@"
  expect_eq "$STATUS" 0 "$2: exit status"
  test -f "$T/ran" || fail "$2: prog did not run"
  sed '1,/^---$/d' "$T/got" >"$T/after"
  expect_file_eq "$T/after" "$T/trailer"
  sed '/^---$/,$d' "$T/got" >"$T/env"
}

# bad PORT CASE REGEX [MODE]: exit 98, one stderr line matching, prog never ran
bad() {
  _re=$3
  conn "$1" "$2" ${4-}
  expect_eq "$STATUS" 98 "$2: exit status"
  [ ! -f "$T/ran" ] || fail "$2: prog ran"
  [ ! -s "$T/got" ] || fail "$2: the client got bytes: $(head -c 100 "$T/got")"
  expect_grep "^proxy-accept: fatal: .*$_re" "$T/conn.err"
  expect_eq "$(wc -l <"$T/conn.err" | tr -d ' ')" 1 "$2: stderr lines"
}

env_is() {
  grep -q -x -e "$1" "$T/env" || fail "$CASE: $1 not in the environment: $(tr '\n' ' ' <"$T/env")"
}
env_no() {
  ! grep -q -e "^$1=" "$T/env" || fail "$CASE: $1 should not be set: $(grep -e "^$1=" "$T/env")"
}

start A -v 2 -t 3000
P=$A_PORT

# ---- good headers ------------------------------------------------------
CASE=v1-tcp4; good $P $CASE
env_is TCPREMOTEIP=192.0.2.1; env_is TCPREMOTEPORT=56324
env_is TCPLOCALIP=198.51.100.2; env_is TCPLOCALPORT=443
env_is PROXY_REMOTEIP=127.0.0.1; env_is PROXY_LOCALIP=127.0.0.1
env_is PROXY_LOCALPORT=$P; env_is PROXY_VERSION=1; env_is PROXY_FAMILY=TCP4
grep -q -E '^PROXY_REMOTEPORT=[0-9]+$' "$T/env" || fail "PROXY_REMOTEPORT missing"
env_no TCPREMOTEHOST; env_no TCPREMOTEINFO; env_no PROXY_ALPN
expect_grep '^proxy-accept: info: PROXY v1 TCP4 from 127\.0\.0\.1:[0-9]+: client 192\.0\.2\.1 port 56324, server 198\.51\.100\.2 port 443$' "$T/conn.err"

CASE=v1-tcp6; good $P $CASE
env_is TCPREMOTEIP=2001:db8::1; env_is TCPLOCALIP=2001:db8::2; env_is PROXY_FAMILY=TCP6
CASE=v1-max; good $P $CASE
env_is TCPREMOTEIP=ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff; env_is TCPREMOTEPORT=65535
CASE=v1-port0; good $P $CASE
env_is TCPREMOTEPORT=0
for CASE in v1-unknown v1-unknown-rest; do
  good $P $CASE
  env_is TCPREMOTEIP=127.0.0.1; env_is TCPLOCALPORT=$P; env_is PROXY_FAMILY=UNKNOWN
  expect_grep 'keeping the real addresses' "$T/conn.err"
done

CASE=v2-tcp4; good $P $CASE
env_is TCPREMOTEIP=192.0.2.1; env_is TCPREMOTEPORT=56324; env_is TCPLOCALIP=198.51.100.2
env_is TCPLOCALPORT=443; env_is PROXY_VERSION=2; env_is PROXY_FAMILY=TCP4; env_is PROXY_REMOTEIP=127.0.0.1
CASE=v2-tcp6; good $P $CASE
env_is TCPREMOTEIP=2001:db8::1; env_is TCPLOCALIP=2001:db8::2; env_is PROXY_FAMILY=TCP6
for CASE in v2-local v2-local-inet v2-unspec v2-unix; do
  good $P $CASE
  env_is TCPREMOTEIP=127.0.0.1; env_is TCPLOCALIP=127.0.0.1; env_is TCPLOCALPORT=$P
done
CASE=v2-local; good $P $CASE; env_is PROXY_FAMILY=LOCAL
CASE=v2-unix; good $P $CASE; env_is PROXY_FAMILY=UNIX
CASE=v2-tlvs; good $P $CASE
env_is PROXY_ALPN=h2; env_is PROXY_AUTHORITY=www.example.org; env_is PROXY_SSL=1
env_is PROXY_SSL_VERSION=TLSv1.3; env_is PROXY_SSL_CN=client.example
env_is PROXY_SSL_CIPHER=TLS_AES_128_GCM_SHA256; env_is PROXY_SSL_SIG_ALG=SHA256
env_is PROXY_SSL_KEY_ALG=EC256; env_is PROXY_SSL_CLIENT_CERT=1; env_is PROXY_SSL_VERIFY=0
CASE=v2-crc; good $P $CASE; env_is PROXY_ALPN=http/1.1
CASE=v2-bigtlv; good $P $CASE; env_is PROXY_ALPN=h2
# A control character in a value: not exported, a warning, the connection goes on.
CASE=v2-ctlvalue; good $P $CASE
env_no PROXY_ALPN; env_is PROXY_AUTHORITY=www.example.org
expect_grep '^proxy-accept: warning: PROXY header from 127\.0\.0\.1:[0-9]+: ALPN TLV not exported' "$T/conn.err"

# Never past the header: byte by byte, and header + data in one segment
# (above); and from a regular file (no MSG_PEEK: one byte at a time).
for CASE in v1-tcp4 v2-tcp6 v2-tlvs; do good $P $CASE split; done
for CASE in v1-tcp4 v2-tcp4; do
  { $HDR bytes $CASE; cat "$T/trailer"; } >"$T/in"
  TCPREMOTEIP=127.0.0.1 TCPREMOTEPORT=1 run 0 proxy-accept sh -c 'echo ---; cat' <"$T/in"
  sed '1d' "$T/out" >"$T/after"
  expect_file_eq "$T/after" "$T/trailer"
done
# Stale PROXY_* variables from the parent do not survive.
PROXY_SSL_CN=stale PROXY_ALPN=stale TCPREMOTEHOST=h.example TCPREMOTEIP=127.0.0.1 \
  run 0 proxy-accept env <"$T/in"
expect_no_grep '^(PROXY_SSL_CN|PROXY_ALPN|TCPREMOTEHOST)=' "$T/out"

# ---- malformed headers, each after a good twin ----------------------------
# twin GOOD BAD REGEX [MODE]
twin() {
  CASE=$1; good $P $1
  CASE=$2; bad $P $2 "$3" ${4-}
}
twin v1-tcp4 none-http 'no PROXY header from 127\.0\.0\.1:[0-9]+: the connection does not start with a v1 or v2 signature'
twin v2-tcp4 none-tls 'no PROXY header'
twin v1-unknown v1-toolong 'malformed PROXY header from .*: v1: no CRLF within 107 bytes'
twin v1-tcp4 v1-nocrlf 'v1: the line does not end with its only CRLF'
twin v1-tcp4 v1-cr-inside 'v1: the line does not end with its only CRLF'
twin v1-tcp4 v1-badproto 'v1: protocol is not TCP4, TCP6 or UNKNOWN'
twin v1-tcp4 v1-lowercase 'v1: protocol is not TCP4, TCP6 or UNKNOWN'
twin v1-tcp4 v1-3fields 'v1: not four fields'
twin v1-tcp4 v1-5fields 'v1: not four fields'
twin v1-tcp4 v1-2spaces 'v1: not four fields'
twin v1-port0 v1-port-range 'v1: source port is not a number from 0 to 65535'
twin v1-tcp4 v1-port-zero 'v1: source port'
twin v1-tcp4 v1-port-sign 'v1: source port'
twin v1-tcp4 v1-addr4 'v1: source address is not an IPv4 address'
twin v1-tcp4 v1-addr4-as6 'v1: source address is not an IPv4 address'
twin v1-tcp6 v1-addr6 'v1: source address is not an IPv6 address'
twin v1-tcp6 v1-addr6-as4 'v1: destination address is not an IPv6 address'
twin v1-tcp4 v1-truncated 'truncated PROXY header from .*: the connection closed after 28 bytes' only
twin v2-tcp4 v2-badsig 'no PROXY header|v2: bad signature'
twin v2-tcp4 v2-badver 'v2: version is not 2'
twin v2-tcp4 v2-badcmd 'v2: command is neither LOCAL nor PROXY'
twin v2-tcp4 v2-badfam 'v2: unknown address family'
twin v2-tcp4 v2-badtransport 'v2: unknown transport protocol'
twin v2-tcp4 v2-udp 'v2: transport is not STREAM'
twin v2-tcp4 v2-short4 'v2: header too short for its address family'
twin v2-tcp6 v2-short6 'v2: header too short for its address family'
twin v2-unix v2-shortunix 'v2: header too short for its address family'
twin v2-tcp4 v2-truncated 'truncated PROXY header .*after 22 bytes' only
twin v2-tcp4 v2-truncated-fixed 'truncated PROXY header .*after 10 bytes' only
twin v2-crc v2-crc-bad 'v2: CRC32C mismatch'
twin v2-crc v2-crc-len 'v2: CRC32C TLV is not 4 bytes long'
twin v2-tlvs v2-tlv-overrun 'v2: a TLV overruns the header'
twin v2-tlvs v2-tlv-partial 'v2: truncated TLV header'
twin v2-tlvs v2-ssl-overrun 'v2: a TLV inside the SSL TLV overruns it'
twin v2-tlvs v2-ssl-short 'v2: SSL TLV shorter than 5 bytes'

# Timeout: a header that never ends (-t 3000 here; the client gives up at 20 s).
CASE=v1-tcp4; good $P $CASE
bad $P v1-tcp4 'timed out after 3000 ms waiting for the PROXY header from 127\.0\.0\.1:[0-9]+ \(44 bytes received\)$' stall
bad $P v2-tlvs 'timed out after 3000 ms .*bytes received' stall

# ---- versions -------------------------------------------------------------
start V1 -1 ; start V2 -2
CASE=v1-tcp4; good $V1_PORT $CASE
CASE=v2-tcp4; bad $V1_PORT $CASE 'refused PROXY v2 header from 127\.0\.0\.1:[0-9]+: only v1 is accepted \(-1\)'
CASE=v2-tcp4; good $V2_PORT $CASE
CASE=v1-tcp4; bad $V2_PORT $CASE 'refused PROXY v1 header from 127\.0\.0\.1:[0-9]+: only v2 is accepted \(-2\)'

# ---- trust ---------------------------------------------------------------
# Not the client's address: refused at once, before any byte is read
# (the stalled client would otherwise wait for -t).
start U -a 127.0.0.2 -a ::1 -a 10.0.0.0/8
CASE=v1-tcp4; bad $U_PORT $CASE 'refused connection from 127\.0\.0\.1:[0-9]+: not a trusted PROXY source \(-a\)' stall
start N -a 127.0.0.0/24 -a 2001:db8::/32
CASE=v2-tcp4; good $N_PORT $CASE
start M -a ::ffff:127.0.0.1
CASE=v2-tcp4; good $M_PORT $CASE
{ $HDR bytes v1-tcp4; cat "$T/trailer"; } >"$T/in"
for ip in 127.0.0.1 127.255.255.254 ::1 ::ffff:127.0.0.9; do
  TCPREMOTEIP=$ip run 0 proxy-accept true <"$T/in"
done
for ip in 10.1.2.3 128.0.0.1 ::2 2001:db8::1 ::ffff:10.0.0.1; do
  TCPREMOTEIP=$ip run 98 proxy-accept true <"$T/in"
  expect_grep "^proxy-accept: fatal: refused connection from $ip: not a trusted PROXY source" "$T/err"
done
TCPREMOTEIP=192.0.2.77 run 0 proxy-accept -a 192.0.2.64/26 true <"$T/in"
TCPREMOTEIP=192.0.2.77 run 98 proxy-accept -a 192.0.2.80/28 true <"$T/in"
TCPREMOTEIP=2001:db8:1::5 run 0 proxy-accept -a 2001:db8::/47 true <"$T/in"
TCPREMOTEIP=2001:db8:2::5 run 98 proxy-accept -a 2001:db8::/47 true <"$T/in"
TCPREMOTEIP=203.0.113.9 run 0 proxy-accept -a 0.0.0.0/0 true <"$T/in"

# ---- usage and configuration errors (100) -----------------------------------
expect_usage proxy-accept-usage.expected proxy-accept
expect_usage proxy-accept-usage.expected proxy-accept -v 2
expect_usage proxy-accept-usage.expected proxy-accept -x prog
# usage_err REGEX ARGS...: exits 100 naming the problem
usage_err() {
  _re=$1; shift
  TCPREMOTEIP=127.0.0.1 run 100 proxy-accept "$@" true </dev/null
  expect_grep "^proxy-accept: fatal: $_re" "$T/err"
}
usage_err 'invalid address for -a: 300\.0\.0\.1' -a 300.0.0.1
usage_err 'invalid address for -a: example\.org' -a example.org
usage_err 'invalid prefix length for -a .*: 10\.0\.0\.0/33' -a 10.0.0.0/33
usage_err 'invalid prefix length for -a .*: ::1/129' -a ::1/129
usage_err 'invalid prefix length for -a .*: 10\.0\.0\.0/' -a 10.0.0.0/
usage_err 'invalid prefix length for -a .*: 10\.0\.0\.0/x' -a 10.0.0.0/x
usage_err 'timeout \(-t\) must be a positive number of milliseconds, not: 0' -t 0
usage_err 'timeout \(-t\) must be a positive number of milliseconds, not: 3s' -t 3s
usage_err 'verbosity \(-v\) must be an unsigned integer, not: x' -v x
run 100 env -u TCPREMOTEIP proxy-accept true </dev/null
expect_grep '^proxy-accept: fatal: TCPREMOTEIP is not set: run proxy-accept under tcpserver or s6-tcpserver$' "$T/err"
TCPREMOTEIP=nowhere run 100 proxy-accept true </dev/null
expect_grep '^proxy-accept: fatal: TCPREMOTEIP is not an IP address: nowhere$' "$T/err"
# prog not found: 127 after the header was read
TCPREMOTEIP=127.0.0.1 run 127 proxy-accept /nonexistent/prog <"$T/in"
exit 0
