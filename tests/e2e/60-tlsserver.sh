#!/bin/sh
# ISC license.
# timeout: 60
#
# 60-tlsserver: the command line tlsserver builds and execs. A fake
# superserver (-W) prints its argv one per line: defaults -H -R -l 0
# -c 1000 (not with s6-tcpserver, which gets only -c 1000), superserver
# options before host and port, tlsd (ucspitlsd with -n) from
# tlsserver's own directory when called by path, tlsd options after it,
# explicit options overriding the defaults, the last of two opposite
# flags winning; options s6-tcpserver lacks refused (100). Then a real
# run under Debian's tcpserver serving openssl s_client.

. "${0%/*}/../lib.sh"
. "$UTLS_TOP/tests/helpers/cfg-common.sh"

need tlsserver tlsd openssl python3 timeout
. "$UTLS_TOP/tests/helpers/ts-fake.sh"

# Defaults
run 0 "$TS" -W "$FAKE" 127.0.0.1 4433 prog arg1 'arg 2'
argv_is -H -R -l 0 -c 1000 127.0.0.1 4433 "$TSDIR/tlsd" prog arg1 'arg 2'
[ ! -s "$T/err" ] || fail "tlsserver wrote on stderr: $(cat "$T/err")"

# tlsd options go after tlsd, superserver options before host and port
run 0 "$TS" -W "$FAKE" -v 2 -K 500 -S -J -Y -Z -k 2 -a h2,http/1.1 -b 20 -1 -t 5 127.0.0.1 0 prog
argv_same -1 -H -R -l 0 -b 20 -t 5 -c 1000 127.0.0.1 0 "$TSDIR/tlsd" -J -K 500 -S -Y -Z -a h2,http/1.1 -k 2 -v 2 prog || {
  # the order inside each group is not part of the interface: compare sets
  sed -n '1,/^127\.0\.0\.1$/p' "$T/out" | sort >"$T/server.got"
  printf '%s\n' -1 -H -R -l 0 -b 20 -t 5 -c 1000 127.0.0.1 | sort >"$T/server.want"
  expect_file_eq "$T/server.got" "$T/server.want"
}
expect_eq "$(sed -n '/^0$/{n;p;}' "$T/out" | tail -n 1)" "$TSDIR/tlsd" "engine after host and port"
sed -n "\\|^$TSDIR/tlsd\$|,\$p" "$T/out" | sed 1d >"$T/tls.got"
expect_eq "$(tail -n 1 "$T/tls.got")" prog "program last"
for w in '-v 2' '-K 500' '-a h2,http/1.1' '-k 2'; do
  grep -A1 -x -e "${w% *}" "$T/tls.got" | tail -n 1 | grep -q -x -e "${w#* }" || fail "tlsd option $w not passed: $(tr '\n' ' ' <"$T/tls.got")"
done
for f in -S -J -Y -Z; do
  grep -q -x -e "$f" "$T/tls.got" || fail "tlsd option $f not passed after tlsd"
done

# -n: ucspitlsd
run 0 "$TS" -W "$FAKE" -n 127.0.0.1 25 smtpd
argv_is -H -R -l 0 -c 1000 127.0.0.1 25 "$TSDIR/ucspitlsd" smtpd

# explicit options replace the defaults
run 0 "$TS" -W "$FAKE" -h -r -l me.test -c 50 127.0.0.1 443 prog
argv_same -c 50 -h -l me.test -r 127.0.0.1 443 "$TSDIR/tlsd" prog || {
  sed -n '1,/^127\.0\.0\.1$/p' "$T/out" | sort >"$T/server.got"
  printf '%s\n' -c 50 -h -l me.test -r 127.0.0.1 | sort >"$T/server.want"
  expect_file_eq "$T/server.got" "$T/server.want"
}
expect_no_grep '^-(H|R)$' "$T/out"
expect_no_grep '^1000$' "$T/out"

# the other superserver options are passed on
run 0 "$TS" -W "$FAKE" -x rules.cdb -X -u 99 -g 98 -U -p 127.0.0.1 443 prog
for w in '-x rules.cdb' '-u 99' '-g 98'; do
  grep -A1 -x -e "${w% *}" "$T/out" | tail -n 1 | grep -q -x -e "${w#* }" || fail "tcpserver option $w not passed: $(tr '\n' ' ' <"$T/out")"
done
for f in -X -U -p; do
  grep -q -x -e "$f" "$T/out" || fail "tcpserver option $f not passed"
done

# called without a slash (from PATH): the installed tlsd, not a sibling
(PATH=$TSDIR:$PATH; export PATH; cd "$T" && tlsserver -W "$FAKE" 127.0.0.1 1 prog >"$T/out" 2>"$T/err") || fail "tlsserver from PATH failed: $(cat "$T/err")"
engine=$(sed -n '/^1$/{n;p;}' "$T/out")
case $engine in
  /*/tlsd) ;;
  *) fail "tlsserver from PATH runs '$engine', expected an absolute path to tlsd" ;;
esac

# The last of two opposite flags wins, as in tlsd and tcpserver
# themselves: "-s -S" must mean -S for tlsd, "-h -H" must mean -H.
run 0 "$TS" -W "$FAKE" -s -S -y -Y -h -H 127.0.0.1 443 prog
last_of() {
  grep -x -e "$1" -e "$2" "$T/out" | tail -n 1
}
bugs=
[ "$(last_of -S -s)" = -S ] || bugs="$bugs; '-s -S' is passed as $(grep -x -e -S -e -s "$T/out" | tr '\n' ' ')(tlsd uses -s)"
[ "$(last_of -Y -y)" = -Y ] || bugs="$bugs; '-y -Y' is passed as $(grep -x -e -Y -e -y "$T/out" | tr '\n' ' ')(tlsd requires a client certificate)"
[ "$(last_of -H -h)" = -H ] || bugs="$bugs; '-h -H' is passed as $(grep -x -e -H -e -h "$T/out" | tr '\n' ' ')(tcpserver does DNS lookups)"

# s6-tcpserver: no -H -R -l defaults; options it lacks are refused
run 0 "$TS" -W "$S6" -c 5 -1 -u 1 -g 2 -U -b 7 127.0.0.1 0 prog
sed -n '1,/^127\.0\.0\.1$/p' "$T/out" | sort >"$T/server.got"
printf '%s\n' -c 5 -1 -u 1 -g 2 -U -b 7 127.0.0.1 | sort >"$T/server.want"
expect_file_eq "$T/server.got" "$T/server.want"
run 0 "$TS" -W "$S6" 127.0.0.1 0 prog
argv_is -c 1000 127.0.0.1 0 "$TSDIR/tlsd" prog
for o in '-x rules.cdb' -X -h -H -r -R -p -P '-l me' '-t 3'; do
  # $o is split on purpose.
  run 100 "$TS" -W "$S6" $o 127.0.0.1 0 prog
  expect_eq "$(cat "$T/err")" "tlsserver: fatal: option ${o%% *} is not supported with $S6" "tlsserver -W s6-tcpserver $o"
  [ ! -s "$T/out" ] || fail "s6-tcpserver $o: the superserver ran"
done

# a superserver that does not exist
run 127 "$TS" -W "$T/nope" 127.0.0.1 0 prog
expect_grep "^tlsserver: fatal: unable to exec $T/nope: No such file or directory\$" "$T/err"

# A real run under Debian's tcpserver (-1 prints the port)
need tcpserver
pki
K=$UTLS_PKI
mkdir "$T/app"
server_start ts out env CERTFILE="$K/ec.chain.pem" KEYFILE="$K/ec.key" "$TS" -1 -v 2 127.0.0.1 0 "$CFG_APP" "$T/app"
port=$ts_PORT
tls_client real -CAfile "$K/ca.pem" -verify_return_error -servername localhost
expect_grep '^app-reply$' "$T/real.out"
expect_grep 'Verify return code: 0 \(ok\)' "$T/real.out"
expect_grep '^SSL_PROTOCOL=TLSv1\.2$' "$T/app/env"
expect_grep '^SSL_TLS_SNI_SERVERNAME=localhost$' "$T/app/env"
# tcpserver's variables reach tlsd: the -v2 line has the peer's address
wait_for grep -q '^tlsd: info: peer 127\.0\.0\.1:[0-9]' "$ts_ERR"
expect_no_grep 'fatal' "$ts_ERR"
# and a second connection is served by the same tcpserver
rm -f "$T/app/ran"
tls_client real2
expect_grep '^app-reply$' "$T/real2.out"
kill -0 "$ts_PID" || fail "tlsserver's tcpserver is gone"

[ -z "$bugs" ] || fail "option order lost${bugs}"
exit 0
