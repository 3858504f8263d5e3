#!/bin/sh
# ISC license.
# timeout: 120
#
# 86-smtpd-starttls: smtpd-starttls under tcpserver + ucspitlsd, with
# real clients and two TLS-unaware smtpds: the scripted
# tests/helpers/st-smtpd.py (logs its pid, its SSL_* environment and every
# command) and Debian's mailfront smtpfront-echo *without* its starttls
# plugin.
#   usage and environment errors: 100, exact messages, smtpd never runs
#   swaks --tls (port 25 policy): STARTTLS offered, AUTH hidden before
#     TLS and used after it; the mail reaches the second smtpd only, which
#     is a new process with SSL_PROTOCOL; exit 0
#   swaks without TLS (port 25 policy): plaintext delivery works
#   swaks with -r and with SMTPD_REQUIRE_TLS: 530 without TLS, delivery
#     with --tls
#   openssl s_client -starttls smtp, gnutls-cli --starttls-proto=smtp and
#     our own tcpclient + ucspitlsc + starttls -p smtp, against
#     smtpfront-echo: the message arrives, smtpfront-echo sees SSL_PROTOCOL

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/uc-common.sh"
. "${0%/*}/../helpers/st-common.sh"

need tcpserver tcpclient ucspitlsd ucspitlsc starttls smtpd-starttls swaks openssl gnutls-cli python3
[ -x /usr/sbin/smtpfront-echo ] || skip "mailfront (/usr/sbin/smtpfront-echo) not installed"
pki
P=$UTLS_PKI
unset SSLCTLFD SSLREADFD SSLWRITEFD SMTPD_REQUIRE_TLS 2>/dev/null || :

# ---- usage and environment
src=$(sed -n 's/^#define USAGE "\(.*\)"$/\1/p' "$UTLS_TOP/src/tls/smtpd-starttls.c")
[ "smtpd-starttls: usage: $src" = "$(cat "$UTLS_TOP/tests/e2e/smtpd-starttls-usage.expected")" ] \
  || fail "smtpd-starttls-usage.expected differs from USAGE in smtpd-starttls.c"
grep -q -F "<pre class=\"synopsis\">$src</pre>" "$UTLS_TOP/doc/smtpd-starttls.html" \
  || fail "doc/smtpd-starttls.html: synopsis differs from USAGE"
expect_usage smtpd-starttls-usage.expected smtpd-starttls
expect_usage smtpd-starttls-usage.expected smtpd-starttls -r
expect_usage smtpd-starttls-usage.expected smtpd-starttls -x sh
expect_usage smtpd-starttls-usage.expected smtpd-starttls -t
expect_refused 'smtpd-starttls: fatal: SSLCTLFD is not set: run smtpd-starttls under ucspitlsd' \
  smtpd-starttls sh -c ": >$T/ran"
expect_refused 'smtpd-starttls: fatal: SSLREADFD is not set: run smtpd-starttls under ucspitlsd' \
  env SSLCTLFD=5 smtpd-starttls sh -c ": >$T/ran" 5>/dev/null
expect_refused 'smtpd-starttls: fatal: invalid SSLCTLFD: x' env SSLCTLFD=x smtpd-starttls sh -c ": >$T/ran"
expect_refused 'smtpd-starttls: fatal: invalid SSLCTLFD: 1 is a standard descriptor' env SSLCTLFD=1 smtpd-starttls sh -c ": >$T/ran"
expect_refused 'smtpd-starttls: fatal: SSLWRITEFD=9 is not an open descriptor: run smtpd-starttls under ucspitlsd' \
  env SSLCTLFD=5 SSLREADFD=6 SSLWRITEFD=9 smtpd-starttls sh -c ": >$T/ran" 5>/dev/null 6>/dev/null
expect_refused 'smtpd-starttls: fatal: SSLCTLFD, SSLREADFD and SSLWRITEFD must be three different descriptors' \
  env SSLCTLFD=5 SSLREADFD=5 SSLWRITEFD=6 smtpd-starttls sh -c ": >$T/ran" 5>/dev/null 6>/dev/null
expect_refused 'smtpd-starttls: fatal: timeout (-t) must be an unsigned integer (seconds), not: 1x' \
  smtpd-starttls -t 1x sh -c ": >$T/ran"
expect_refused 'smtpd-starttls: fatal: verbosity (-v) must be an unsigned integer, not: -1' \
  smtpd-starttls -v -1 sh -c ": >$T/ran"

# ---- swaks --tls, port 25 policy, AUTH after TLS
st_start sw -v2 -- $(st_smtpd --auth)
run 0 timeout 30 swaks --server 127.0.0.1 --port "$sw_PORT" --tls --tls-verify \
  --tls-ca-path "$P/ca.pem" --tls-sni localhost --ehlo client.test \
  --auth PLAIN --auth-user user --auth-password secret \
  --from sender@example.org --to rcpt@example.net --header 'Subject: st-swaks-1'
expect_grep '^<-  250 STARTTLS$' "$T/out"
expect_no_grep '^<-  250.AUTH' "$T/out"
expect_grep '^<-  220 2\.0\.0 Ready to start TLS$' "$T/out"
expect_grep '^=== TLS started with cipher TLSv1\.2:ECDHE-ECDSA-AES(128|256)-GCM' "$T/out"
expect_grep '^<~  250-AUTH PLAIN LOGIN$' "$T/out"
expect_no_grep '^<~  250.STARTTLS' "$T/out"
expect_grep '^<~  235 2\.7\.0 ' "$T/out"
expect_grep '^<~  250 2\.0\.0 Ok: queued [0-9]+ bytes$' "$T/out"
expect_grep '^<~  221 ' "$T/out"
n=$(grep -c '^<[-~]  220 ' "$T/out") || :
expect_eq "$n" 2 "swaks: 220 lines (greeting, STARTTLS)"
uc_wait_ends sw 1
uc_expect_status sw 0
set -- $(st_pids)
expect_eq "$#" 2 "smtpd processes"
[ "$1" != "$2" ] || fail "the smtpd inside TLS is the same process"
expect_grep "^$1 start tls=none$" "$T/smtpd.log"
expect_grep "^$2 start tls=TLSv1\.2$" "$T/smtpd.log"
expect_grep "^$2 env SSL_CIPHER=ECDHE-ECDSA-AES" "$T/smtpd.log"
expect_no_grep "^[0-9]+ env SSL(CTLFD|READFD|WRITEFD)=" "$T/smtpd.log"
st_cmds "$1" >/dev/null
printf '%s\n' "b'EHLO client.test\\r\\n'" > "$T/want"
expect_file_eq "$T/$1.cmds" "$T/want"
expect_grep "^$2 sasl: initial " "$T/smtpd.log"
expect_grep "^$2 data: [0-9]+ bytes subject=st-swaks-1$" "$T/smtpd.log"
expect_grep "^$2 quit$" "$T/smtpd.log"
expect_grep '^smtpd-starttls: info: STARTTLS: plaintext smtpd ended, 0 bytes sent after the command discarded$' "$sw_ERR"
expect_grep '^ucspitlsd: info: peer 127\.0\.0\.1:[0-9]+ protocol TLSv1\.2 ' "$sw_ERR"
expect_no_grep 'warning|fatal' "$sw_ERR"

# ---- swaks without TLS, port 25 policy: plaintext mail is accepted
: > "$T/smtpd.log"
run 0 timeout 30 swaks --server 127.0.0.1 --port "$sw_PORT" --ehlo client.test \
  --from sender@example.org --to rcpt@example.net --header 'Subject: st-plain'
expect_grep '^<-  250 STARTTLS$' "$T/out"
expect_grep '^<-  250 2\.0\.0 Ok: queued' "$T/out"
expect_grep "^[0-9]+ data: [0-9]+ bytes subject=st-plain$" "$T/smtpd.log"
expect_eq "$(st_pids | wc -l)" 1 "plaintext: smtpd processes"
uc_wait_ends sw 2
uc_expect_status sw 0
server_stop sw

# ---- -r and SMTPD_REQUIRE_TLS: 530 before TLS, mail after
for how in opt env
do
  : > "$T/smtpd.log"
  if [ $how = opt ]
  then st_start rq -r -v2 -- $(st_smtpd)
  else tcpserver_start rq -v -- env SMTPD_REQUIRE_TLS= CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" \
    ucspitlsd -v2 smtpd-starttls -v2 $(st_smtpd)
  fi
  run 23 timeout 30 swaks --server 127.0.0.1 --port "$rq_PORT" --ehlo client.test \
    --from sender@example.org --to rcpt@example.net
  expect_grep '^<\*\* 530 5\.7\.0 Must issue a STARTTLS command first$' "$T/out"
  run 0 timeout 30 swaks --server 127.0.0.1 --port "$rq_PORT" --tls --tls-verify \
    --tls-ca-path "$P/ca.pem" --tls-sni localhost --ehlo client.test \
    --from sender@example.org --to rcpt@example.net --header "Subject: st-req-$how"
  expect_grep '^<~  250 2\.0\.0 Ok: queued' "$T/out"
  expect_grep "^[0-9]+ data: [0-9]+ bytes subject=st-req-$how$" "$T/smtpd.log"
  # MAIL reached only the smtpd inside TLS
  tlspid=$(sed -n 's/^\([0-9]*\) start tls=TLSv1\.2$/\1/p' "$T/smtpd.log")
  expect_eq "$(grep "cmd: b'MAIL" "$T/smtpd.log" | cut -d' ' -f1)" "$tlspid" "$how: pid of the smtpd that got MAIL"
  uc_wait_ends rq 2
  uc_expect_status rq 0
  server_stop rq
done

# ---- smtpfront-echo (no starttls plugin) with three STARTTLS clients
drive="$UTLS_TOP/tests/helpers/uc-smtpdrive.py"
st_start mf -v2 -- env PLUGINS=accept /usr/sbin/smtpfront-echo
run 0 timeout 40 python3 "$drive" -n st-ossl openssl s_client -connect "127.0.0.1:$mf_PORT" \
  -starttls smtp -name client.test -CAfile "$P/ca.pem" -verify_return_error \
  -verify_hostname localhost -servername localhost -quiet
expect_grep '^S: 250 Received [0-9]+ bytes' "$T/out"
expect_grep '^S: 221 ' "$T/out"
expect_grep '^verify return:1$' "$T/err"
run 0 timeout 40 python3 "$drive" -n st-gnutls gnutls-cli --starttls-proto=smtp \
  --x509cafile="$P/ca.pem" -p "$mf_PORT" localhost
expect_grep '^S: 250 Received [0-9]+ bytes' "$T/out"
expect_grep '^O: - Status: The certificate is trusted' "$T/out"
run 0 env CAFILE="$P/ca.pem" timeout -k 2 20 tcpclient -R -H -l0 127.0.0.1 "$mf_PORT" \
  ucspitlsc -k localhost starttls -p smtp -h client.test sh "$UTLS_TOP/tests/helpers/uc-smtpclient.sh" st-own "$T"
expect_grep '^S: 250 Received [0-9]+ bytes' "$T/st-own.transcript"
expect_grep '^S: 221 ' "$T/st-own.transcript"
uc_wait_ends mf 3
uc_expect_status mf 0 1
uc_expect_status mf 0 2
uc_expect_status mf 0 3
for tag in st-ossl st-gnutls st-own
do
  expect_grep "^mailfront\[[0-9]+\]: Subject: uc-smtp(drive|client) $tag$" "$mf_ERR"
done
n=$(grep -c '^smtpd-starttls: info: TLS started, smtpd restarted as pid ' "$mf_ERR") || :
expect_eq "$n" 3 "smtpfront-echo: TLS sessions"
expect_no_grep '^(smtpd-starttls|ucspitlsd): (warning|fatal)' "$mf_ERR"
server_stop mf
exit 0
