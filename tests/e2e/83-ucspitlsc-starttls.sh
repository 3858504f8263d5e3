#!/bin/sh
# ISC license.
# timeout: 60
#
# 83-ucspitlsc-starttls: the client side end to end, against Debian's
# mailfront (smtpfront-echo) under tcpserver + ucspitlsd:
#   tcpclient ... ucspitlsc -k localhost starttls -p smtp -h client.test
#   tests/helpers/uc-smtpclient.sh (a TLS-unaware SMTP client on 6/7)
# with CAFILE: the message is accepted, the client sees SSL_SERVER_* and
# no SSLCTLFD/SSLREADFD/SSLWRITEFD, mailfront logs the message; the
# program's 6/7 are the TLS pipes, the raw socket is gone from it.
# Fail closed: a server certificate from another CA (98, the program
# never runs); mailfront without the STARTTLS plugin (98, "does not offer
# STARTTLS", never runs). tlsclient -n builds the same command line
# (checked with a fake tcpclient, tests/helpers/uc-argv.sh) and works for real.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/uc-common.sh"

need tcpserver tcpclient ucspitlsd ucspitlsc starttls tlsclient python3
[ -x /usr/sbin/smtpfront-echo ] || skip "mailfront (/usr/sbin/smtpfront-echo) not installed"
[ -f /usr/lib/mailfront/plugin-starttls-ucspi.so ] || skip "mailfront's starttls-ucspi plugin not installed"
pki
P=$UTLS_PKI
B=$UTLS_TOP/src/tls
smtpc=$UTLS_TOP/tests/helpers/uc-smtpclient.sh

tcpserver_start mf -v -- env PLUGINS=starttls-ucspi:accept UCSPITLS= \
  CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" ucspitlsd -v2 /usr/sbin/smtpfront-echo

# ---- the whole session
run 0 env CAFILE="$P/ca.pem" timeout -k 2 20 tcpclient -R -H -l0 127.0.0.1 "$mf_PORT" \
  ucspitlsc -v2 -k localhost starttls -p smtp -h client.test sh "$smtpc" s1 "$T"
expect_grep '^S: 250 Received [0-9]+ bytes' "$T/s1.transcript"
expect_grep '^S: 221 ' "$T/s1.transcript"
expect_grep '^ucspitlsc: info: peer 127\.0\.0\.1:[0-9]+ protocol TLSv1\.2 cipher ECDHE-ECDSA-AES(128|256)-GCM-SHA(256|384) sni localhost alpn - peer_subject "CN=localhost" resumed Initial bytes_in [1-9][0-9]* bytes_out [1-9][0-9]* end ' "$T/err"
expect_no_grep 'warning|fatal' "$T/err"
for v in SSL_PROTOCOL=TLSv1.2 SSL_SERVER_S_DN_CN=localhost SSL_TLS_SNI_SERVERNAME=localhost \
  'SSL_SERVER_I_DN=CN=ucspi-tls Test Intermediate CA' SSL_SESSION_RESUMED=Initial
do
  grep -q -x -F "$v" "$T/s1.env" || { cat "$T/s1.env" >&2 ; fail "s1: $v not in the program's environment"; }
done
expect_grep '^SSL_CIPHER=ECDHE-ECDSA-AES' "$T/s1.env"
expect_grep '^SSL_PEER_CERT_HASH=SHA256:[0-9a-f]{64}$' "$T/s1.env"
expect_no_grep '^SSL(CTLFD|READFD|WRITEFD)=' "$T/s1.env"
uc_wait_ends mf 1
uc_expect_status mf 0
expect_grep '^mailfront\[[0-9]+\]: Subject: uc-smtpclient s1$' "$mf_ERR"
expect_grep '^ucspitlsd: info: peer 127\.0\.0\.1:[0-9]+ protocol TLSv1\.2 .* sni localhost ' "$mf_ERR"

# the program's descriptors: 6/7 are the TLS pipes, no socket is left to it
run 0 env CAFILE="$P/ca.pem" timeout -k 2 20 tcpclient -R -H -l0 127.0.0.1 "$mf_PORT" \
  ucspitlsc -k localhost starttls -p smtp -h client.test \
  sh -c 'ls -l /proc/$$/fd/ >"$1"; printf "QUIT\r\n" >&7; cat <&6' fds "$T/fds"
expect_grep '^221 ' "$T/out"
expect_grep ' 6 -> pipe:' "$T/fds"
expect_grep ' 7 -> pipe:' "$T/fds"
expect_no_grep 'socket:' "$T/fds"
uc_wait_ends mf 2
uc_expect_status mf 0

# ---- a certificate from an untrusted CA: fail closed
run 98 env CAFILE="$P/rogue-ca.pem" timeout -k 2 20 tcpclient -R -H -l0 127.0.0.1 "$mf_PORT" \
  ucspitlsc -k localhost starttls -p smtp -h client.test sh -c ": >'$T/ran-rogue'"
[ ! -e "$T/ran-rogue" ] || fail "rogue CA: the program ran"
expect_grep '^ucspitlsc: fatal: TLS handshake failed: ' "$T/err"
expect_grep '^starttls: fatal: TLS handshake failed \(the TLS engine says why\)$' "$T/err"
uc_wait_ends mf 3
uc_expect_status mf 98

# ---- wrong name (-k): fail closed
run 98 env CAFILE="$P/ca.pem" timeout -k 2 20 tcpclient -R -H -l0 127.0.0.1 "$mf_PORT" \
  ucspitlsc -k mx.example.org starttls -p smtp sh -c ": >'$T/ran-name'"
[ ! -e "$T/ran-name" ] || fail "wrong name: the program ran"
expect_grep '^ucspitlsc: fatal: TLS handshake failed: ' "$T/err"
uc_wait_ends mf 4

# ---- mailfront without the STARTTLS plugin, plain tcpserver: fail closed
tcpserver_start plain -v -- env PLUGINS=accept /usr/sbin/smtpfront-echo
run 98 env CAFILE="$P/ca.pem" timeout -k 2 20 tcpclient -R -H -l0 127.0.0.1 "$plain_PORT" \
  ucspitlsc -v2 -k localhost starttls -p smtp -h client.test sh -c ": >'$T/ran-plain'"
[ ! -e "$T/ran-plain" ] || fail "no STARTTLS: the program ran in plaintext"
printf '%s\n' 'starttls: fatal: server does not offer STARTTLS: refusing to go on in plaintext' >"$T/want"
expect_file_eq "$T/err" "$T/want"
uc_wait_ends plain 1
expect_no_grep 'MAIL FROM|STARTTLS' "$plain_ERR"

# ---- tlsclient -n: the command line
run 0 env PATH="$UTLS_TOP/tests/helpers:$PATH" "$B/tlsclient" -n -W uc-argv.sh -k localhost -v2 \
  127.0.0.1 "$mf_PORT" starttls -p smtp -h client.test sh "$smtpc" s2 "$T"
printf '%s\n' uc-argv.sh -H -R -l 0 127.0.0.1 "$mf_PORT" "$B/ucspitlsc" -k localhost -v 2 \
  starttls -p smtp -h client.test sh "$smtpc" s2 "$T" >"$T/want"
expect_file_eq "$T/out" "$T/want"
# without -k: the host is the name
run 0 env PATH="$UTLS_TOP/tests/helpers:$PATH" "$B/tlsclient" -n -W uc-argv.sh \
  mx.example.org 25 starttls -p smtp prog
printf '%s\n' uc-argv.sh -H -R -l 0 mx.example.org 25 "$B/ucspitlsc" -k mx.example.org \
  starttls -p smtp prog >"$T/want"
expect_file_eq "$T/out" "$T/want"
# without -n: tlsc
run 0 env PATH="$UTLS_TOP/tests/helpers:$PATH" "$B/tlsclient" -W uc-argv.sh mx.example.org 25 prog
printf '%s\n' uc-argv.sh -H -R -l 0 mx.example.org 25 "$B/tlsc" -k mx.example.org prog >"$T/want"
expect_file_eq "$T/out" "$T/want"

# ---- tlsclient -n for real, with Debian's tcpclient
run 0 env CAFILE="$P/ca.pem" timeout -k 2 20 "$B/tlsclient" -n -k localhost \
  127.0.0.1 "$mf_PORT" starttls -p smtp -h client.test sh "$smtpc" s3 "$T"
expect_grep '^S: 250 Received [0-9]+ bytes' "$T/s3.transcript"
expect_grep '^S: 221 ' "$T/s3.transcript"
expect_no_grep 'warning|fatal' "$T/err"
grep -q -x -F SSL_PROTOCOL=TLSv1.2 "$T/s3.env" || fail "s3: SSL_PROTOCOL not set"
uc_wait_ends mf 5
uc_expect_status mf 0
expect_grep '^mailfront\[[0-9]+\]: Subject: uc-smtpclient s3$' "$mf_ERR"

# ---- the network on 3/4 instead of 6/7: ucspitlsc -6 3 -7 4 and
# starttls -6 3 -7 4 do the dialogue there and put the TLS pipes there
# (6 and 7 closed, so nothing can land on them by accident)
cat >"$T/on34.sh" <<'EOS'
#!/bin/sh
exec 3<&6 4>&7 6<&- 7>&-
exec ucspitlsc -k localhost -6 3 -7 4 starttls -6 3 -7 4 -p smtp -h client.test \
  sh -c 'ls -l /proc/$$/fd/ >"$1"; printf "QUIT\r\n" >&4; cat <&3' fds "$1"
EOS
run 0 env CAFILE="$P/ca.pem" timeout -k 2 20 tcpclient -R -H -l0 127.0.0.1 "$mf_PORT" \
  sh "$T/on34.sh" "$T/fds34"
expect_grep '^221 ' "$T/out"
expect_grep ' 3 -> pipe:' "$T/fds34"
expect_grep ' 4 -> pipe:' "$T/fds34"
expect_no_grep 'socket:' "$T/fds34"
expect_no_grep 'warning|fatal' "$T/err"
uc_wait_ends mf 6
uc_expect_status mf 0
# ---- the highest descriptor allowed: the network on 3 and 1023, the
# TLS pipes put there too (bash: sh cannot redirect above 9). starttls
# must not need a descriptor above 1023 to place them: the limit is
# set to 1024 descriptors, the usual default.
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge 1024 ] || fail "need 1024 descriptors (ulimit -n)"
cat >"$T/on1023.sh" <<'EOS'
ulimit -n 1024 || exit 99
exec 3<&6 1023>&7 6<&- 7>&-
exec ucspitlsc -k localhost -6 3 -7 1023 starttls -6 3 -7 1023 -p smtp -h client.test \
  bash -c 'ls -l /proc/$$/fd/ >"$1"; printf "QUIT\r\n" >&1023; cat <&3' fds "$1"
EOS
run 0 env CAFILE="$P/ca.pem" timeout -k 2 20 tcpclient -R -H -l0 127.0.0.1 "$mf_PORT" \
  bash "$T/on1023.sh" "$T/fds1023"
expect_grep '^221 ' "$T/out"
expect_grep ' 3 -> pipe:' "$T/fds1023"
expect_grep ' 1023 -> pipe:' "$T/fds1023"
expect_no_grep 'socket:' "$T/fds1023"
expect_no_grep 'warning|fatal' "$T/err"
uc_wait_ends mf 7
uc_expect_status mf 0
# the refusal: one descriptor cannot carry both directions of the pipes
run 100 env SSLCTLFD=9 SSLREADFD=10 SSLWRITEFD=11 starttls -6 3 -7 3 -p smtp true
printf '%s\n' 'starttls: fatal: -6 and -7 must be two different descriptors' >"$T/want"
expect_file_eq "$T/err" "$T/want"

exit 0
