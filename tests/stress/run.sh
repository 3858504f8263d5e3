#!/bin/sh
# ISC license.
#
# tests/stress/run.sh: the load part of the robustness suite (`make
# stress`; not part of `make check`; a few minutes at most).
#
# 1. tlsd under load: tcpserver -v -c 1100 -b 1100 -R -H -l0 on 127.0.0.1
#    (kernel-chosen port) runs "tlsd -v2 rbs-app server 262144"; one
#    Python process (tests/stress/rbs-client.py) opens STRESS_N (1000)
#    TLS connections at once, checks every tlsd and application process
#    and their descriptors while all are open, then sends 256 KiB of
#    random data each way on every connection, checked by SHA-256 at
#    both ends, and checks that every process is gone afterwards.
#    From tcpserver's log: exactly STRESS_N tlsd -v2 lines with the
#    right byte counts and a normal end, STRESS_N "end ... status 0",
#    no tlsd warning or fatal line, and tcpserver saw STRESS_N
#    connections at once.
# 2. tlsc under load: STRESS_C (100) "tcpclient ... tlsc rbs-app client"
#    at once against the same server, 256 KiB each way checked by
#    SHA-256 (rbs-app client also checks its own descriptors): each
#    exits 0, prints OK, says nothing on stderr, and is gone.
#
# Output: PASS/FAIL lines, info lines, then "N passed, N failed".
# Exit 1 if anything failed. Kills only the processes it started.

LC_ALL=C
export LC_ALL
top=$(cd "${0%/*}/../.." && pwd) || exit 99
cd "$top" || exit 99
N=${STRESS_N:-1000}
C=${STRESS_C:-100}
SZ=262144

ulimit -n 8192 || { echo "stress: cannot raise the descriptor limit to 8192" >&2 ; exit 99 ; }
for p in tcpserver tcpclient python3 ; do
  command -v "$p" >/dev/null 2>&1 || { echo "stress: $p not installed" >&2 ; exit 99 ; }
done
[ -x src/tls/tlsd ] && [ -x src/tls/tlsc ] || { echo "stress: build first (make)" >&2 ; exit 99 ; }

W=$(mktemp -d "${TMPDIR:-/tmp}/utls-stress.XXXXXX") || exit 99
srv=
cleanup ()
{
  if [ -n "$srv" ]
  then
    kill -TERM "$srv" 2>/dev/null
    wait "$srv" 2>/dev/null
  fi
  if [ -n "${UTLS_KEEP-}" ] ; then echo "stress: files kept in $W" >&2 ; else rm -rf "$W" ; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

passed=0
failed=0
verdict ()
{
  # verdict OK WHAT DETAIL
  if [ "$1" = 1 ]
  then
    echo "PASS $2"
    passed=$((passed + 1))
  else
    echo "FAIL $2: $3"
    failed=$((failed + 1))
  fi
}
count ()
{
  _n=$(grep -E -c -e "$1" "$2" 2>/dev/null) || _n=0
  echo "$_n"
}

t0=$(date +%s)
${CC:-cc} -O2 -o "$W/rbs-app" tests/stress/rbs-app.c -lbearssl || exit 99
sh tests/pki/gen.sh "$W/pki" >"$W/pki.log" 2>&1 || { cat "$W/pki.log" >&2 ; exit 99 ; }
P=$W/pki

# --- 1. tlsd: N connections at once
CERTFILE=$P/ec.chain.pem KEYFILE=$P/ec.key \
  "$W/rbs-app" exec tcpserver -v -1 -c 1100 -b 1100 -R -H -l0 127.0.0.1 0 \
  "$top/src/tls/tlsd" -v2 "$W/rbs-app" server "$SZ" >"$W/port" 2>"$W/tcpserver.log" &
srv=$!
i=0
while ! [ -s "$W/port" ]
do
  i=$((i + 1))
  if [ "$i" -gt 500 ] || ! kill -0 "$srv" 2>/dev/null
  then
    cat "$W/tcpserver.log" >&2
    echo "stress: tcpserver did not start" >&2
    exit 99
  fi
  sleep 0.02
done
port=$(head -n 1 "$W/port")
echo "info: tcpserver pid $srv port $port; $N connections, $SZ bytes each way"

python3 tests/stress/rbs-client.py --port "$port" --cafile "$P/ca.pem" --tcpserver "$srv" \
  --tlsd src/tls/tlsd --app "$W/rbs-app" -n "$N" --up "$SZ" --down "$SZ" --timeout 300 >"$W/client.out" 2>"$W/client.err"
grep -v '^[0-9]* passed, [0-9]* failed$' "$W/client.out"
if [ -s "$W/client.err" ]
then
  echo "rbs-client.py stderr:"
  sed 's/^/  | /' "$W/client.err"
fi
passed=$((passed + $(count '^PASS ' "$W/client.out")))
failed=$((failed + $(count '^FAIL ' "$W/client.out")))
[ -s "$W/client.out" ] && grep -q '^[0-9]* passed, [0-9]* failed$' "$W/client.out" || verdict 0 "rbs-client.py ran to its end" "see its stderr"

# what tcpserver and tlsd said
tl=$(printf 'RBS in=%s insha=%064d outsha=%064d fds=0:pipe,1:pipe,2:file\n' "$SZ" 0 0 | wc -c | tr -d ' ')
out=$((SZ + tl))
line="^tlsd: info: peer 127\.0\.0\.1:[0-9]+ protocol TLSv1\.2 cipher ECDHE-ECDSA-AES128-GCM-SHA256 sni localhost alpn - peer_subject \"-\" resumed Initial bytes_in $SZ bytes_out $out end eof-without-close_notify\$"
n=$(count "$line" "$W/tcpserver.log")
verdict "$([ "$n" = "$N" ] && echo 1)" "$N tlsd -v2 lines: all bytes, normal end" "$n lines; others: $(grep '^tlsd: info' "$W/tcpserver.log" | grep -v -E -e "$line" | head -n 3)"
n=$(count '^tlsd: (fatal|warning)' "$W/tcpserver.log")
verdict "$([ "$n" = 0 ] && echo 1)" "no tlsd warning or fatal line" "$n, e.g. $(grep -E '^tlsd: (fatal|warning)' "$W/tcpserver.log" | head -n 3)"
n=$(count '^tcpserver: end [0-9]+ status 0$' "$W/tcpserver.log")
verdict "$([ "$n" = "$N" ] && echo 1)" "$N tlsd exited 0" "$n; others: $(grep '^tcpserver: end' "$W/tcpserver.log" | grep -v ' status 0$' | head -n 3)"
maxc=$(sed -n 's|^tcpserver: status: \([0-9]*\)/1100$|\1|p' "$W/tcpserver.log" | sort -n | tail -n 1)
verdict "$([ "${maxc:-0}" -ge "$N" ] && echo 1)" "tcpserver had $N connections at once" "at most ${maxc:-0}"
lines1=$(count '^tlsd: info: ' "$W/tcpserver.log")
ends1=$(count '^tcpserver: end ' "$W/tcpserver.log")

# --- 2. tlsc: C clients at once
t1=$(date +%s)
pids=
i=0
while [ "$i" -lt "$C" ]
do
  i=$((i + 1))
  CAFILE=$P/ca.pem "$W/rbs-app" exec timeout -k 5 120 tcpclient -R -H -l0 127.0.0.1 "$port" \
    "$top/src/tls/tlsc" -k localhost "$W/rbs-app" client "$SZ" "$SZ" </dev/null >"$W/c$i.out" 2>"$W/c$i.err" &
  pids="$pids $!"
done
i=0
bad=0
ex=
for p in $pids
do
  i=$((i + 1))
  if wait "$p" ; then st=0 ; else st=$? ; fi
  if [ "$st" != 0 ] || [ "$(cat "$W/c$i.out")" != OK ] || [ -s "$W/c$i.err" ]
  then
    bad=$((bad + 1))
    [ -n "$ex" ] || ex="client $i: status $st, stdout '$(head -c 200 "$W/c$i.out")', stderr '$(head -c 300 "$W/c$i.err")'"
  fi
done
t2=$(date +%s)
echo "info: $C tlsc clients in $((t2 - t1)) s"
verdict "$([ "$bad" = 0 ] && echo 1)" "$C concurrent tlsc clients: exit 0, OK (SHA-256 both ways, own fds), silent" "$bad bad; $ex"
left=
for p in $pids
do
  if [ -d "/proc/$p" ] ; then left="$left $p" ; fi
done
verdict "$([ -z "$left" ] && echo 1)" "no tcpclient/tlsc process left" "left:$left"
# their tlsd: C more normal lines and exits, once they are done
i=0
while [ "$i" -lt 500 ]
do
  [ "$(count '^tcpserver: end ' "$W/tcpserver.log")" -ge $((ends1 + C)) ] && break
  i=$((i + 1))
  sleep 0.02
done
n=$(( $(count "$line" "$W/tcpserver.log") - N ))
verdict "$([ "$n" = "$C" ] && echo 1)" "$C more tlsd -v2 lines for the tlsc clients" "$n (of $(( $(count '^tlsd: info: ' "$W/tcpserver.log") - lines1 )) lines)"
n=$(( $(count '^tcpserver: end [0-9]+ status 0$' "$W/tcpserver.log") - N ))
verdict "$([ "$n" = "$C" ] && echo 1)" "their $C tlsd exited 0" "$n"
kids=$(cat "/proc/$srv/task/$srv/children" 2>/dev/null)
verdict "$([ -z "$kids" ] && echo 1)" "tcpserver has no child left" "$kids"
n=$(count '^tlsd: (fatal|warning)' "$W/tcpserver.log")
verdict "$([ "$n" = 0 ] && echo 1)" "still no tlsd warning or fatal line" "$n"

kill -TERM "$srv" 2>/dev/null
wait "$srv" 2>/dev/null
srv=
echo "info: total $(( $(date +%s) - t0 )) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
