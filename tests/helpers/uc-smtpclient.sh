#!/bin/sh
# ISC license.
#
# uc-smtpclient.sh TAG OUTDIR: an SMTP client on fds 6 (read) / 7 (write),
# as started by "starttls -p smtp" under ucspitlsc: the server's greeting
# and STARTTLS are behind; it sends EHLO, MAIL, RCPT, DATA, a message with
# "Subject: uc-smtpclient TAG", QUIT, one at a time, checking each reply
# code. Writes OUTDIR/TAG.transcript ("C: ..."/"S: ..."), OUTDIR/TAG.env
# (its SSL_* variables and the UCSPI-TLS ones, sorted). Exit 0 if all replies
# were right, 1 otherwise.

tag=$1
dir=$2
tr=$dir/$tag.transcript
: >"$tr"
env | grep -E '^(SSL_|SSLCTLFD|SSLREADFD|SSLWRITEFD)' | sort >"$dir/$tag.env"

send ()
{
  printf 'C: %s\n' "$1" >>"$tr"
  printf '%s\r\n' "$1" >&7
}

# reply CODE: read a whole reply, fail unless its code is CODE
reply ()
{
  while :
  do
    IFS= read -r l <&6 || { echo "S: EOF" >>"$tr" ; exit 1 ; }
    l=$(printf '%s' "$l" | tr -d '\r')
    printf 'S: %s\n' "$l" >>"$tr"
    case "$l" in
      ???-*) ;;
      *) break ;;
    esac
  done
  case "$l" in
    "$1"*) ;;
    *) echo "uc-smtpclient: expected $1, got: $l" >&2 ; exit 1 ;;
  esac
}

send "EHLO client.test"
reply 250
send "MAIL FROM:<sender@example.org>"
reply 250
send "RCPT TO:<rcpt@example.net>"
reply 250
send "DATA"
reply 354
send "Subject: uc-smtpclient $tag"
send ""
send "body $tag"
send "."
reply 250
send "QUIT"
reply 221
exit 0
