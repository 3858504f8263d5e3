#!/bin/sh
# ISC license.
# timeout: 120
#
# 87-smtpd-starttls-protocol: the SMTP dialogue of smtpd-starttls, byte
# for byte, with the scripted client tests/helpers/st-client.py (Python's
# ssl for TLS) and the scripted smtpd tests/helpers/st-smtpd.py:
#   STARTTLS + MAIL FROM in one write: 220, the MAIL never reaches any
#     smtpd, the count is logged at -v2; no second 220 after TLS (the new
#     greeting is swallowed); the new smtpd has SSL_PROTOCOL and saw no
#     command from before TLS
#   EHLO + STARTTLS pipelined in one write
#   AUTH hidden (also the AUTH= form) and refused with 538 before TLS, not
#     forwarded; offered and working after TLS (a two-step AUTH LOGIN)
#   an smtpd that offers STARTTLS itself: one STARTTLS line before TLS,
#     none after; STARTTLS with a parameter: 501; a second STARTTLS: 503
#   -r: 530 for MAIL, RCPT, DATA, VRFY before TLS; EHLO HELO NOOP RSET QUIT pass
#   a non-2xx greeting from the smtpd started inside TLS: it answers the
#     client's next command, then the session ends
#   a failed handshake: exit 98, no smtpd started again

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/uc-common.sh"
. "${0%/*}/../helpers/st-common.sh"

need tcpserver ucspitlsd smtpd-starttls python3
pki
unset SMTPD_REQUIRE_TLS 2>/dev/null || :

# ---- STARTTLS + MAIL FROM in one write; no second 220; a new smtpd
st_start a -v2 -- $(st_smtpd --auth)
st_run a1 "$a_PORT" 0 <<'SCRIPT'
< 220 st-smtpd ESMTP test
> EHLO client.test
< 250 STARTTLS
>> b"STARTTLS\r\nMAIL FROM:<injected@example.org>\r\n"
< 220 2.0.0 Ready to start TLS
tls
quiet 0.5
> EHLO client.test
< 250 SIZE
> MAIL FROM:<sender@example.org>
< 250
> QUIT
< 221
closed
SCRIPT
cat > "$T/want" <<'WANT'
S: 220 st-smtpd ESMTP test
C: EHLO client.test
S: 250-st-smtpd
S: 250-PIPELINING
S: 250-8BITMIME
S: 250-SIZE 100000000
S: 250 STARTTLS
C: b'STARTTLS\r\nMAIL FROM:<injected@example.org>\r\n'
S: 220 2.0.0 Ready to start TLS
T: TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256
C: EHLO client.test
S: 250-st-smtpd
S: 250-PIPELINING
S: 250-8BITMIME
S: 250-AUTH PLAIN LOGIN
S: 250-AUTH=PLAIN LOGIN
S: 250 SIZE 100000000
C: MAIL FROM:<sender@example.org>
S: 250 2.0.0 Ok
C: QUIT
S: 221 2.0.0 Bye
S: <closed>
WANT
expect_file_eq "$T/a1.out" "$T/want"
uc_wait_ends a 1
uc_expect_status a 0
set -- $(st_pids)
expect_eq "$#" 2 "smtpd processes"
[ "$1" != "$2" ] || fail "the smtpd inside TLS is the same process"
expect_grep "^$2 start tls=TLSv1\.2$" "$T/smtpd.log"
expect_grep "^$2 env SSL_PROTOCOL=TLSv1\.2$" "$T/smtpd.log"
expect_grep "^$2 env SSL_TLS_SNI_SERVERNAME=localhost$" "$T/smtpd.log"
expect_no_grep 'injected' "$T/smtpd.log"
printf '%s\n' "b'EHLO client.test\\r\\n'" > "$T/want"
st_cmds "$1" >/dev/null
expect_file_eq "$T/$1.cmds" "$T/want"
printf '%s\n' "b'EHLO client.test\\r\\n'" "b'MAIL FROM:<sender@example.org>\\r\\n'" "b'QUIT\\r\\n'" > "$T/want"
st_cmds "$2" >/dev/null
expect_file_eq "$T/$2.cmds" "$T/want"
expect_grep '^smtpd-starttls: info: STARTTLS: plaintext smtpd ended, 34 bytes sent after the command discarded$' "$a_ERR"
expect_grep "^smtpd-starttls: info: TLS started, smtpd restarted as pid $2$" "$a_ERR"

# ---- EHLO + STARTTLS pipelined; AUTH before and after TLS
: > "$T/smtpd.log"
st_run a2 "$a_PORT" 0 <<'SCRIPT'
< 220
>> b"EHLO client.test\r\nSTARTTLS\r\n"
< 250 STARTTLS
< 220 2.0.0 Ready to start TLS
tls
> EHLO again.test
< 250 SIZE
> AUTH LOGIN
< 334
> dXNlcg==
< 334 UGFzc3dvcmQ6
> c2VjcmV0
< 235 2.7.0
> QUIT
< 221
SCRIPT
uc_wait_ends a 2
uc_expect_status a 0
st_run a3 "$a_PORT" 0 <<'SCRIPT'
< 220
> EHLO client.test
< 250 STARTTLS
> AUTH PLAIN AHVzZXIAc2VjcmV0
< 538 5.7.11 Encryption required for requested authentication mechanism
> AUTH LOGIN
< 538 5.7.11
> QUIT
< 221
SCRIPT
expect_no_grep '250.AUTH' "$T/a3.out"
set -- $(st_pids)
expect_eq "$#" 3 "smtpd processes"
expect_grep "^$2 sasl: b'dXNlcg=='$" "$T/smtpd.log"
expect_grep "^$2 sasl: b'c2VjcmV0'$" "$T/smtpd.log"
expect_no_grep "^$3 cmd: b'AUTH" "$T/smtpd.log"
server_stop a

# ---- an smtpd that offers STARTTLS; 501; 503
: > "$T/smtpd.log"
st_start b -- $(st_smtpd --starttls)
st_run b1 "$b_PORT" 0 <<'SCRIPT'
< 220
> EHLO client.test
< 250 SIZE
> STARTTLS now
< 501 5.5.4 Syntax error: STARTTLS takes no parameters
> starttls
< 220 2.0.0 Ready to start TLS
tls
> EHLO client.test
< 250 SIZE
> STARTTLS
< 503 5.5.1 TLS already active
> NOOP
< 250
> QUIT
< 221
SCRIPT
# one STARTTLS line before TLS (the smtpd's), none after
n=$(grep -c '^S: 250.STARTTLS$' "$T/b1.out") || :
expect_eq "$n" 1 "EHLO reply lines with STARTTLS"
expect_grep '^S: 250-STARTTLS$' "$T/b1.out"
set -- $(st_pids)
expect_no_grep "cmd: b'(STARTTLS|starttls)" "$T/smtpd.log"
uc_wait_ends b 1
uc_expect_status b 0
server_stop b

# ---- -r: what passes before TLS
: > "$T/smtpd.log"
st_start r -r -- $(st_smtpd --auth)
st_run r1 "$r_PORT" 0 <<'SCRIPT'
< 220
> HELO client.test
< 250 st-smtpd
> EHLO client.test
< 250 STARTTLS
> NOOP
< 250
> RSET
< 250
>> b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nVRFY x\r\nNOOP\r\n"
< 530 5.7.0 Must issue a STARTTLS command first
< 530 5.7.0
< 530 5.7.0
< 530 5.7.0
< 250
> AUTH PLAIN AHVzZXIAc2VjcmV0
< 538
> QUIT
< 221
SCRIPT
printf '%s\n' "b'HELO client.test\\r\\n'" "b'EHLO client.test\\r\\n'" "b'NOOP\\r\\n'" "b'RSET\\r\\n'" "b'NOOP\\r\\n'" "b'QUIT\\r\\n'" > "$T/want"
set -- $(st_pids)
st_cmds "$1" >/dev/null
expect_file_eq "$T/$1.cmds" "$T/want"
uc_wait_ends r 1
uc_expect_status r 0
server_stop r

# ---- a 421 greeting inside TLS: the answer to the next command, then the end
: > "$T/smtpd.log"
st_start g -v2 -- $(st_smtpd --tls-greeting 421_4.3.2_st-smtpd_says_go_away)
st_run g1 "$g_PORT" 0 <<'SCRIPT'
< 220
> STARTTLS
< 220 2.0.0 Ready to start TLS
tls
quiet 0.5
> EHLO client.test
< 421 4.3.2 st-smtpd says go away
closed
SCRIPT
uc_wait_ends g 1
uc_expect_status g 0
expect_grep '^smtpd-starttls: warning: the smtpd started inside TLS greeted with code 421: it answers the client.s next command, then the session ends$' "$g_ERR"
set -- $(st_pids)
expect_eq "$#" 2 "smtpd processes"
expect_no_grep "^$2 cmd:" "$T/smtpd.log"
server_stop g

# ---- a failed handshake: 98, no new smtpd
: > "$T/smtpd.log"
st_start h -v2 -- $(st_smtpd)
st_run h1 "$h_PORT" 0 <<'SCRIPT'
< 220
> EHLO client.test
< 250
> STARTTLS
< 220 2.0.0 Ready to start TLS
tls-fail
SCRIPT
uc_wait_ends h 1
uc_expect_status h 98
expect_grep '^ucspitlsd: fatal: TLS handshake failed: ' "$h_ERR"
expect_grep '^smtpd-starttls: fatal: TLS handshake failed \(the TLS engine says why\)$' "$h_ERR"
expect_eq "$(st_pids | wc -l)" 1 "smtpd processes after a failed handshake"
server_stop h
exit 0
