#!/bin/sh
# ISC license.
#
# e2e-http.sh payloadfile
#
# A tiny HTTP/1.0 responder, as a UCSPI application behind tlsd: reads
# the request line and the headers, then answers 200 with a body made of
# one line of facts (request path, SSL_PROTOCOL, SSL_CIPHER,
# SSL_ALPN_PROTOCOL, SSL_TLS_SNI_SERVERNAME) followed by the payload
# file, with the payload's SHA-256 in an X-Payload-SHA256 header.
# A request it cannot parse gets a 400; exit 0 either way.

[ $# -eq 1 ] || { echo "usage: e2e-http.sh payloadfile" >&2 ; exit 100 ; }
cr=$(printf '\r')
IFS= read -r req || exit 3
req=${req%"$cr"}
while IFS= read -r h
do
  h=${h%"$cr"}
  [ -n "$h" ] || break
done
set -f
# shellcheck disable=SC2086 # split the request line into its words
set -- "$1" $req
if [ $# -ne 4 ] || [ "$2" != GET ]
then
  printf 'HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n'
  exit 0
fi
facts="path=$3 protocol=${SSL_PROTOCOL-} cipher=${SSL_CIPHER-} alpn=${SSL_ALPN_PROTOCOL-none} sni=${SSL_TLS_SNI_SERVERNAME-none}"
size=$(wc -c <"$1")
sum=$(sha256sum <"$1")
sum=${sum%% *}
printf 'HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\nX-SSL-Cipher: %s\r\nX-Payload-SHA256: %s\r\nConnection: close\r\n\r\n%s\n' \
  $(( ${#facts} + 1 + size )) "${SSL_CIPHER-}" "$sum" "$facts"
exec cat -- "$1"
