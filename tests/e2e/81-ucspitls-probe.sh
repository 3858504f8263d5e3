#!/bin/sh
# ISC license.
# timeout: 60
#
# 81-ucspitls-probe: the UCSPI-TLS control protocol of ucspitlsd, seen by
# a probe application (tests/helpers/uc-probe.py) under tcpserver, with a
# Python client (tests/helpers/uc-client.py). For each command the probe
# records the three descriptors it got and the raw bytes of SSLCTLFD:
#   y      SSLCTLFD gives EOF at once, zero bytes; then TLS works on
#          SSLREADFD/SSLWRITEFD (tested on its own: Y working proves
#          nothing about y)
#   Y      NAME=value\0 entries, SSL_PROTOCOL first, no bare NAME\0, one
#          more \0, then EOF; the values are the handshake's
#   fail   (the client sends garbage) zero bytes then EOF; engine exits 98
#   eof    (the application closes SSLCTLFD) the engine exits with the
#          application's status (7), quietly; plaintext still works
#   x      a warning naming the byte, no TLS, plaintext still works
# The engine's exit code comes from tcpserver -v "end" lines.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/uc-common.sh"

need tcpserver python3 ucspitlsd
pki
P=$UTLS_PKI
probe="$UTLS_TOP/tests/helpers/uc-probe.py"

# srv MODE: a server whose connections run the probe in MODE; stale
# SSL_* variables must not reach the application
srv ()
{
  tcpserver_start "$1" -v -- env SSL_PROTOCOL=stale SSL_FOO=stale CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" \
    ucspitlsd -v2 python3 "$probe" "$1" "$T/$1.report"
}

# rep MODE KEY: the value of KEY in MODE's report
rep ()
{
  sed -n "s/^$2=//p" "$T/$1.report" | head -n 1
}

# descriptors: same checks for every mode
check_fds ()
{
  fds=$(rep "$1" fds)
  case "$fds" in
    *-1*|'') fail "$1: SSLCTLFD/SSLREADFD/SSLWRITEFD missing: '$fds'" ;;
  esac
  old_ifs=$IFS ; IFS=, ; set -- "$1" $fds ; IFS=$old_ifs
  [ "$2" != "$3" ] && [ "$2" != "$4" ] && [ "$3" != "$4" ] || fail "$1: descriptors not distinct: $fds"
  for f in "$2" "$3" "$4"
  do
    case "$f" in
      0|1|2|6|7) fail "$1: descriptor $f in 0-2 or 6-7: $fds" ;;
    esac
  done
  expect_eq "$(rep "$1" kind)" "sock,fifo,fifo" "$1: kind of SSLCTLFD,SSLREADFD,SSLWRITEFD"
  expect_eq "$(rep "$1" cloexec)" "" "$1: close-on-exec among the three"
  # nothing else leaks into the application: 0, 1, 2, the three, and
  # what the test itself inherited (tcpserver passes it on)
  want=$(printf '%s\n' 0 1 2 "$2" "$3" "$4" $base | sort -n -u | tr '\n' , | sed 's/,$//')
  expect_eq "$(rep "$1" open)" "$want" "$1: descriptors open in the application"
}

# the descriptors this test inherited
python3 "$probe" base "$T/base.report" </dev/null >/dev/null 2>&1 || fail "uc-probe.py base failed"
base=$(sed -n 's/^open=//p' "$T/base.report" | tr , ' ')

# ---- y, alone
srv y
run 0 timeout 20 python3 "$UTLS_TOP/tests/helpers/uc-client.py" "$y_PORT" "$P/ca.pem" tls ping-y
uc_wait_ends y 1
[ -s "$T/y.report" ] || fail "y: the application did not run"
check_fds y
expect_eq "$(rep y ctl)" "" "y: bytes on SSLCTLFD after y"
expect_eq "$(rep y ctl_end)" "eof" "y: SSLCTLFD after y (EOF at once, before the handshake)"
expect_eq "$(rep y tls_line)" "ping-y" "y: line the application read on SSLREADFD"
expect_grep '^protocol=TLSv1\.2$' "$T/out"
expect_grep '^y-reply: ping-y$' "$T/out"
expect_eq "$(rep y 'done')" 1 "y: the application finished"
uc_expect_status y 0
expect_grep '^ucspitlsd: info: peer 127\.0\.0\.1:[0-9]+ protocol TLSv1\.2 cipher ECDHE-ECDSA-AES(128|256)-GCM-SHA(256|384) sni localhost .* end ' "$y_ERR"
expect_no_grep 'warning|fatal|Traceback' "$y_ERR"
[ ! -s "$T/err" ] || { cat "$T/err" >&2 ; fail "y: the client wrote on stderr"; }

# ---- Y
srv Y
run 0 timeout 20 python3 "$UTLS_TOP/tests/helpers/uc-client.py" "$Y_PORT" "$P/ca.pem" tls ping-Y
uc_wait_ends Y 1
[ -s "$T/Y.report" ] || fail "Y: the application did not run"
check_fds Y
expect_eq "$(rep Y ctl_end)" "eof" "Y: SSLCTLFD after the variables"
if ! uc-blockcheck.py "$T/Y.report" >"$T/Y.vars" 2>"$T/Y.check"
then
  cat "$T/Y.check" >&2
  fail "Y: bad variable block on SSLCTLFD"
fi
for v in SSL_PROTOCOL=TLSv1.2 SSL_TLS_SNI_SERVERNAME=localhost SSL_SESSION_RESUMED=Initial SSL_CLIENT_VERIFY=NONE
do
  grep -q -x -F "$v" "$T/Y.vars" || { cat "$T/Y.vars" >&2 ; fail "Y: $v not in the block"; }
done
expect_grep '^SSL_CIPHER=ECDHE-ECDSA-AES' "$T/Y.vars"
# the variables are for the application to read; none (and no stale one)
# is in its environment at start
expect_no_grep '^env=' "$T/y.report"
expect_no_grep '^env=' "$T/Y.report"
expect_eq "$(rep Y tls_line)" "ping-Y" "Y: line the application read on SSLREADFD"
expect_grep '^Y-reply: ping-Y TLSv1\.2$' "$T/out"
uc_expect_status Y 0
expect_grep '^ucspitlsd: info: peer 127\.0\.0\.1:[0-9]+ protocol TLSv1\.2 ' "$Y_ERR"
expect_no_grep 'warning|fatal|Traceback' "$Y_ERR"

# ---- handshake failure: the client sends garbage after the application asked
srv fail
run 0 timeout 20 python3 "$UTLS_TOP/tests/helpers/uc-client.py" "$fail_PORT" "$P/ca.pem" garbage
uc_wait_ends fail 1
check_fds fail
expect_eq "$(rep fail ctl)" "" "fail: bytes on SSLCTLFD after a failed handshake"
expect_eq "$(rep fail ctl_end)" "eof" "fail: SSLCTLFD after a failed handshake"
expect_eq "$(rep fail readfd)" "eof" "fail: SSLREADFD after a failed handshake"
uc_expect_status fail 98
expect_grep '^ucspitlsd: fatal: TLS handshake failed: ' "$fail_ERR"
expect_grep '^ucspitlsd: info: peer 127\.0\.0\.1:[0-9]+ .* end handshake-failed$' "$fail_ERR"
expect_no_grep 'Traceback' "$fail_ERR"
# the application's own words never went out as TLS: the client got no bytes back
[ ! -s "$T/out" ] || { od -c "$T/out" | head >&2 ; fail "fail: the client got bytes after its garbage"; }

# ---- -K: the handshake timeout counts from the command, not from the
# connection (0.6 s of plaintext first, -K 400: works); a client that
# never starts the handshake: 98 after -K, the application sees EOF
tcpserver_start slow -v -- env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" \
  ucspitlsd -K 400 python3 "$probe" slowY "$T/slow.report"
run 0 timeout 20 python3 "$UTLS_TOP/tests/helpers/uc-client.py" "$slow_PORT" "$P/ca.pem" tls ping-slow
expect_grep '^Y-reply: ping-slow TLSv1\.2$' "$T/out"
uc_wait_ends slow 1
uc_expect_status slow 0
tcpserver_start silent -v -- env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" \
  ucspitlsd -K 300 python3 "$probe" fail "$T/silent.report"
run 0 timeout 20 python3 "$UTLS_TOP/tests/helpers/uc-client.py" "$silent_PORT" "$P/ca.pem" silent
uc_wait_ends silent 1
uc_expect_status silent 98
expect_grep '^ucspitlsd: fatal: TLS handshake failed: handshake timed out$' "$silent_ERR"
expect_eq "$(sed -n 's/^ctl=//p' "$T/silent.report")" "" "silent: bytes on SSLCTLFD after a handshake timeout"
expect_eq "$(sed -n 's/^readfd=//p' "$T/silent.report")" "eof" "silent: SSLREADFD after a handshake timeout"
[ ! -s "$T/out" ] || fail "silent: the client got bytes"

# ---- a real client that refuses the certificate: same rules
tcpserver_start fail2 -v -- env CERTFILE="$P/selfsigned.chain.pem" KEYFILE="$P/selfsigned.key" \
  ucspitlsd python3 "$probe" fail "$T/fail2.report"
run 2 timeout 20 python3 "$UTLS_TOP/tests/helpers/uc-client.py" "$fail2_PORT" "$P/ca.pem" tls
expect_grep 'CERTIFICATE_VERIFY_FAILED|certificate verify failed' "$T/err"
uc_wait_ends fail2 1
[ -s "$T/fail2.report" ] || fail "fail2: the application did not run"
expect_eq "$(rep fail2 ctl)" "" "fail2: bytes on SSLCTLFD after a refused certificate"
expect_eq "$(rep fail2 ctl_end)" "eof" "fail2: SSLCTLFD after a refused certificate"
uc_expect_status fail2 98
expect_grep '^ucspitlsd: fatal: TLS handshake failed: .*(alert|certificate)' "$fail2_ERR"

# ---- EOF before any command
srv eof
run 0 timeout 20 python3 "$UTLS_TOP/tests/helpers/uc-client.py" "$eof_PORT" "$P/ca.pem" plain ping-eof
uc_wait_ends eof 1
check_fds eof
expect_eq "$(rep eof plain_line)" "ping-eof" "eof: plaintext line read on fd 0"
expect_grep '^plain-reply: ping-eof$' "$T/out"
expect_eq "$(rep eof 'done')" 1 "eof: the application finished"
uc_expect_status eof 7
# quietly: no warning, no fatal, no TLS info line (-v2)
expect_no_grep '^ucspitlsd:' "$eof_ERR"
expect_no_grep 'Traceback' "$eof_ERR"

# ---- an unknown command byte
srv bad
run 0 timeout 20 python3 "$UTLS_TOP/tests/helpers/uc-client.py" "$bad_PORT" "$P/ca.pem" plain ping-bad
uc_wait_ends bad 1
check_fds bad
expect_eq "$(rep bad ctl)" "" "bad: bytes on SSLCTLFD after x"
expect_eq "$(rep bad ctl_end)" "eof" "bad: SSLCTLFD after x (closed)"
expect_eq "$(rep bad plain_line)" "ping-bad" "bad: plaintext line read on fd 0"
expect_grep '^bad-reply: ping-bad$' "$T/out"
expect_eq "$(rep bad readfd)" "eof" "bad: SSLREADFD after x (no TLS)"
uc_expect_status bad 0
expect_grep '^ucspitlsd: warning: unknown UCSPI-TLS command byte 0x78: no TLS for this connection$' "$bad_ERR"
n=$(grep -c '^ucspitlsd:' "$bad_ERR") || :
expect_eq "$n" 1 "bad: ucspitlsd lines on stderr"
expect_no_grep 'Traceback' "$bad_ERR"

# -v0: the same, without the warning
tcpserver_start bad0 -v -- env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" \
  ucspitlsd -v0 python3 "$probe" bad "$T/bad0.report"
run 0 timeout 20 python3 "$UTLS_TOP/tests/helpers/uc-client.py" "$bad0_PORT" "$P/ca.pem" plain ping-bad0
uc_wait_ends bad0 1
expect_grep '^bad-reply: ping-bad0$' "$T/out"
uc_expect_status bad0 0
expect_no_grep '^ucspitlsd:' "$bad0_ERR"

# The same with fd 2 closed: the engine's own descriptors must not take
# it, or its warning would be written into the application's SSLCTLFD
# (or its plaintext pipe). The warning is lost: there is no stderr.
tcpserver_start bad2 -v -- env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" \
  sh -c 'exec 2>&-; exec "$@"' sh ucspitlsd -v1 python3 "$probe" bad "$T/bad2.report"
run 0 timeout 20 python3 "$UTLS_TOP/tests/helpers/uc-client.py" "$bad2_PORT" "$P/ca.pem" plain ping-bad2
uc_wait_ends bad2 1
expect_eq "$(rep bad2 ctl)" "" "bad, fd 2 closed: bytes on SSLCTLFD after x"
expect_eq "$(rep bad2 ctl_end)" "eof" "bad, fd 2 closed: SSLCTLFD after x (closed)"
expect_grep '^bad-reply: ping-bad2$' "$T/out"
uc_expect_status bad2 0

for m in fail eof bad
do
  expect_no_grep '^env=' "$T/$m.report"
done

exit 0
