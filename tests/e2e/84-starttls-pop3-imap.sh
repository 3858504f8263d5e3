#!/bin/sh
# ISC license.
# timeout: 60
#
# 84-starttls-pop3-imap: starttls -p pop3, -p imap (and -p lmtp) under
# ucspitlsc, against scripted servers (tests/helpers/uc-mailsrv.py) that
# are themselves UCSPI-TLS applications of ucspitlsd: plaintext dialogue
# on 0/1, then "Y" and TLS on SSLREADFD/SSLWRITEFD.
#   ok       STLS / STARTTLS offered (in lower case, on a second
#            CAPABILITY line for IMAP) and accepted: the program
#            (tests/helpers/uc-tlsline.sh) runs inside TLS and sees SSL_*
#   notls    not offered: 98, "does not offer", the program never runs,
#            the server never gets STLS/STARTTLS
#   fake     look-alikes only (STLSX, XSTARTTLS, "* OK STARTTLS"): same
#   capaerr  CAPA -ERR / CAPABILITY BAD / LHLO 500: 98, names the reply
#   refuse   -ERR / NO / 454 to the command: 98, "server refused"
#   inject   a line after the go-ahead: 98, "response injection"

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/uc-common.sh"

need tcpserver tcpclient ucspitlsd ucspitlsc starttls python3
pki
P=$UTLS_PKI
H=$UTLS_TOP/tests/helpers

# srv PROTO VARIANT: sets PORT and N (the server's name)
srv ()
{
  N=$1_$2
  tcpserver_start "$N" -v -- env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" \
    ucspitlsd python3 "$H/uc-mailsrv.py" "$1" "$2" "$T/$N.report"
  eval "PORT=\$${N}_PORT"
}

# cli STATUS PROTO: connects to $PORT, runs starttls -p PROTO uc-tlsline.sh
cli ()
{
  _st=$1
  _p=$2
  rm -f "$T/$N.ran"
  run "$_st" env CAFILE="$P/ca.pem" timeout -k 2 20 tcpclient -R -H -l0 127.0.0.1 "$PORT" \
    ucspitlsc -k localhost starttls -p "$_p" -h client.test \
    sh -c ': >"$1/$2.ran"; exec sh "$3" "$2" "$1"' x "$T" "$N" "$H/uc-tlsline.sh"
}

# server side: how the scripted server's connection ended
srv_end ()
{
  uc_wait_ends "$N" 1
  uc_expect_status "$N" 0
  wait_for grep -q '^end: ' "$T/$N.report"
  expect_grep "^end: $1\$" "$T/$N.report"
}

# fail_closed PROTO VARIANT MESSAGE [NOT-SENT]
fail_closed ()
{
  srv "$1" "$2"
  cli 98 "$1"
  [ ! -e "$T/$N.ran" ] || fail "$N: the program ran"
  printf 'starttls: fatal: %s\n' "$3" >"$T/want"
  expect_file_eq "$T/err" "$T/want"
  srv_end eof
  if [ -n "${4-}" ]
  then
    expect_no_grep "$4" "$T/$N.report"
  fi
  expect_no_grep '^vars: ' "$T/$N.report"
  expect_no_grep '^ucspitlsd:' "$(eval echo "\$${N}_ERR")"
}

for proto in pop3 imap lmtp
do
  # ---- success
  srv "$proto" ok
  cli 0 "$proto"
  [ ! -s "$T/err" ] || { cat "$T/err" >&2 ; fail "$N: stderr not empty"; }
  expect_eq "$(cat "$T/$N.banner")" "TLS-BANNER TLSv1.2" "$N: banner inside TLS"
  expect_eq "$(cat "$T/$N.echo")" "TLS-ECHO hello $N" "$N: echo inside TLS"
  for v in SSL_PROTOCOL=TLSv1.2 SSL_SERVER_S_DN_CN=localhost SSL_TLS_SNI_SERVERNAME=localhost
  do
    grep -q -x -F "$v" "$T/$N.env" || { cat "$T/$N.env" >&2 ; fail "$N: $v not in the program's environment"; }
  done
  expect_no_grep '^SSL(CTLFD|READFD|WRITEFD)=' "$T/$N.env"
  srv_end tls
  expect_grep "^tls-line: hello $N\$" "$T/$N.report"
  expect_grep '^vars: [1-9]' "$T/$N.report"
  expect_no_grep '^pipelined:' "$T/$N.report"
done
expect_grep '^cmd: CAPA$' "$T/pop3_ok.report"
expect_grep '^cmd: STLS$' "$T/pop3_ok.report"
expect_grep '^cmd: A001 CAPABILITY$' "$T/imap_ok.report"
expect_grep '^cmd: A002 STARTTLS$' "$T/imap_ok.report"
expect_grep '^cmd: LHLO client\.test$' "$T/lmtp_ok.report"
expect_grep '^cmd: STARTTLS$' "$T/lmtp_ok.report"

# ---- fail closed
fail_closed pop3 notls 'server does not offer STLS: refusing to go on in plaintext' '^cmd: STLS'
fail_closed pop3 fake 'server does not offer STLS: refusing to go on in plaintext' '^cmd: STLS'
fail_closed pop3 capaerr 'server refused CAPA: -ERR no CAPA here' '^cmd: STLS'
fail_closed pop3 refuse 'server refused STLS: -ERR not now'
fail_closed imap notls 'server does not offer STARTTLS: refusing to go on in plaintext' 'STARTTLS'
fail_closed imap fake 'server does not offer STARTTLS: refusing to go on in plaintext' 'STARTTLS'
fail_closed imap capaerr 'server refused CAPABILITY: BAD not now' 'STARTTLS'
fail_closed imap refuse 'server refused STARTTLS: NO not now'
fail_closed lmtp notls 'server does not offer STARTTLS: refusing to go on in plaintext' 'STARTTLS'
fail_closed lmtp fake 'server does not offer STARTTLS: refusing to go on in plaintext' 'STARTTLS'
fail_closed lmtp capaerr 'server refused LHLO: 500 5.5.1 say LHLO properly' 'STARTTLS'
fail_closed lmtp refuse 'server refused STARTTLS: 454 4.7.0 TLS not available'

# ---- response injection after the go-ahead: the server went on to TLS
# (it wrote Y), the client refused before any ClientHello
for proto in pop3 imap lmtp
do
  srv "$proto" inject
  cli 98 "$proto"
  [ ! -e "$T/$N.ran" ] || fail "$N: the program ran"
  printf 'starttls: fatal: %s\n' 'server sent data after its STARTTLS reply (response injection): refusing' >"$T/want"
  expect_file_eq "$T/err" "$T/want"
  uc_wait_ends "$N" 1
  uc_expect_status "$N" 98
  expect_grep '^ucspitlsd: fatal: TLS handshake failed: ' "$(eval echo "\$${N}_ERR")"
  wait_for grep -q '^end: ' "$T/$N.report"
  expect_grep '^vars: 0$' "$T/$N.report"
done

exit 0
