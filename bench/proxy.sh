#!/bin/sh
# ISC license.
#
# bench/proxy.sh: what proxy-accept costs per connection. The same
# tcpserver (-R -H -l 0) and the same static application (benchapp
# greet: one byte out, then read to EOF), with and without proxy-accept
# in between; the client (bench/proxyload.py) opens one connection at a
# time for BENCH_SECONDS (default 5) each round, sending no header, a v1 line
# or a v2 header with two TLVs. Rounds alternate the three setups
# (ROUNDS, default 3) so drift hits them alike. Server side on CPU 0,
# client on CPU 1 when taskset exists.
#
# Measured: connections per second (one client, sequential: the
# latency of a whole connection), and server CPU per connection: the
# user+system time of tcpserver's reaped children (proxy-accept and the
# application, or the application alone) and of tcpserver itself (its
# forks), from /proc/PID/stat, in clock ticks (CLK_TCK). Prints
# a Markdown table on stdout. `make bench-proxy` runs it.
#
# Every process started here is remembered by pid and ended by pid.

set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
SECONDS_EACH=${BENCH_SECONDS:-5}
ROUNDS=${ROUNDS:-3}
CC=${CC:-cc}
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
W=$(mktemp -d /tmp/utls-bench-proxy.XXXXXX) || exit 111
SERVER=
cleanup () {
  [ -n "$SERVER" ] && kill -TERM "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die () { echo "bench-proxy: fatal: $*" >&2; exit 111; }

command -v tcpserver >/dev/null || die "tcpserver not found (Debian: ucspi-tcp)"
[ -x "$top/src/tls/proxy-accept" ] || die "build first: make"
$CC -O2 -Wall -static -o "$W/benchapp" "$here/benchapp.c" 2>/dev/null \
  || $CC -O2 -Wall -o "$W/benchapp" "$here/benchapp.c" || die "build benchapp"
$CC -O2 -Wall -o "$W/proxycost" "$here/proxycost.c" || die "build proxycost"
printf 'int main (void) { return 0; }\n' >"$W/true.c"
$CC -O2 -static -o "$W/true" "$W/true.c" 2>/dev/null || $CC -O2 -o "$W/true" "$W/true.c" || die "build true"
$PY "$top/tests/helpers/proxy-hdr.py" bytes v1-tcp4 >"$W/h1" || die "proxy-hdr.py"
$PY "$top/tests/helpers/proxy-hdr.py" bytes v2-tlvs >"$W/h2" || die "proxy-hdr.py"
pin0= ; pin1=
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then pin0="taskset -c 0"; pin1="taskset -c 1"; fi
tck=$(getconf CLK_TCK)

# children_ticks PID: utime+stime of PID's reaped children (fields 16, 17)
children_ticks () {
  sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $14 + $15 }'
}
# self_ticks PID: utime+stime of PID itself (fields 14, 15): tcpserver's forks
self_ticks () {
  sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# one SETUP: prints "SETUP connections seconds ticks"
one () {
  case $1 in
    none) chain= ; mode=none ;;
    v1) chain="$top/src/tls/proxy-accept" ; mode=v1 ;;
    v2) chain="$top/src/tls/proxy-accept" ; mode=v2 ;;
  esac
  rm -f "$W/port"
  # shellcheck disable=SC2086
  $pin0 tcpserver -1 -R -H -l0 -c 1000 127.0.0.1 0 $chain "$W/benchapp" greet >"$W/port" 2>"$W/server.err" &
  SERVER=$!
  i=0
  while [ ! -s "$W/port" ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done
  [ -s "$W/port" ] || die "tcpserver did not start: $(cat "$W/server.err")"
  port=$(cat "$W/port")
  t0=$(children_ticks "$SERVER"); s0=$(self_ticks "$SERVER")
  out=$($pin1 $PY "$here/proxyload.py" "$port" "$SECONDS_EACH" "$mode") || die "client failed ($1): $out"
  sleep 0.3    # the last children reaped
  t1=$(children_ticks "$SERVER"); s1=$(self_ticks "$SERVER")
  kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null; SERVER=
  [ -s "$W/server.err" ] && die "server errors ($1): $(head -n 3 "$W/server.err")"
  echo "$1 $(echo "$out" | awk '{ print $2, $4 }') $((t1 - t0)) $((s1 - s0))"
}

: >"$W/raw"
r=0
while [ $r -lt "$ROUNDS" ]; do
  for s in none v1 v2; do one $s >>"$W/raw" || exit 1; done
  r=$((r + 1))
done

# Without the network: proxycost runs N children (fork, exec) of a
# static "true", with and without proxy-accept before it.
EXECN=${EXECN:-1000}
: >"$W/exec"
r=0
while [ $r -lt "$ROUNDS" ]; do
  for s in none v1 v2; do
    case $s in
      none) set -- "$W/true" ; h=$W/h2 ;;
      v1) set -- "$top/src/tls/proxy-accept" "$W/true" ; h=$W/h1 ;;
      v2) set -- "$top/src/tls/proxy-accept" "$W/true" ; h=$W/h2 ;;
    esac
    out=$(TCPREMOTEIP=127.0.0.1 TCPREMOTEPORT=4000 $pin0 "$W/proxycost" "$EXECN" "$h" "$@") || die "proxycost ($s): $out"
    echo "$s $out" >>"$W/exec"
  done
  r=$((r + 1))
done

echo "proxy-accept cost, $(date -u +%Y-%m-%d), $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $ROUNDS rounds of $SECONDS_EACH s"
echo
echo "| setup | connections/s (one client) | latency ms | CPU ms/conn, children | CPU ms/conn, tcpserver | CPU ms/conn, total |"
echo "|---|---|---|---|---|---|"
for s in none v1 v2; do
  awk -v s="$s" -v tck="$tck" '$1 == s { n += $2; t += $3; c += $4; p += $5 }
    END { printf "| %s | %.0f | %.3f | %.3f | %.3f | %.3f |\n", (s == "none" ? "tcpserver + app" : "tcpserver + proxy-accept (" s ") + app"), n / t, t / n * 1000, c / tck * 1000 / n, p / tck * 1000 / n, (c + p) / tck * 1000 / n }' "$W/raw"
done
echo
echo "Without the network ($EXECN x fork + exec per setup and round; header from a file, read a byte at a time for v1):"
echo
echo "| setup | CPU us/run | wall us/run |"
echo "|---|---|---|"
for s in none v1 v2; do
  awk -v s="$s" '$1 == s { c += $3; w += $5; k++ }
    END { printf "| %s | %.0f | %.0f |\n", (s == "none" ? "static true" : "proxy-accept (" s ") + static true"), c / k, w / k }' "$W/exec"
done
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "Per round (setup connections seconds children-ticks tcpserver-ticks):"
sed 's/^/    /' "$W/raw"
