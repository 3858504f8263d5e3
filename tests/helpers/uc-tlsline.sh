#!/bin/sh
# ISC license.
#
# uc-tlsline.sh TAG DIR: the program after "starttls -p pop3|imap|lmtp"
# for uc-mailsrv.py: writes its SSL_* variables to DIR/TAG.env, reads the
# server's TLS banner line on fd 6 into DIR/TAG.banner, sends
# "hello TAG" on fd 7, reads the echo into DIR/TAG.echo.
env | grep -E '^(SSL_|SSLCTLFD|SSLREADFD|SSLWRITEFD)' | sort >"$2/$1.env"
IFS= read -r l <&6 || exit 1
printf '%s\n' "$l" | tr -d '\r' >"$2/$1.banner"
printf 'hello %s\r\n' "$1" >&7
IFS= read -r l <&6 || exit 1
printf '%s\n' "$l" | tr -d '\r' >"$2/$1.echo"
