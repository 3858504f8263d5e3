#!/bin/sh
# ISC license.
# timeout: 60
#
# 82-ucspitls-injection: STARTTLS injection, both ways.
# Server side: "STARTTLS\r\nMAIL FROM:<x@y>\r\n" in ONE plaintext write to
# ucspitlsd + mailfront (tests/helpers/uc-inject.py): the injected MAIL
# must not be executed inside TLS (a RCPT without MAIL inside TLS must not
# get 250, mailfront must never log MAIL FROM:<x@y>); either the
# handshake fails or the session is clean.
# Client side (tests/helpers/uc-smtpsrv.py, a scripted plaintext server):
#   - "220 go ahead\r\n250 injected\r\n" in one write after STARTTLS:
#     starttls -p smtp under ucspitlsc refuses (98, "response injection"),
#     the program never runs, no ClientHello leaves;
#   - a client application that writes "y" while the server's greeting is
#     unread: ucspitlsc aborts (98, "injection"), no ClientHello leaves,
#     and the application does not outlive ucspitlsc.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/uc-common.sh"

need tcpserver tcpclient ucspitlsd ucspitlsc starttls python3
pki
P=$UTLS_PKI
H=$UTLS_TOP/tests/helpers

# ---- server side: ucspitlsd + mailfront
if [ -x /usr/sbin/smtpfront-echo ] && [ -f /usr/lib/mailfront/plugin-starttls-ucspi.so ]
then
  tcpserver_start mf -v -- env PLUGINS=starttls-ucspi:accept UCSPITLS= \
    CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" ucspitlsd -v2 /usr/sbin/smtpfront-echo
  run 0 timeout 20 python3 "$H/uc-inject.py" "$mf_PORT" "$P/ca.pem"
  expect_grep '^plain: 250.STARTTLS$' "$T/out"
  expect_grep '^verdict: safe$' "$T/out"
  expect_no_grep '^tls: 250 Sender' "$T/out"
  uc_wait_ends mf 1
  expect_no_grep 'MAIL FROM:<x@y>' "$mf_ERR"
  if grep -q '^handshake: ok$' "$T/out"
  then
    # the session inside TLS went on, cleanly
    expect_grep '^tls: 503 ' "$T/out"
    uc_expect_status mf 0
    expect_grep '^ucspitlsd: info: peer 127\.0\.0\.1:[0-9]+ protocol TLSv1\.2 .* end ' "$mf_ERR"
  else
    expect_grep '^handshake: failed' "$T/out"
    uc_expect_status mf 98
    expect_grep '^ucspitlsd: fatal: TLS handshake failed: ' "$mf_ERR"
  fi
else
  echo "$TEST: note: mailfront not installed, server side not tested" >&2
  [ -z "${CI-}" ] || fail "mailfront not installed under CI"
fi

# ---- client side: bytes after the server's go-ahead
server_start inj file python3 "$H/uc-smtpsrv.py" inject "$T/inj.port"
run 98 uc_tcpclient "$inj_PORT" ucspitlsc -v2 -k localhost \
  starttls -p smtp -h client.test sh -c ": >'$T/ran'"
[ ! -e "$T/ran" ] || fail "inject: the program ran after a response injection"
printf '%s\n' 'starttls: fatal: server sent data after its STARTTLS reply (response injection): refusing' >"$T/want"
expect_file_eq "$T/err" "$T/want"
server_wait inj 10 ; [ "$inj_STATUS" = 0 ] || { cat "$inj_ERR" >&2 ; fail "inject: the scripted server failed"; }
expect_grep '^cmd: EHLO client\.test$' "$inj_OUT"
expect_grep '^cmd: STARTTLS$' "$inj_OUT"
expect_grep '^after: eof$' "$inj_OUT"

# the same through ucspitlsc with CAFILE set and -v0: still 98, still refused
server_start inj2 file python3 "$H/uc-smtpsrv.py" inject "$T/inj2.port"
run 98 env CAFILE="$P/ca.pem" sh -c "timeout -k 2 20 tcpclient -R -H -l0 127.0.0.1 '$inj2_PORT' ucspitlsc -v0 -k localhost starttls -p smtp sh -c ': >\"$T/ran\"'"
[ ! -e "$T/ran" ] || fail "inject2: the program ran after a response injection"
expect_grep 'response injection' "$T/err"
server_wait inj2 10 ; [ "$inj2_STATUS" = 0 ] || { cat "$inj2_ERR" >&2 ; fail "inject2: the scripted server failed"; }
expect_grep '^after: eof$' "$inj2_OUT"

# ---- client side: a server line is logged escaped, never raw: a
# greeting with terminal escapes, a bell, a CR and a backslash, 327
# bytes, becomes \xHH escapes, \\ and "..." after 256 bytes
server_start hos file python3 "$H/uc-smtpsrv.py" hostile "$T/hos.port"
run 98 uc_tcpclient "$hos_PORT" ucspitlsc -k localhost starttls -p smtp sh -c ": >'$T/ran'"
[ ! -e "$T/ran" ] || fail "hostile: the program ran"
a229=$(printf '%229s' '' | tr ' ' A)
printf '%s\n' "starttls: fatal: server greeting is not 220: 554 \\x1b[2J\\x1b]0;owned\\x07 evil\\x0dX\\\\y$a229..." >"$T/want"
expect_file_eq "$T/err" "$T/want"
if LC_ALL=C grep -q "$(printf '[\033\007\r]')" "$T/err"; then fail "hostile: raw control characters reached stderr"; fi
server_wait hos 10

# ---- client side: the application writes y with the greeting unread
server_start early file python3 "$H/uc-smtpsrv.py" early "$T/early.port"
run 98 env CAFILE="$P/ca.pem" sh -c "timeout -k 2 20 tcpclient -R -H -l0 127.0.0.1 '$early_PORT' ucspitlsc -k localhost python3 '$H/uc-capp.py' '$T/capp.report' 0.5; st=\$?; echo ucspitlsc-exit=\$st >&2; exit \$st"
printf '%s\n' 'ucspitlsc: fatal: TLS handshake failed: server sent data before the TLS handshake started (possible injection attack)' 'ucspitlsc-exit=98' >"$T/want"
expect_file_eq "$T/err" "$T/want"
wait_for grep -q '^readfd=' "$T/capp.report"
expect_grep '^pending=1$' "$T/capp.report"
expect_grep '^ctl=$' "$T/capp.report"
expect_grep '^readfd=eof$' "$T/capp.report"
# No orphan outlives the connection (DESIGN.md): ucspitlsc reaps the
# application (which lingers 0.5 s after it saw the failure) before it
# exits, so the application is not left holding the raw socket.
grep -q '^done=1$' "$T/capp.report" || fail "early: ucspitlsc exited 98 before its application ended (orphan holding the raw socket)"
server_wait early 10 ; [ "$early_STATUS" = 0 ] || { cat "$early_ERR" >&2 ; fail "early: the scripted server failed"; }
expect_grep '^after: (eof|reset)$' "$early_OUT"

exit 0
