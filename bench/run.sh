#!/bin/sh
# ISC license.
#
# bench/run.sh: side-by-side benchmarks of ucspi-tls (tcpserver + tlsd)
# against stunnel4 (exec and connect modes), hitch and socat, with a
# no-TLS floor (tcpserver + bench/relay + application), on 127.0.0.1.
# Writes bench/RESULTS.md. `make bench` runs it; QUICK=1 for a smoke
# test (< 3 min). ONLY=resume (`make bench-resume`) runs only the
# session resumption rows and the cache cost, and writes
# bench/RESUME.md. Needs root only for hitch's --user/--group.
#
# Same everywhere: the client (bench/tlsload, BearSSL, 16 KiB records,
# one TLS 1.2 suite forced), the application (bench/benchapp, static),
# server side pinned to CPU 0, client to CPU 1.
#
# Every process this script starts is remembered by pid and ended by pid.

set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
QUICK=${QUICK:-0}
ONLY=${ONLY:-}
if [ "$ONLY" = resume ]; then OUT=${OUT:-$here/RESUME.md}; else OUT=${OUT:-$here/RESULTS.md}; fi

if [ "$QUICK" = 1 ]; then
  BULK=$((256 * 1048576)); HSDUR=1; LATN=50; IDLEN=50; CHACHA_BULK=$((128 * 1048576))
else
  BULK=$((1024 * 1048576)); HSDUR=4; LATN=300; IDLEN=200; CHACHA_BULK=$((1024 * 1048576))
fi

W=$(mktemp -d /tmp/utls-bench.XXXXXX) || exit 111
R=$W/results            # lines: tunnel metric value
: > "$R"
LOG=$W/log
: > "$LOG"
PIDS=""                 # every long-lived process started here

say () { echo "bench: $*" >&2; }
die () { echo "bench: fatal: $*" >&2; exit 111; }
put () { echo "$1 $2 $3" >> "$R"; }

# ---- process handling --------------------------------------------------

# kill_tree PID...: TERM the trees rooted at the pids, then KILL what is
# left after 2 s. Only processes this script started (and their
# descendants) are ever passed here.
kill_tree () {
  [ $# -gt 0 ] || return 0
  _kt_t=$("$W/treestat" pids "$@" 2>/dev/null)
  [ -n "$_kt_t" ] && kill -TERM $_kt_t 2>/dev/null
  _kt_i=0
  while [ $_kt_i -lt 40 ]; do
    _kt_t=$("$W/treestat" pids "$@" 2>/dev/null)
    [ -z "$_kt_t" ] && break
    sleep 0.05; _kt_i=$((_kt_i + 1))
  done
  _kt_t=$("$W/treestat" pids "$@" 2>/dev/null)
  [ -n "$_kt_t" ] && kill -KILL $_kt_t 2>/dev/null
  for _kt_p in "$@"; do wait "$_kt_p" 2>/dev/null; done
  return 0
}

cleanup () {
  # shellcheck disable=SC2086
  kill_tree $PIDS
  rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_file FILE: until FILE is non-empty, at most 5 s.
wait_file () {
  _wf_i=0
  while [ ! -s "$1" ] && [ $_wf_i -lt 100 ]; do sleep 0.05; _wf_i=$((_wf_i + 1)); done
  [ -s "$1" ]
}

# port_of ROOTPID: the TCP port on 127.0.0.1 that some process of the tree
# listens on (the tool bound port 0). At most 5 s.
port_of () {
  _po_i=0
  while [ $_po_i -lt 100 ]; do
    for _po_p in $("$W/treestat" pids "$1"); do
      _po_port=$(ss -Hltnp 2>/dev/null | grep "pid=$_po_p," | awk '{print $4}' | sed -n 's/^127\.0\.0\.1:\([0-9]*\)$/\1/p' | head -n 1)
      [ -n "$_po_port" ] && { echo "$_po_port"; return 0; }
    done
    sleep 0.05; _po_i=$((_po_i + 1))
  done
  return 1
}

# tcpserver_start OUTVAR_PREFIX prog...: tcpserver on 127.0.0.1:0 (-1
# prints the port), server CPU. Sets TS_PID, TS_PORT.
N=0
tcpserver_start () {
  N=$((N + 1))
  _ts_f=$W/port.$N
  rm -f "$_ts_f"
  taskset -c 0 tcpserver -1 -R -H -l0 -c 400 -b 128 127.0.0.1 0 "$@" > "$_ts_f" 2>> "$LOG" &
  TS_PID=$!
  PIDS="$PIDS $TS_PID"
  wait_file "$_ts_f" || die "tcpserver did not start: $*"
  TS_PORT=$(head -n 1 "$_ts_f")
}

# mc_start SOCKET CPU: a fresh memcached on a Unix socket, on that CPU;
# its pid in MC_PID.
mc_start () {
  rm -f "$1"
  _mc_u=; [ "$(id -u)" = 0 ] && _mc_u="-u root"
  # shellcheck disable=SC2086
  taskset -c "$2" memcached $_mc_u -m 64 -t 1 -U 0 -s "$1" 2>> "$LOG" &
  MC_PID=$!
  PIDS="$PIDS $MC_PID"
  _mc_i=0
  while [ ! -S "$1" ] && [ $_mc_i -lt 100 ]; do sleep 0.05; _mc_i=$((_mc_i + 1)); done
  [ -S "$1" ] || die "memcached did not start"
}

# ---- tunnels -----------------------------------------------------------
#
# tunnel_start NAME CERT APP...: starts tunnel NAME with certificate CERT
# (ec|rsa) in front of the application. Sets PORT and ROOTS (the pids
# whose process trees are the server side: tunnel, backend, application).

CIPHERS=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305

tunnel_start () {
  _tu_name=$1; _tu_cert=$2; shift 2
  _tu_crt=$W/pki/$_tu_cert.chain.pem; _tu_key=$W/pki/$_tu_cert.key
  case $_tu_name in
    ours)
      # RESUME=1: a fresh session cache for this tunnel
      _tu_sc=
      [ "${RESUME:-0}" = 1 ] && _tu_sc=$W/sessions.$N
      CERTFILE=$_tu_crt KEYFILE=$_tu_key TLS_SESSION_CACHE=$_tu_sc tcpserver_start "$W/tlsd" "$@"
      PORT=$TS_PORT; ROOTS=$TS_PID ;;
    ours-mc)
      # the same, with the sessions in a fresh memcached (Unix socket,
      # on the server's CPU: its CPU time counts as the server's)
      head -c 32 /dev/urandom > "$W/mc.key"
      mc_start "$W/mc.sock" 0
      _tu_mc=$MC_PID
      CERTFILE=$_tu_crt KEYFILE=$_tu_key TLS_SESSION_CACHE=memcached:$W/mc.sock TLS_SESSION_KEYFILE=$W/mc.key \
        tcpserver_start "$W/tlsd" "$@"
      PORT=$TS_PORT; ROOTS="$TS_PID $_tu_mc" ;;
    floor)
      tcpserver_start "$W/relay" "$@"
      PORT=$TS_PORT; ROOTS=$TS_PID ;;
    stunnel-exec|stunnel-conn)
      _tu_c=$W/stunnel.$N.conf
      {
        echo "foreground = yes"; echo "pid ="; echo "syslog = no"; echo "debug = 3"
        echo "[bench]"; echo "accept = 127.0.0.1:0"
        echo "cert = $_tu_crt"; echo "key = $_tu_key"; echo "ciphers = $CIPHERS"
        echo "sslVersionMin = TLSv1.2"; echo "sslVersionMax = TLSv1.2"
      } > "$_tu_c"
      ROOTS=
      if [ "$_tu_name" = stunnel-exec ]; then
        echo "exec = $1" >> "$_tu_c"
        shift
        echo "execArgs = benchapp $*" >> "$_tu_c"
      else
        tcpserver_start "$@"
        ROOTS=$TS_PID
        echo "connect = 127.0.0.1:$TS_PORT" >> "$_tu_c"
      fi
      taskset -c 0 stunnel4 "$_tu_c" 2>> "$LOG" &
      _tu_p=$!; PIDS="$PIDS $_tu_p"; ROOTS="$ROOTS $_tu_p"
      PORT=$(port_of $_tu_p) || die "stunnel did not start" ;;
    hitch)
      tcpserver_start "$@"
      ROOTS=$TS_PID
      _tu_c=$W/hitch.$N.conf
      {
        echo "frontend = \"[127.0.0.1]:0\""; echo "backend = \"[127.0.0.1]:$TS_PORT\""
        echo "pem-file = \"$W/pki/$_tu_cert.hitch.pem\""; echo "ciphers = \"$CIPHERS\""
        echo "tls-protos = TLSv1.2"; echo "prefer-server-ciphers = on"
        echo "workers = 1"; echo "daemon = off"; echo "user = \"nobody\""; echo "group = \"nogroup\""
      } > "$_tu_c"
      taskset -c 0 hitch --config="$_tu_c" >> "$LOG" 2>&1 &
      _tu_p=$!; PIDS="$PIDS $_tu_p"; ROOTS="$ROOTS $_tu_p"
      PORT=$(port_of $_tu_p) || die "hitch did not start" ;;
    socat)
      taskset -c 0 socat "OPENSSL-LISTEN:0,bind=127.0.0.1,reuseaddr,fork,backlog=128,cert=$W/pki/$_tu_cert.hitch.pem,verify=0,cipher=$CIPHERS,min-version=TLS1.2,max-version=TLS1.2" "EXEC:$*" 2>> "$LOG" &
      _tu_p=$!; PIDS="$PIDS $_tu_p"; ROOTS=$_tu_p
      PORT=$(port_of $_tu_p) || die "socat did not start" ;;
    *) die "unknown tunnel $_tu_name" ;;
  esac
}

tunnel_stop () {
  # shellcheck disable=SC2086
  kill_tree $ROOTS
  forget $ROOTS
}

# forget PID...: drop ended pids from PIDS, so that cleanup never
# signals a pid that the system may have given to someone else since.
forget () {
  _fg_keep=
  for _fg_p in $PIDS; do
    _fg_drop=0
    for _fg_q in "$@"; do [ "$_fg_p" = "$_fg_q" ] && _fg_drop=1; done
    [ $_fg_drop = 0 ] && _fg_keep="$_fg_keep $_fg_p"
  done
  PIDS=$_fg_keep
}

# settle: until the server trees are back to their idle process count
# (every connection's processes exited and reaped), at most 3 s.
settle () {
  _se_i=0
  while [ $_se_i -lt 60 ]; do
    # shellcheck disable=SC2086
    _se_n=$("$W/treestat" pids $ROOTS | wc -l)
    [ "$_se_n" -le "$BASEPROCS" ] && return 0
    sleep 0.05; _se_i=$((_se_i + 1))
  done
  return 1
}

base_procs () {
  sleep 0.1
  # shellcheck disable=SC2086
  BASEPROCS=$("$W/treestat" pids $ROOTS | wc -l)
}

# kv KEY LINE: the value of KEY=value in LINE.
kv () { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1; }

client () { taskset -c 1 "$W/tlsload" -T 120 "$@" 2>> "$LOG"; }

tlsopts () { # tunnel cert suite
  if [ "$1" = floor ]; then echo "-P"; else echo "-c $W/pki/$2.pem -s $3"; fi
}

# ---- measurements ------------------------------------------------------

# bulk TUNNEL SUITE DIR BYTES: DIR = up | down | duplex
bulk () {
  t=$1; s=$2; d=$3; n=$4
  case $d in
    up) app="sink $n"; flag="-u $n" ;;
    down) app="source $n"; flag="-d $n" ;;
    duplex) app="echo"; flag="-x $n" ;;
  esac
  # shellcheck disable=SC2086
  tunnel_start "$t" ec "$W/benchapp" $app
  base_procs
  c0=$("$W/treestat" cpu $ROOTS)
  # shellcheck disable=SC2086
  line=$(client -p "$PORT" $(tlsopts "$t" ec "$s") bulk $flag)
  settle
  c1=$("$W/treestat" cpu $ROOTS)
  tunnel_stop
  echo "$t bulk $s $d: $line" >> "$LOG"
  mbps=$(kv mbps "$line"); ok=$(kv ok "$line")
  if [ "$ok" != 1 ]; then say "$t bulk $s $d failed: $line"; put "$t" "bulk_${s}_$d" FAIL; return; fi
  tot=$n; [ "$d" = duplex ] && tot=$((2 * n))
  cpg=$(awk -v a="$c0" -v b="$c1" -v n="$tot" 'BEGIN { printf "%.2f", (b - a) / (n / 1073741824) }')
  secs=$(kv secs "$line")
  util=$(awk -v a="$c0" -v b="$c1" -v s="$secs" 'BEGIN { printf "%.0f", 100 * (b - a) / s }')
  put "$t" "bulk_${s}_$d" "$mbps"
  put "$t" "cpug_${s}_$d" "$cpg"
  put "$t" "util_${s}_$d" "$util"
  put "$t" "ccpu_${s}_$d" "$(kv client_cpu_pct "$line")"
  say "$t bulk $s $d: $mbps MB/s, $cpg server CPU-s/GiB (server ${util}% of a core, client $(kv client_cpu_pct "$line")%)"
}

# hs TUNNEL CERT: handshakes/s at 1, 2, 4 concurrent clients
hs () {
  t=$1; k=$2
  # shellcheck disable=SC2086
  tunnel_start "$t" "$k" "$W/benchapp" ping
  for c in 1 2 4; do
    # shellcheck disable=SC2086
    line=$(client -p "$PORT" $(tlsopts "$t" "$k" aes) hs -C $c -D "$HSDUR")
    echo "$t hs $k $c: $line" >> "$LOG"
    r=$(kv rate "$line"); e=$(kv errors "$line")
    put "$t" "hs_${k}_$c" "${r:-FAIL}"
    put "$t" "hsccpu_${k}_$c" "$(kv client_cpu_pct "$line")"
    put "$t" "curve_$k" "$(kv curve "$line")"
    say "$t hs $k x$c: $r/s (errors $e, client CPU $(kv client_cpu_pct "$line")%, curve $(kv curve "$line"))"
    sleep 0.2
  done
  tunnel_stop
}

# hsr TUNNEL CERT: the client offers each slot's previous session
# (tlsload -r): connections/s at 1 and 4 clients, the share the server
# resumed, and server CPU ms per connection (all processes of the
# server trees, reaped children included).
hsr () {
  t=$1; k=$2
  # shellcheck disable=SC2086
  RESUME=1 tunnel_start "$t" "$k" "$W/benchapp" ping
  base_procs
  for c in 1 4; do
    # shellcheck disable=SC2086
    c0=$("$W/treestat" cpu $ROOTS)
    # shellcheck disable=SC2086
    line=$(client -p "$PORT" -r $(tlsopts "$t" "$k" aes) hs -C $c -D "$HSDUR")
    settle
    # shellcheck disable=SC2086
    c1=$("$W/treestat" cpu $ROOTS)
    echo "$t hsr $k $c: $line" >> "$LOG"
    r=$(kv rate "$line"); n=$(kv completed "$line"); res=$(kv resumed "$line")
    pct=$(awk -v a="$res" -v n="$n" 'BEGIN { if (n > 0) printf "%.0f", 100 * a / n; else print "FAIL" }')
    ms=$(awk -v a="$c0" -v b="$c1" -v n="$n" 'BEGIN { if (n > 0) printf "%.3f", 1000 * (b - a) / n; else print "FAIL" }')
    put "$t" "hsr_${k}_$c" "${r:-FAIL}"
    put "$t" "hsrpct_${k}_$c" "$pct"
    put "$t" "hsrcpu_${k}_$c" "$ms"
    say "$t resumed-offer hs $k x$c: $r/s, $pct% resumed, server CPU $ms ms/connection (errors $(kv errors "$line"))"
    sleep 0.2
  done
  tunnel_stop
}

# lat TUNNEL: connect -> first application byte, ECDSA
lat () {
  t=$1
  tunnel_start "$t" ec "$W/benchapp" greet
  # shellcheck disable=SC2086
  line=$(client -p "$PORT" $(tlsopts "$t" ec aes) lat -n "$LATN")
  tunnel_stop
  echo "$t lat: $line" >> "$LOG"
  put "$t" lat_med "$(kv lat_med_ms "$line")"
  put "$t" lat_p99 "$(kv lat_p99_ms "$line")"
  say "$t latency: median $(kv lat_med_ms "$line") ms, p99 $(kv lat_p99_ms "$line") ms"
}

# mem TUNNEL: PSS/RSS of the server side for 1 and IDLEN idle connections,
# minus the same with no connection.
mem () {
  t=$1
  tunnel_start "$t" ec "$W/benchapp" greet
  base_procs
  # shellcheck disable=SC2086
  set -- $("$W/treestat" mem $ROOTS)
  bpss=$1; brss=$2; bapp=$4
  for n in 1 "$IDLEN"; do
    f=$W/idle.$t.$n
    # shellcheck disable=SC2046
    taskset -c 1 "$W/tlsload" -T 60 -p "$PORT" $(tlsopts "$t" ec aes) idle -n "$n" -H 60 > "$f" 2>> "$LOG" &
    lp=$!
    i=0
    while ! grep -q '^ready' "$f" 2>/dev/null && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
    # idle means idle: past tlsd's UTLS_IDLE_RELEASE (1 s)
    sleep 1.5
    # shellcheck disable=SC2086
    set -- $("$W/treestat" mem $ROOTS)
    ready=$(sed -n 's/^ready \([0-9]*\).*/\1/p' "$f")
    kill -TERM $lp 2>/dev/null; wait $lp 2>/dev/null
    settle
    dp=$(( $1 - bpss )); dr=$(( $2 - brss )); da=$(( $4 - bapp ))
    echo "$t mem $n: ready=$ready pss=$1 rss=$2 procs=$3 app_pss=$4 base_pss=$bpss base_rss=$brss base_app_pss=$bapp" >> "$LOG"
    if [ "${ready:-0}" != "$n" ]; then say "$t mem: only ${ready:-0} of $n connections came up"; fi
    if [ "$n" = 1 ]; then put "$t" mem1_pss "$dp"; put "$t" mem1_rss "$dr"
    else
      put "$t" memN_pss "$dp"; put "$t" memN_per "$(( dp / n ))"
      put "$t" memN_app "$(( da / n ))"; put "$t" memN_tun "$(( (dp - da) / n ))"
    fi
    say "$t memory, $n idle: PSS +$dp KiB (application +$da), RSS +$dr KiB"
  done
  tunnel_stop
}

# ---- setup -------------------------------------------------------------

t_start=$(date +%s)
for p in tcpserver stunnel4 hitch socat ss taskset openssl cc; do
  command -v $p >/dev/null 2>&1 || die "$p is needed (apt-get install ucspi-tcp stunnel4 hitch socat iproute2 util-linux openssl gcc)"
done
[ -x "$top/src/tls/tlsd" ] || die "build tlsd first (make)"

say "building in $W"
# A private copy of tlsd: a rebuild of the tree during the run (other
# work on the same machine) must not change or break the binary measured.
cp "$top/src/tls/tlsd" "$W/tlsd" || die "copy tlsd"
# How tlsd is linked, from its program headers (file(1) may be missing
# or word it differently): an interpreter means dynamic; else a PIE
# (type DYN) is static-pie, and the rest is static.
if readelf -lW "$top/src/tls/tlsd" 2>/dev/null | grep -q 'INTERP'; then TLSD_LINK="dynamically linked"
elif readelf -hW "$top/src/tls/tlsd" 2>/dev/null | grep -q 'Type:.*DYN'; then TLSD_LINK="static PIE (libc included)"
else TLSD_LINK="statically linked"; fi
TLSD_ID="$TLSD_LINK, built $(date -u -r "$top/src/tls/tlsd" '+%Y-%m-%d %H:%M UTC')"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
CC=${CC:-cc}
$CC -O2 -Wall -o "$W/cryptospeed" "$here/cryptospeed.c" -lbearssl || die "build cryptospeed"
$CC -O2 -Wall -o "$W/tlsload" "$here/tlsload.c" -lbearssl || die "build tlsload"
$CC -O2 -Wall -o "$W/treestat" "$here/treestat.c" || die "build treestat"
$CC -O2 -Wall -I"$top/src/include" -o "$W/cachecost" "$here/cachecost.c" "$top/libutls.a" -lbearssl -lskarnet || die "build cachecost"
$CC -O2 -Wall -fPIE -pie -o "$W/relay" "$here/relay.c" || die "build relay"
$CC -O2 -Wall -static -o "$W/benchapp" "$here/benchapp.c" 2>/dev/null \
  || $CC -O2 -Wall -o "$W/benchapp" "$here/benchapp.c" || die "build benchapp"

say "generating the test PKI"
sh "$top/tests/pki/gen.sh" "$W/pki" || die "PKI generation failed"
for k in ec rsa; do cat "$W/pki/$k.key" "$W/pki/$k.chain.pem" > "$W/pki/$k.hitch.pem"; done

say "BearSSL crypto speed (cryptospeed, one core)"
taskset -c 0 "$W/cryptospeed" "$W/pki/rsa.key" "$W/pki/ec.key" > "$W/crypto" || die "cryptospeed failed"
cat "$W/crypto" >&2
CKV=$(sed -n 's/^KV //p' "$W/crypto")

TUNNELS="ours stunnel-exec stunnel-conn hitch socat floor"
TLS_TUNNELS="ours stunnel-exec stunnel-conn hitch socat"

# ---- runs --------------------------------------------------------------

resume_runs () {
  for t in ours ours-mc stunnel-exec hitch socat; do hsr "$t" ec; hsr "$t" rsa; done
  hsr floor ec
  # the cache itself: on tmpfs, as the documentation advises
  _cc=$(mktemp -u /dev/shm/utls-cachecost.XXXXXX)
  CACHECOST=$(taskset -c 0 "$W/cachecost" "$_cc" 500)
  rm -f "$_cc"
  say "session cache cost: $CACHECOST"
  # and through memcached (Unix socket, its own CPU)
  mc_start "$W/mccost.sock" 1
  MCCOST=$(taskset -c 0 "$W/cachecost" "memcached:$W/mccost.sock" 500) || MCCOST=FAIL
  kill_tree "$MC_PID"
  forget "$MC_PID"
  say "memcached session store cost: $MCCOST"
}

if [ "$ONLY" = resume ]; then
  resume_runs
  t_end=$(date +%s)
  {
    echo "# ucspi-tls: session resumption benchmarks"
    echo
    echo "Generated by \`ONLY=resume bench/run.sh\` (\`make bench-resume\`) on $(date -u '+%Y-%m-%d %H:%M UTC'), in $((t_end - t_start)) s; $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) CPUs. tlsd: $TLSD_ID. Load average at start: $LOAD0, at end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    echo "Client: bench/tlsload -r: each of the 1 or 4 client slots offers the session of its previous connection (session IDs: BearSSL has no tickets), $HSDUR s per point; a connection is a handshake plus a 1-byte request and reply. Server side on CPU 0, client on CPU 1. ours = tcpserver + tlsd with TLS_SESSION_CACHE (a fresh file); ours-mc = the same with TLS_SESSION_CACHE=memcached:SOCKET (a fresh memcached on a Unix socket, sealed entries; memcached's CPU counted as the server's); stunnel-exec = stunnel4 exec= (its default session cache); hitch (1 worker: OpenSSL's own in-process session cache; Debian's hitch has no shared cache); socat OPENSSL-LISTEN,fork (each connection's child has its own cache); floor = no TLS (tcpserver + relay)."
    echo
    echo "| metric | ours | ours-mc | stunnel-exec | hitch | socat | floor |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    awk '{ V[$1 SUBSEP $2] = $3 }
      function v(t, m,   k) { k = t SUBSEP m; return (k in V) ? V[k] : "-" }
      END {
        split("ec rsa", K, " ")
        for (i = 1; i <= 2; i++) for (c = 1; c <= 4; c *= 4) {
          k = K[i]
          printf "| connections/s %s, %d client%s, session offered |", (k == "ec" ? "ECDSA" : "RSA"), c, (c > 1 ? "s" : "")
          split("ours ours-mc stunnel-exec hitch socat floor", T, " ")
          for (j = 1; j <= 6; j++) printf " %s |", v(T[j], "hsr_" k "_" c); printf "\n"
          printf "|   resumed by the server, %% |"
          for (j = 1; j <= 6; j++) printf " %s |", (T[j] == "floor" ? "-" : v(T[j], "hsrpct_" k "_" c)); printf "\n"
          printf "|   server CPU ms per connection |"
          for (j = 1; j <= 6; j++) printf " %s |", v(T[j], "hsrcpu_" k "_" c); printf "\n"
        }
      }' "$R"
    echo
    echo "Session cache cost (bench/cachecost, file on /dev/shm, server CPU): $CACHECOST"
    echo
    echo "Through memcached (bench/cachecost memcached:SOCKET, wall time, memcached on the other CPU): $MCCOST"
    echo
    echo "- open_us: open + fstat + pread + mmap + close of the file (once per connection, before the handshake)."
    echo "- cold_us: one lookup + one store in a process that has just mapped the file (what a connection pays: page faults on the header, the bucket and the swept slot included); median and p90 of fresh processes."
    echo "- warm_us: the same once those pages are mapped (the cache's own code: two keyed SHA-256 bucket hashes, a checksum check and a checksum write)."
    echo "- mc_cold_us: connect + one fetch (a miss) + one store (sealed, noreply) in a fresh process, wall time (mc_cold_cpu_us: that process's CPU time); mc_warm_us: a hit (get, unseal, parse) + a store on a kept connection."
    echo
    echo "## Raw client lines"
    echo
    echo '```'
    grep -E '^(ours|ours-mc|stunnel-exec|hitch|socat|floor) hsr ' "$LOG"
    echo '```'
  } > "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
  say "wrote $OUT ($((t_end - t_start)) s)"
  exit 0
fi

for t in $TUNNELS; do
  for d in up down duplex; do bulk "$t" aes "$d" "$BULK"; done
done
for t in ours stunnel-conn hitch; do
  for d in up down; do bulk "$t" chacha "$d" "$CHACHA_BULK"; done
done
for t in $TLS_TUNNELS; do hs "$t" ec; hs "$t" rsa; done
hs floor ec
for c in 1 2 4; do put floor "hs_rsa_$c" "$(awk -v t=floor -v m="hs_ec_$c" '$1 == t && $2 == m { v = $3 } END { print v }' "$R")"; done
for t in $TUNNELS; do lat "$t"; done
for t in $TUNNELS; do mem "$t"; done

t_end=$(date +%s)
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report ------------------------------------------------------------

cpu_model=$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)
ncpu=$(nproc)
kernel=$(uname -sr)
osrel=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
ver () { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "?"; }
hsms=$(sed -n 's/^server_hs_crypto_ecdsa_x25519 \([0-9.]*\) ms/\1/p' "$W/crypto")
rsams=$(sed -n 's/^server_hs_crypto_rsa_x25519 \([0-9.]*\) ms/\1/p' "$W/crypto")

{
  echo "# ucspi-tls benchmarks"
  echo
  echo "Generated by \`bench/run.sh\`$( [ "$QUICK" = 1 ] && echo ' (QUICK=1: smaller sizes, shorter runs)') on $(date -u '+%Y-%m-%d %H:%M UTC'), in $((t_end - t_start)) s."
  echo
  echo "- Machine: $cpu_model, $ncpu CPUs; $kernel; $osrel"
  echo "- Versions: ucspi-tls $(sed -n 's/^version := //p' "$top/config.mak" 2>/dev/null), BearSSL $(ver libbearssl0), skalibs $(ver libskarnet2.13), ucspi-tcp $(ver ucspi-tcp), stunnel4 $(ver stunnel4), hitch $(ver hitch), socat $(ver socat), OpenSSL $(ver libssl3)"
  echo "- tlsd measured: $TLSD_ID (copied at start). Load average (1/5/15 min) at start: $LOAD0, at end: $LOAD1 (other work on the machine shows here)."
  echo "- Server side pinned to CPU 0 (taskset -c 0: tunnel, backend tcpserver and application), client to CPU 1."
  echo "- Client: bench/tlsload (BearSSL, one process, non-blocking, 16 KiB records, TLS 1.2, suite forced to ECDHE-{ECDSA,RSA}-AES128-GCM-SHA256 unless marked ChaCha20; offers X25519 and P-256). It reuses one client ECDHE scalar and skips the ECDSA signature check (a load generator, verifying nothing), so a handshake costs it one ECDH op; its CPU use is in the log columns below."
  echo "- Application (same behind every tunnel): bench/benchapp, static: sink/source/echo for bulk, read-1-write-1 for handshakes, an immediate 1-byte greeting for latency and memory."
  echo "- Tunnels: **ours** = tcpserver -R -H -l0 + tlsd; **stunnel-exec** = stunnel4 exec= mode (forks the application); **stunnel-conn** = stunnel4 connect= to tcpserver + application; **hitch** = hitch (1 worker) to tcpserver + application; **socat** = socat OPENSSL-LISTEN,fork EXEC:application; **floor** = no TLS: tcpserver + bench/relay (tlsd's shape: one fork, pipes, poll loop) + application."
  echo "- Server CPU-s/GiB: delta of utime+stime+cutime+cstime (/proc/PID/stat) summed over the server's process trees (tunnel, backend, application; reaped children through cutime/cstime), per GiB of payload (duplex: both directions counted)."
  echo "- Memory: PSS/RSS summed over every process of the server trees (/proc/PID/smaps_rollup) with N idle TLS connections (greeting received, then 1.5 s idle), minus the same with none. The application's part (benchapp processes) is also shown on its own: it is the same program behind every tunnel, and the issue's reference figures (hitch 61 KiB, tcpserver + relay 66 KiB per connection) are the tunnel's cost, so target 4 is checked on the tunnel's part; the row with the application counted is kept beside it."
  echo "- Bulk: $((BULK / 1048576)) MiB per AES run ($((CHACHA_BULK / 1048576)) MiB ChaCha20), ECDSA P-256 certificate. Handshakes: $HSDUR s per point, full handshakes (no resumption), each with a 1-byte request and reply. Latency: $LATN sequential connections."
  echo
  echo "## BearSSL on this machine (bench/cryptospeed, one core)"
  echo
  echo '```'
  grep -v '^KV' "$W/crypto"
  echo '```'
  echo
  echo "## Results"
  echo
  awk -v tunnels="$TUNNELS" -v peers="stunnel-exec stunnel-conn hitch socat" '
    BEGIN {
      nt = split(tunnels, T, " "); np = split(peers, P, " ")
      # metric, label, higher-is-better (1) or lower (0)
      m = 0
      M[++m] = "bulk_aes_up";   L[m] = "bulk AES-GCM client->server, MB/s"; H[m] = 1
      M[++m] = "cpug_aes_up";   L[m] = "  server CPU-s/GiB"; H[m] = 0
      M[++m] = "bulk_aes_down"; L[m] = "bulk AES-GCM server->client, MB/s"; H[m] = 1
      M[++m] = "cpug_aes_down"; L[m] = "  server CPU-s/GiB"; H[m] = 0
      M[++m] = "bulk_aes_duplex"; L[m] = "bulk AES-GCM both ways at once, MB/s each way"; H[m] = 1
      M[++m] = "cpug_aes_duplex"; L[m] = "  server CPU-s/GiB (both directions)"; H[m] = 0
      M[++m] = "bulk_chacha_up"; L[m] = "bulk ChaCha20-Poly1305 client->server, MB/s"; H[m] = 1
      M[++m] = "cpug_chacha_up"; L[m] = "  server CPU-s/GiB"; H[m] = 0
      M[++m] = "bulk_chacha_down"; L[m] = "bulk ChaCha20-Poly1305 server->client, MB/s"; H[m] = 1
      M[++m] = "cpug_chacha_down"; L[m] = "  server CPU-s/GiB"; H[m] = 0
      M[++m] = "hs_ec_1"; L[m] = "handshakes/s ECDSA P-256, 1 client"; H[m] = 1
      M[++m] = "hs_ec_2"; L[m] = "handshakes/s ECDSA P-256, 2 clients"; H[m] = 1
      M[++m] = "hs_ec_4"; L[m] = "handshakes/s ECDSA P-256, 4 clients"; H[m] = 1
      M[++m] = "hs_rsa_1"; L[m] = "handshakes/s RSA-2048, 1 client"; H[m] = 1
      M[++m] = "hs_rsa_2"; L[m] = "handshakes/s RSA-2048, 2 clients"; H[m] = 1
      M[++m] = "hs_rsa_4"; L[m] = "handshakes/s RSA-2048, 4 clients"; H[m] = 1
      M[++m] = "curve_ec"; L[m] = "  ECDHE group chosen by the server"; H[m] = -1
      M[++m] = "lat_med"; L[m] = "latency connect->first byte, median ms"; H[m] = 0
      M[++m] = "lat_p99"; L[m] = "latency connect->first byte, p99 ms"; H[m] = 0
      M[++m] = "mem1_pss"; L[m] = "memory, 1 idle connection, PSS KiB"; H[m] = 0
      M[++m] = "mem1_rss"; L[m] = "memory, 1 idle connection, RSS KiB"; H[m] = 0
      M[++m] = "memN_pss"; L[m] = "memory, IDLEN idle connections, PSS KiB"; H[m] = 0
      M[++m] = "memN_per"; L[m] = "  PSS KiB per idle connection"; H[m] = 0
      M[++m] = "memN_app"; L[m] = "    of which the application (benchapp)"; H[m] = -1
      M[++m] = "memN_tun"; L[m] = "    of which the tunnel (all but the application)"; H[m] = 0
      nm = m
    }
    { V[$1 SUBSEP $2] = $3 }
    END {
      printf "| metric |"; for (i = 1; i <= nt; i++) printf " %s |", T[i]; printf " best peer | ours / best peer |\n"
      printf "|---|"; for (i = 1; i <= nt; i++) printf "---:|"; printf "---|---:|\n"
      for (m = 1; m <= nm; m++) {
        lab = L[m]; gsub("IDLEN", idlen, lab)
        printf "| %s |", lab
        for (i = 1; i <= nt; i++) { k = T[i] SUBSEP M[m]; printf " %s |", (k in V) ? V[k] : "-" }
        best = ""; bv = ""
        if (H[m] >= 0) for (j = 1; j <= np; j++) {
          k = P[j] SUBSEP M[m]
          if (!(k in V) || V[k] == "FAIL" || V[k] == "") continue
          v = V[k] + 0
          if (bv == "" || (H[m] ? v > bv : v < bv)) { bv = v; best = P[j] }
        }
        k = "ours" SUBSEP M[m]
        if (best != "" && (k in V) && V[k] != "FAIL" && bv > 0) printf " %s | %.2f |\n", best, V[k] / bv
        else printf " %s | - |\n", (best == "" ? "-" : best)
      }
    }' idlen="$IDLEN" "$R"
  echo
  echo "Ratios: ours divided by the best peer (for MB/s and handshakes/s above 1 is better; for CPU-s/GiB, latency and memory below 1 is better)."
  echo
  echo "## Targets (issue 4)"
  echo
  awk -v crypto="$hsms" '
    { V[$1 SUBSEP $2] = $3 }
    # g: the value, or -1 when it was not measured or the run failed
    function g(t, m,   k) { k = t SUBSEP m; return (k in V) && V[k] != "FAIL" && V[k] != "" ? V[k] + 0 : -1 }
    # best of a list of tunnels: highest (hi = 1) or lowest, -1 if none
    function best(list, m, hi,   n, L, i, v, b) {
      b = -1; n = split(list, L, " ")
      for (i = 1; i <= n; i++) { v = g(L[i], m); if (v < 0) continue; if (b < 0 || (hi ? v > b : v < b)) b = v }
      return b
    }
    function row(label, o, req, ok, ratio_to,   gap) {
      if (o < 0) { printf "| %s | FAIL | %s | **missed** | - |\n", label, req; return }
      if (req == "") { printf "| %s | %s | (no peer figure) | n/a | - |\n", label, o; return }
      gap = ok ? "-" : sprintf("%.2f (%.0f%%)", o - req, req > 0 ? 100 * (o - req) / req : 0)
      printf "| %s | %s%s | %s | %s | %s |\n", label, o, (ratio_to > 0 ? sprintf(" (%.2fx)", o / ratio_to) : ""), req, (ok ? "**met**" : "**missed**"), gap
    }
    END {
      print "| target | measured (ratio) | required | verdict | gap (measured - required) |"
      print "|---|---|---|---|---|"
      split("up down duplex", D, " ")
      for (i = 1; i <= 3; i++) {
        d = D[i]; o = g("ours", "bulk_aes_" d); p = best("stunnel-exec stunnel-conn hitch", "bulk_aes_" d, 1)
        row("1. AES-GCM " d " MB/s >= 2x best of stunnel/hitch", o, p < 0 ? "" : sprintf("%.0f", 2 * p), o >= 2 * p, p)
        o = g("ours", "cpug_aes_" d); p = best("stunnel-exec stunnel-conn hitch", "cpug_aes_" d, 0)
        row("1. AES-GCM " d " CPU-s/GiB <= half of best stunnel/hitch", o, p < 0 ? "" : sprintf("%.2f", p / 2), o <= p / 2, p)
      }
      for (i = 1; i <= 2; i++) {
        d = D[i]; o = g("ours", "bulk_chacha_" d); p = best("stunnel-conn hitch", "bulk_chacha_" d, 1)
        row("1. ChaCha20 " d " MB/s >= 0.9x best of stunnel/hitch", o, p < 0 ? "" : sprintf("%.0f", 0.9 * p), o >= 0.9 * p, p)
      }
      split("ec rsa", K, " ")
      for (i = 1; i <= 2; i++) for (c = 1; c <= 4; c *= 2) {
        k = K[i]; o = g("ours", "hs_" k "_" c); f = g("floor", "hs_" k "_" c)
        row("2. handshakes/s " k " x" c " >= 0.85x no-TLS floor", o, f < 0 ? "" : sprintf("%.0f", 0.85 * f), o >= 0.85 * f, f)
        p = best("stunnel-exec socat", "hs_" k "_" c, 1)
        row("2. handshakes/s " k " x" c " >= 2x forking peers (stunnel-exec, socat)", o, p < 0 ? "" : sprintf("%.0f", 2 * p), o >= 2 * p, p)
      }
      o = g("ours", "lat_med"); f = g("floor", "lat_med")
      row(sprintf("3. latency median ms <= floor + BearSSL crypto (%.2f) + 1", crypto), o, f < 0 ? "" : sprintf("%.2f", f + crypto + 1), o <= f + crypto + 1, 0)
      o = g("ours", "lat_p99"); f = g("floor", "lat_p99")
      row("3. latency p99 ms <= floor p99 + crypto + 1", o, f < 0 ? "" : sprintf("%.2f", f + crypto + 1), o <= f + crypto + 1, 0)
      o = g("ours", "memN_tun")
      row("4. PSS KiB per idle connection, tunnel (engine included, application excluded) <= 100", o, "100", o <= 100, 0)
      o = g("ours", "memN_per")
      row("4. (for reference) the same with the application counted <= 100", o, "100", o <= 100, 0)
    }' "$R"
  echo
  echo "Crypto time in target 3 is the server side of an ECDSA P-256 + X25519 handshake measured by cryptospeed above (one ECDSA signature, two X25519 multiplications); RSA-2048 + X25519: $rsams ms."
  echo
  if [ -f "$here/NOTES.md" ]; then
    echo "## Analysis"
    echo
    echo "See bench/NOTES.md (profiles, syscall counts, recommendations)."
    echo
  fi
  echo "## Raw client lines"
  echo
  echo '```'
  grep -v '^$' "$LOG" | grep -E '^(ours|stunnel|hitch|socat|floor)' 
  echo '```'
} > "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
say "wrote $OUT ($((t_end - t_start)) s)"
