#!/bin/sh
# ISC license.
#
# bench/smtpd-starttls.sh (make bench-smtpd): what smtpd-starttls costs.
# One message of 10 MiB, then 40 MiB, through
#   A  tcpserver + ucspitlsd + smtpd-starttls + smtpd   (client: STARTTLS)
#   B  tcpserver + tlsd + smtpd                          (client: implicit TLS)
# The smtpd is mailfront's smtpfront-echo (PLUGINS=accept, TLS-unaware)
# in both, so B is the same TLS work and the same smtpd without the relay:
# A/B is the price of smtpd-starttls (its relay hop, its parsing, the
# second smtpd). CPU is the server side: ucspitlsd or tlsd and every
# descendant (bench/st-rusage.py around it, per connection). RUNS runs
# each (default 5), medians. Prints a table; nothing is written.
#
# Every process started here is remembered by pid and ended by pid.

set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
RUNS=${RUNS:-5}
PATH="$top/src/tls:$PATH"
export PATH

die () { echo "bench-smtpd: fatal: $*" >&2 ; exit 111 ; }
for p in tcpserver python3 openssl ; do
  command -v "$p" >/dev/null 2>&1 || die "$p not installed"
done
[ -x /usr/sbin/smtpfront-echo ] || die "mailfront (smtpfront-echo) not installed"
[ -x "$top/src/tls/smtpd-starttls" ] || die "build first (make)"

W=$(mktemp -d /tmp/utls-bench-smtpd.XXXXXX) || exit 111
pids=
cleanup () {
  for p in $pids ; do kill "$p" 2>/dev/null ; done
  for p in $pids ; do wait "$p" 2>/dev/null ; done
  rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost \
  -keyout "$W/key.pem" -out "$W/cert.pem" 2>/dev/null || die "openssl req failed"

# server NAME CMD...: tcpserver on 127.0.0.1, kernel-chosen port
server () {
  _n=$1
  shift
  env CERTFILE="$W/cert.pem" KEYFILE="$W/key.pem" PLUGINS=accept \
    tcpserver -1 -R -H -l0 127.0.0.1 0 python3 "$here/st-rusage.py" "$W/$_n.cpu" "$@" \
    > "$W/$_n.port" 2> "$W/$_n.err" &
  pids="$pids $!"
  _i=0
  while [ ! -s "$W/$_n.port" ] ; do
    _i=$((_i + 1)) ; [ $_i -le 250 ] || die "tcpserver $_n did not start"
    sleep 0.02
  done
}

server A ucspitlsd smtpd-starttls sh -c 'exec /usr/sbin/smtpfront-echo 2>/dev/null'
server B tlsd sh -c 'exec /usr/sbin/smtpfront-echo 2>/dev/null'

median () { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }' ; }

printf '| message | path | server CPU s (median of %s) | wall s | CPU ratio A/B |\n' "$RUNS"
printf '|---|---|---|---|---|\n'
for mib in 10 40 ; do
  for n in A B ; do
    : > "$W/$n.cpu"
    : > "$W/$n.wall"
    mode=starttls ; [ $n = B ] && mode=implicit
    port=$(head -n 1 "$W/$n.port")
    i=0
    while [ $i -lt "$RUNS" ] ; do
      i=$((i + 1))
      before=$(wc -l < "$W/$n.cpu")
      timeout 120 python3 "$here/st-client.py" "$mode" "$port" "$W/cert.pem" "$mib" >> "$W/$n.wall" \
        || die "client $n $mib MiB failed: $(tail -n 3 "$W/$n.err")"
      # the server's CPU line comes when its connection has ended
      _j=0
      while [ "$(wc -l < "$W/$n.cpu")" -le "$before" ] ; do
        _j=$((_j + 1)) ; [ $_j -le 500 ] || die "no CPU figure from $n"
        sleep 0.02
      done
    done
    eval "cpu_$n=\$(median < \"\$W/\$n.cpu\")"
    eval "wall_$n=\$(median < \"\$W/\$n.wall\")"
  done
  ratio=$(awk -v a="$cpu_A" -v b="$cpu_B" 'BEGIN { printf "%.2f", a / b }')
  printf '| %s MiB | A ucspitlsd+smtpd-starttls+smtpd | %s | %s | %s |\n' "$mib" "$cpu_A" "$wall_A" "$ratio"
  printf '| %s MiB | B tlsd+smtpd | %s | %s | |\n' "$mib" "$cpu_B" "$wall_B"
done
