#!/bin/sh
# ISC license.
# timeout: 60
#
# 63-proxy-tlsserver: tlsserver -B / -A put proxy-accept (from
# tlsserver's own directory) between the superserver and the engine,
# with -a for each -A and tlsserver's -v; -n gives proxy-accept
# ucspitlsd; s6-tcpserver works the same; a bad -A exits 100 at once.
# Then a real ucspitlsd chain behind proxy-accept: the UCSPI-TLS
# application starts in plaintext with the header's addresses.

. "${0%/*}/../lib.sh"

need tlsserver proxy-accept tcpserver timeout python3
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
HDR="$PY $UTLS_TOP/tests/helpers/proxy-hdr.py"
. "$UTLS_TOP/tests/helpers/ts-fake.sh"

run 0 "$TS" -W "$FAKE" -B 127.0.0.1 8443 prog arg
argv_is -H -R -l 0 -c 1000 127.0.0.1 8443 "$TSDIR/proxy-accept" "$TSDIR/tlsd" prog arg
[ ! -s "$T/err" ] || fail "tlsserver wrote on stderr: $(cat "$T/err")"

run 0 "$TS" -W "$FAKE" -A 10.0.0.2 -K 500 -A 2001:db8::/32 127.0.0.1 8443 prog
argv_is -H -R -l 0 -c 1000 127.0.0.1 8443 "$TSDIR/proxy-accept" -a 10.0.0.2 -a 2001:db8::/32 "$TSDIR/tlsd" -K 500 prog

run 0 "$TS" -W "$FAKE" -n -v 2 -A 10.0.0.0/8 127.0.0.1 25 smtpd
argv_is -H -R -l 0 -c 1000 127.0.0.1 25 "$TSDIR/proxy-accept" -v 2 -a 10.0.0.0/8 "$TSDIR/ucspitlsd" -v 2 smtpd

run 0 "$TS" -W "$S6" -B -c 5 127.0.0.1 0 prog
argv_is -c 5 127.0.0.1 0 "$TSDIR/proxy-accept" "$TSDIR/tlsd" prog

# Without -B/-A: no proxy-accept (as before)
run 0 "$TS" -W "$FAKE" 127.0.0.1 443 prog
expect_no_grep 'proxy-accept' "$T/out"

for a in 10.0.0.300 example.org 10.0.0.0/33 ::1/129 10.0.0.0/ 10.0.0.0/x ''; do
  run 100 "$TS" -W "$FAKE" -A "$a" 127.0.0.1 443 prog
  expect_eq "$(cat "$T/err")" "tlsserver: fatal: option -A needs an address[/prefixlen] of a trusted balancer, not: $a" "-A '$a'"
  [ ! -s "$T/out" ] || fail "-A '$a': the superserver ran"
done
# proxy-accept takes 64 -a: tlsserver passes 64 -A, and refuses a 65th
# at once instead of starting a service whose every connection dies 100
set --
i=1
while [ $i -le 64 ]; do set -- "$@" -A "10.0.$i.0/24"; i=$((i + 1)); done
run 0 "$TS" -W "$FAKE" "$@" 127.0.0.1 443 prog
expect_eq "$(grep -c '^-a$' "$T/out")" 64 "-a words for 64 -A"
run 100 "$TS" -W "$FAKE" "$@" -A 10.1.0.0/16 127.0.0.1 443 prog
expect_eq "$(cat "$T/err")" "tlsserver: fatal: too many -A options (at most 64)" "65 -A"
[ ! -s "$T/out" ] || fail "65 -A: the superserver ran"
# and proxy-accept itself says the same of a 65th -a
set -- 
i=1
while [ $i -le 65 ]; do set -- "$@" -a "10.0.$i.0/24"; i=$((i + 1)); done
run 100 proxy-accept "$@" true
expect_eq "$(cat "$T/err")" "proxy-accept: fatal: too many -a options (at most 64)" "65 -a"
expect_usage tlsserver-usage.expected "$TS" -B
# tlsclient has no -B/-A
run 100 tlsclient -B 127.0.0.1 443 prog
run 100 tlsclient -A 127.0.0.1 127.0.0.1 443 prog

# A delayed (UCSPI-TLS) chain behind proxy-accept: the application
# starts in plaintext, on the bytes right after the header.
cat >"$T/app" <<'EOF'
#!/bin/sh
echo "remote=$TCPREMOTEIP:$TCPREMOTEPORT ctl=${SSLCTLFD:+set}"
exec cat
EOF
chmod +x "$T/app"
$HDR trailer >"$T/trailer"
pki
tcpserver_start U env CERTFILE="$UTLS_PKI/ec.chain.pem" KEYFILE="$UTLS_PKI/ec.key" proxy-accept ucspitlsd "$T/app"
timeout 30 $HDR send "$U_PORT" v2-tcp6 >"$T/got" || fail "client failed"
expect_eq "$(head -n 1 "$T/got")" "remote=2001:db8::1:56324 ctl=set" "ucspitlsd application"
sed 1d "$T/got" >"$T/after"
expect_file_eq "$T/after" "$T/trailer"
exit 0
