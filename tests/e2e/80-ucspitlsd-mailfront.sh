#!/bin/sh
# ISC license.
# timeout: 60
#
# 80-ucspitlsd-mailfront: Debian's mailfront (smtpfront-echo with the
# starttls-ucspi plugin, a real UCSPI-TLS application that writes "y")
# under tcpserver + ucspitlsd, driven through full SMTP sessions by three
# real STARTTLS clients, each verifying the server certificate:
#   swaks --tls, openssl s_client -starttls smtp, gnutls-cli
#   --starttls-proto=smtp (the last two through tests/helpers/uc-smtpdrive.py,
#   one command at a time).
# Checked: every reply code, the message reaching smtpfront-echo (its log
# on stderr), the -v2 info line (SNI, suite), exit codes; a client that
# does not trust the certificate fails the handshake (98, no message);
# without UCSPITLS mailfront offers no STARTTLS, the client refuses,
# ucspitlsd stays quiet and exits 0; last, with -S each client gets a
# close_notify when mailfront exits after QUIT, and ends by itself.
# Not tested here: UCSPITLS='!' (STARTTLS required before MAIL) is an
# s/qmail convention; Debian's mailfront 2.22 only tests that UCSPITLS is
# set, and accepts MAIL before STARTTLS whatever its value.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/uc-common.sh"

need tcpserver ucspitlsd swaks openssl gnutls-cli python3
[ -x /usr/sbin/smtpfront-echo ] || skip "mailfront (/usr/sbin/smtpfront-echo) not installed"
[ -f /usr/lib/mailfront/plugin-starttls-ucspi.so ] || skip "mailfront's starttls-ucspi plugin not installed"
pki
P=$UTLS_PKI
drive="$UTLS_TOP/tests/helpers/uc-smtpdrive.py"

# mf NAME [ucspitlsd options...]: ucspitlsd + smtpfront-echo offering STARTTLS
mf ()
{
  _n=$1
  shift
  tcpserver_start "$_n" -v -- env PLUGINS=starttls-ucspi:accept UCSPITLS= \
    CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" \
    ucspitlsd "$@" /usr/sbin/smtpfront-echo
}

# ---- swaks, default -s (no close_notify: swaks does not mind)
mf sw -v2
run 0 timeout 30 swaks --server 127.0.0.1 --port "$sw_PORT" --tls --tls-verify \
  --tls-ca-path "$P/ca.pem" --tls-sni localhost --ehlo client.test \
  --from sender@example.org --to rcpt@example.net --header 'Subject: uc-swaks-1'
expect_grep '^<-  220 .*Ready to start TLS' "$T/out"
expect_grep '^=== TLS started with cipher TLSv1\.2:ECDHE-ECDSA-AES(128|256)-GCM' "$T/out"
expect_grep '^<~  250 Sender=' "$T/out"
expect_grep '^<~  250 Recipient=' "$T/out"
expect_grep '^<~  250 Received [0-9]+ bytes' "$T/out"
expect_grep '^<~  221 ' "$T/out"
uc_wait_ends sw 1
uc_expect_status sw 0
expect_grep '^mailfront\[[0-9]+\]: MAIL FROM:<sender@example\.org>' "$sw_ERR"
expect_grep '^mailfront\[[0-9]+\]: RCPT TO:<rcpt@example\.net>' "$sw_ERR"
expect_grep '^ucspitlsd: info: peer 127\.0\.0\.1:[0-9]+ protocol TLSv1\.2 cipher ECDHE-ECDSA-AES(128|256)-GCM-SHA(256|384) sni localhost alpn - peer_subject "-" resumed Initial bytes_in [1-9][0-9]* bytes_out [1-9][0-9]* end (local-close|close_notify|eof-without-close_notify)$' "$sw_ERR"
expect_no_grep '^ucspitlsd: (warning|fatal)' "$sw_ERR"

# ---- openssl s_client and gnutls-cli, default -s: no close_notify at
# the end, which both clients report (so their exit codes are not checked)
mf ss -v2
run 0 timeout 40 python3 "$drive" -n ossl-1 openssl s_client -connect "127.0.0.1:$ss_PORT" \
  -starttls smtp -name client.test -CAfile "$P/ca.pem" -verify_return_error \
  -verify_hostname localhost -servername localhost -quiet
expect_grep '^S: 250 Received [0-9]+ bytes' "$T/out"
expect_grep '^S: 221 ' "$T/out"
expect_grep '^verify return:1$' "$T/err"
run 0 timeout 40 python3 "$drive" -n gnutls-1 gnutls-cli --starttls-proto=smtp \
  --x509cafile="$P/ca.pem" -p "$ss_PORT" localhost
expect_grep '^S: 250 Received [0-9]+ bytes' "$T/out"
expect_grep '^S: 221 ' "$T/out"
expect_grep '^O: - Status: The certificate is trusted' "$T/out"
uc_wait_ends ss 2
uc_expect_status ss 0 1
uc_expect_status ss 0 2
expect_grep '^mailfront\[[0-9]+\]: Subject: uc-smtpdrive ossl-1$' "$ss_ERR"
expect_grep '^mailfront\[[0-9]+\]: Subject: uc-smtpdrive gnutls-1$' "$ss_ERR"
n=$(grep -c '^ucspitlsd: info: peer 127\.0\.0\.1:[0-9]* protocol TLSv1\.2 cipher ECDHE-ECDSA-AES[0-9]*-GCM-SHA[0-9]* sni localhost .* resumed Initial bytes_in [1-9][0-9]* bytes_out [1-9][0-9]* end ' "$ss_ERR") || :
expect_eq "$n" 2 "-s: ucspitlsd info lines"
expect_no_grep '^ucspitlsd: (warning|fatal)' "$ss_ERR"
server_stop ss

# ---- the client does not trust the server: the handshake fails, no mail
mf bad -v2
if timeout 30 swaks --server 127.0.0.1 --port "$bad_PORT" --tls --tls-verify \
  --tls-ca-path "$P/rogue-ca.pem" --from sender@example.org --to rcpt@example.net \
  --header 'Subject: uc-swaks-bad' >"$T/out" 2>"$T/err"
then
  fail "swaks trusted a certificate from an unknown CA"
fi
expect_grep '^<-  220 .*Ready to start TLS' "$T/out"
expect_no_grep '250 Received' "$T/out"
uc_wait_ends bad 1
uc_expect_status bad 98
expect_grep '^ucspitlsd: fatal: TLS handshake failed: .*(alert|certificate)' "$bad_ERR"
expect_grep '^ucspitlsd: info: peer 127\.0\.0\.1:[0-9]+ .* end handshake-failed$' "$bad_ERR"
expect_no_grep 'RCPT TO|Subject: uc-swaks-bad' "$bad_ERR"

# ---- UCSPITLS unset: mailfront does not offer STARTTLS; the clients
# refuse to go on; ucspitlsd sees EOF on the control descriptor: quiet, 0
tcpserver_start off -v -- env PLUGINS=starttls-ucspi:accept \
  CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" ucspitlsd -v2 /usr/sbin/smtpfront-echo
if timeout 30 swaks --server 127.0.0.1 --port "$off_PORT" --tls \
  --from sender@example.org --to rcpt@example.net >"$T/out" 2>"$T/err"
then
  fail "swaks --tls went on without STARTTLS"
fi
expect_no_grep '250.STARTTLS' "$T/out"
expect_no_grep 'MAIL FROM' "$T/out"
expect_grep 'Host did not advertise STARTTLS' "$T/err"
uc_wait_ends off 1
uc_expect_status off 0
expect_no_grep '^ucspitlsd:' "$off_ERR"

# ---- openssl s_client and gnutls-cli, -S: a clean close_notify at the end;
# each client must end by itself, without error, right after the 221
# ("uc-smtpdrive: the client did not end after QUIT" means ucspitlsd did
# not send close_notify when the application closed its end)
mf sS -v2 -S
run 0 timeout 40 python3 "$drive" ossl-2 openssl s_client -connect "127.0.0.1:$sS_PORT" \
  -starttls smtp -name client.test -CAfile "$P/ca.pem" -verify_return_error \
  -verify_hostname localhost -servername localhost -quiet
expect_grep '^S: 250 Received [0-9]+ bytes' "$T/out"
expect_grep '^S: 221 ' "$T/out"
expect_no_grep 'error|unexpected eof' "$T/err"
run 0 timeout 40 python3 "$drive" gnutls-2 gnutls-cli --starttls-proto=smtp \
  --x509cafile="$P/ca.pem" -p "$sS_PORT" localhost
expect_grep '^S: 250 Received [0-9]+ bytes' "$T/out"
expect_grep '^S: 221 ' "$T/out"
expect_grep '^O: - Status: The certificate is trusted' "$T/out"
expect_no_grep 'Fatal error|non-properly terminated' "$T/err"
uc_wait_ends sS 2
uc_expect_status sS 0 1
uc_expect_status sS 0 2
expect_grep '^mailfront\[[0-9]+\]: Subject: uc-smtpdrive ossl-2$' "$sS_ERR"
expect_grep '^mailfront\[[0-9]+\]: Subject: uc-smtpdrive gnutls-2$' "$sS_ERR"
n=$(grep -c '^ucspitlsd: info: peer 127\.0\.0\.1:[0-9]* protocol TLSv1\.2 cipher ECDHE-ECDSA-AES[0-9]*-GCM-SHA[0-9]* sni localhost .* resumed Initial bytes_in [1-9][0-9]* bytes_out [1-9][0-9]* end local-close$' "$sS_ERR") || :
expect_eq "$n" 2 "-S: ucspitlsd info lines"
expect_no_grep '^ucspitlsd: (warning|fatal)' "$sS_ERR"
server_stop sS

exit 0
