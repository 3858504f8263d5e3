#!/bin/sh
# ISC license.
# timeout: 150
#
# 88-smtpd-starttls-input: bad input, payloads and endings, with the
# scripted client and smtpd (tests/helpers/st-client.py, st-smtpd.py):
#   a command line over 1024 bytes, with and without its LF: 500, the
#     session goes on; a NUL in a command: 500; a bare LF: CRLF for the
#     smtpd; none of the bad lines reaches the smtpd
#   DATA payloads (1 MiB, and lines that look like commands) and BDAT
#     chunks (one holding "QUIT" and "STARTTLS") pass without being read
#     as commands, before and inside TLS; under -r a refused BDAT chunk
#     is thrown away, not read as commands
#   -t: an idle client gets 421 4.4.2 and exit 98; so does a client that
#     never reads; an smtpd that does not answer gets ended (SIGTERM),
#     one that also ignores SIGTERM by SIGKILL (exit code 137 logged)
#   200 commands pipelined in one write, more than the 128 replies kept
#     track of: each reaches the smtpd once, in order, each reply returns
#   an smtpd that dies in the middle: 421 4.3.0 to the client, exit code
#     of the smtpd (7)
#   the client's EOF before the greeting, in a command line, in DATA, in
#     BDAT, right after STARTTLS: the smtpd is ended cleanly each time,
#     exit 0; after our 220: a failed handshake, 98; a half-close after
#     QUIT inside TLS: the 221 still arrives

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/uc-common.sh"
. "${0%/*}/../helpers/st-common.sh"

need tcpserver ucspitlsd smtpd-starttls python3
pki
unset SMTPD_REQUIRE_TLS 2>/dev/null || :
long=$(printf '%01100d' 0)
longer=$(printf '%013000d' 0)

# ---- overlong lines, NUL, bare LF
st_start a -- $(st_smtpd --chunking)
cat > "$T/script" <<SCRIPT
< 220
> EHLO client.test
< 250 STARTTLS
> MAIL FROM:<$long@example.org>
< 500 5.5.2 Line too long
> NOOP
< 250
>> b"RCPT TO:<$longer>"
< 500 5.5.2 Line too long
>> b"xx\r\nRSET\r\n"
< 250
>> b"NOOP \x00 x\r\n"
< 500 5.5.2 Syntax error: NUL byte in command
>> b"HELO bare.lf\nNOOP\n"
< 250 st-smtpd
< 250
> QUIT
< 221
closed
SCRIPT
st_run a1 "$a_PORT" 0 < "$T/script"
set -- $(st_pids)
printf '%s\n' "b'EHLO client.test\\r\\n'" "b'NOOP\\r\\n'" "b'RSET\\r\\n'" \
  "b'HELO bare.lf\\r\\n'" "b'NOOP\\r\\n'" "b'QUIT\\r\\n'" > "$T/want"
st_cmds "$1" >/dev/null
expect_file_eq "$T/$1.cmds" "$T/want"
uc_wait_ends a 1
uc_expect_status a 0
expect_grep '^smtpd-starttls: warning: client command line too long: answered 500$' "$a_ERR"
expect_grep '^smtpd-starttls: warning: client command line with a NUL byte: answered 500$' "$a_ERR"

# ---- DATA and BDAT payloads, before and inside TLS
: > "$T/smtpd.log"
st_run a2 "$a_PORT" 0 <<'SCRIPT'
< 220
> EHLO client.test
< 250 STARTTLS
> MAIL FROM:<a@example.org>
< 250
> DATA
< 354
>> b"Subject: plain\r\n\r\nSTARTTLS\r\nQUIT\r\n..\r\n.\r\n"
< 250 2.0.0 Ok: queued 38 bytes
>> b"BDAT 16\r\nQUIT\r\nSTARTTLS\r\nBDAT 3 LAST\r\nabc"
< 250 2.0.0 16 octets received
< 250 2.0.0 3 octets received, message queued
> STARTTLS
< 220
tls
> EHLO client.test
< 250 SIZE
> MAIL FROM:<a@example.org>
< 250
> DATA
< 354
>> b"Subject: big\r\n\r\n"
>big 1048576
>> b".\r\n"
< 250 2.0.0 Ok: queued 1048592 bytes
>> b"BDAT 12\r\nRSET\r\nQUIT\r\nBDAT 0 LAST\r\n"
< 250 2.0.0 12 octets
< 250 2.0.0 0 octets received, message queued
> QUIT
< 221
closed
SCRIPT
set -- $(st_pids)
expect_grep "^$1 data: 38 bytes subject=plain$" "$T/smtpd.log"
expect_grep "^$1 bdat: 16 bytes$" "$T/smtpd.log"
expect_grep "^$1 bdat: 3 bytes last$" "$T/smtpd.log"
expect_grep "^$2 data: 1048592 bytes subject=big$" "$T/smtpd.log"
expect_grep "^$2 bdat: 12 bytes$" "$T/smtpd.log"
expect_grep "^$2 bdat: 0 bytes last$" "$T/smtpd.log"
expect_no_grep "cmd: b'(QUIT|STARTTLS|RSET)" "$(grep -v "cmd: b'QUIT.r.n'$" "$T/smtpd.log" > "$T/nq.log" ; echo "$T/nq.log")"
uc_wait_ends a 2
uc_expect_status a 0
server_stop a

# ---- -r: a refused BDAT chunk is thrown away
: > "$T/smtpd.log"
st_start r -r -- $(st_smtpd --chunking)
st_run r1 "$r_PORT" 0 <<'SCRIPT'
< 220
> EHLO client.test
< 250 STARTTLS
>> b"BDAT 10 LAST\r\nSTARTTLS\r\nNOOP\r\n"
< 530 5.7.0
< 250
> QUIT
< 221
SCRIPT
set -- $(st_pids)
expect_eq "$#" 1 "smtpd processes"
printf '%s\n' "b'EHLO client.test\\r\\n'" "b'NOOP\\r\\n'" "b'QUIT\\r\\n'" > "$T/want"
st_cmds "$1" >/dev/null
expect_file_eq "$T/$1.cmds" "$T/want"
server_stop r

# ---- -t: an idle client; an smtpd that does not answer
: > "$T/smtpd.log"
st_start t -t 2 -- $(st_smtpd --hang-on NOOP)
st_run t1 "$t_PORT" 0 <<'SCRIPT'
< 220
> EHLO client.test
< 250
< 421 4.4.2 Idle timeout, closing connection
closed
SCRIPT
uc_wait_ends t 1
uc_expect_status t 98
expect_grep '^smtpd-starttls: warning: idle timeout: closing the connection$' "$t_ERR"
st_run t2 "$t_PORT" 0 <<'SCRIPT'
< 220
> NOOP
< 421 4.4.2 Idle timeout, closing connection
closed
SCRIPT
uc_wait_ends t 2
uc_expect_status t 98
set -- $(st_pids)
expect_eq "$#" 2 "smtpd processes"
expect_no_grep "^$2 (eof|quit)" "$T/smtpd.log"
server_stop t

# an smtpd that does not answer and ignores SIGTERM: SIGKILL ends it
# (half a second after SIGTERM), and smtpd-starttls says so
: > "$T/smtpd.log"
st_start k -v 2 -t 2 -- $(st_smtpd --hang-on NOOP --ignore-term)
st_run k1 "$k_PORT" 0 <<'SCRIPT'
< 220
> NOOP
< 421 4.4.2 Idle timeout, closing connection
closed
SCRIPT
uc_wait_ends k 1
uc_expect_status k 98
expect_grep '^smtpd-starttls: info: session ended, smtpd exit code 137$' "$k_ERR"
set -- $(st_pids)
expect_eq "$#" 1 "smtpd processes"
kill -0 "$1" 2>/dev/null && fail "the smtpd that ignored SIGTERM still runs"
server_stop k

# ---- 200 commands pipelined in one write: more than the 128 replies
# smtpd-starttls keeps track of at once. It stops reading commands
# while its queue is full, and goes on as replies come: every command
# reaches the smtpd once, in order, and every reply comes back.
: > "$T/smtpd.log"
st_start q -- $(st_smtpd)
i=0 cmds= replies=
while [ "$i" -lt 200 ]
do
  i=$((i + 1))
  cmds="${cmds}NOOP $i\\r\\n"
  replies="$replies< 250
"
done
printf '< 220\n>> b"%s"\n%s> QUIT\n< 221\nclosed\n' "$cmds" "$replies" > "$T/script"
st_run q1 "$q_PORT" 0 < "$T/script"
uc_wait_ends q 1
uc_expect_status q 0
set -- $(st_pids)
st_cmds "$1" >/dev/null
i=0
: > "$T/want"
while [ "$i" -lt 200 ]; do i=$((i + 1)); printf "%s\n" "b'NOOP $i\\r\\n'" >> "$T/want"; done
printf "%s\n" "b'QUIT\\r\\n'" >> "$T/want"
expect_file_eq "$T/$1.cmds" "$T/want"
server_stop q

# ---- a client that never reads
st_start n -t 2 -- $(st_smtpd)
python3 "$UTLS_TOP/tests/helpers/st-noread.py" "$n_PORT" 8 > "$T/noread.out" 2> "$T/noread.err" &
nr_PID=$!
bg_pid "$nr_PID"
uc_wait_ends n 1
uc_expect_status n 98
expect_grep '^smtpd-starttls: warning: idle timeout' "$n_ERR"
server_wait nr 10
expect_eq "$nr_STATUS" 0 "st-noread exit status"
printf 'blocked\nclosed\n' > "$T/want"
expect_file_eq "$T/noread.out" "$T/want"
server_stop n

# ---- an smtpd that dies in the middle
: > "$T/smtpd.log"
st_start d -- $(st_smtpd --die-on MAIL)
st_run d1 "$d_PORT" 0 <<'SCRIPT'
< 220
> EHLO client.test
< 250
> MAIL FROM:<a@example.org>
< 421 4.3.0 SMTP service ended unexpectedly, closing connection
closed
SCRIPT
uc_wait_ends d 1
uc_expect_status d 7
expect_grep '^smtpd-starttls: warning: the smtpd ended in the middle of the session$' "$d_ERR"
server_stop d

# ---- EOF from the client, in every state
: > "$T/smtpd.log"
st_start e -v2 -- $(st_smtpd --chunking)
i=0
for script in 'eof' \
  '< 220
>> b"MAIL FR"
eof' \
  '< 220
> MAIL FROM:<a@example.org>
< 250
> DATA
< 354
>> b"Subject: cut\r\n\r\nhalf a"
eof' \
  '< 220
> EHLO client.test
< 250
>> b"BDAT 100\r\nhalf a chunk"
eof' \
  '< 220
>> b"STARTTLS\r\n"
eof'
do
  i=$((i + 1))
  printf '%s\n' "$script" > "$T/script"
  st_run e$i "$e_PORT" 0 < "$T/script"
  uc_wait_ends e $i
  uc_expect_status e 0
  set -- $(st_pids)
  expect_eq "$#" "$i" "EOF $i: smtpd processes"
  eval "last=\${$i}"
  expect_grep "^$last eof$" "$T/smtpd.log"
done
expect_no_grep "data:|bdat:|cmd: b'MAIL FR'" "$T/smtpd.log"
expect_no_grep 'warning|fatal' "$e_ERR"
# EOF after our 220: that is a failed handshake (98), and no new smtpd
st_run e6 "$e_PORT" 0 <<'SCRIPT'
< 220
> STARTTLS
< 220 2.0.0 Ready to start TLS
eof
SCRIPT
uc_wait_ends e 6
uc_expect_status e 98
expect_eq "$(st_pids | wc -l)" 6 "EOF after 220: smtpd processes"
expect_grep '^smtpd-starttls: fatal: TLS handshake failed \(the TLS engine says why\)$' "$e_ERR"
# half-close after QUIT inside TLS: the 221 still comes
: > "$T/smtpd.log"
st_run e7 "$e_PORT" 0 <<'SCRIPT'
< 220
> STARTTLS
< 220
tls
>> b"EHLO client.test\r\nQUIT\r\n"
eof
< 250
< 221 2.0.0 Bye
closed
SCRIPT
uc_wait_ends e 7
uc_expect_status e 0
set -- $(st_pids)
expect_grep "^$2 quit$" "$T/smtpd.log"
server_stop e
exit 0
