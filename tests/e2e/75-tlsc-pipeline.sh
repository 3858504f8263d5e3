#!/bin/sh
# timeout: 60
# ISC license.
#
# 75-tlsc-pipeline.sh: tlsclient, end to end and as a command-line
# builder.
#
# - tlsclient against tlsserver (itself on 127.0.0.1 port 0, -1 prints
#   the port), -k localhost; a request, a TCP half-close (default -s),
#   and the reply the server sends after it got the end of the request.
# - The shell pipeline of the issue, as is: tlsclient 127.0.0.1 PORT
#   sh -c 'printf "GET / ..." >&7; cat <&6' against openssl s_server
#   -www; the host is an address, verified against the IP SAN.
# - An application that reads the whole reply and exits a little later,
#   having nothing more to send: no warning about undelivered output
#   (the server's close_notify cut nothing off).
# - The command line tlsclient builds (-W: a fake tcpclient printing its
#   argv): defaults -H -R -l 0 unless chosen otherwise, tcpclient options
#   before host and port, tlsc from tlsclient's directory, -k host added
#   unless -k was given, TLS options and the long options after tlsc,
#   ucspitlsc with -n; bad values refused (100) before any exec.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/cli-common.sh"

need tcpclient tcpserver tlsclient tlsserver tlsc tlsd openssl
pki
P=$UTLS_PKI
CAFILE=$P/ca.pem
export CAFILE
unset CADIR CERTFILE KEYFILE 2>/dev/null || :
TC=$UTLS_TOP/src/tls/tlsclient
[ -x "$TC" ] || TC=$(command -v tlsclient)
TCDIR=${TC%/*}

# --- tlsclient against tlsserver
cat >"$T/srv.sh" <<'EOF'
#!/bin/sh
req=$(cat)
printf 'reply to [%s] sni=%s\n' "$req" "${SSL_TLS_SNI_SERVERNAME-none}"
EOF
chmod +x "$T/srv.sh"
server_start ts out env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsserver -v2 -1 127.0.0.1 0 "$T/srv.sh"

run 0 timeout 20 "$TC" -v2 -k localhost 127.0.0.1 "$ts_PORT" \
  sh -c 'printf "hello over tlsclient" >&7; exec 7>&-; cat <&6'
expect_eq "$(cat "$T/out")" "reply to [hello over tlsclient] sni=localhost" "tlsclient -> tlsserver: reply"
expect_grep "^tlsc: info: peer 127\\.0\\.0\\.1:$ts_PORT protocol TLSv1\\.2 cipher ECDHE-ECDSA-AES128-GCM-SHA256 sni localhost alpn - peer_subject \"CN=localhost\" resumed Initial bytes_in 46 bytes_out 20 end eof-without-close_notify\$" "$T/err"
expect_eq "$(wc -l <"$T/err" | tr -d ' ')" 1 "tlsclient -> tlsserver: lines on stderr"
wait_for grep -q '^tlsd: info: ' "$ts_ERR"
expect_grep ' bytes_in 20 bytes_out 46 end ' "$ts_ERR"

# the host given to tlsclient is the name verified: 127.0.0.1 is in the
# certificate's IP SANs; a name the certificate lacks is refused
run 0 timeout 20 "$TC" 127.0.0.1 "$ts_PORT" sh -c 'printf ip >&7; exec 7>&-; cat <&6'
expect_eq "$(cat "$T/out")" "reply to [ip] sni=none" "tlsclient by address: reply"
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "tlsclient by address wrote on stderr"; }
run 98 timeout 20 "$TC" -k wrong.test 127.0.0.1 "$ts_PORT" sh -c ': >"$0"' "$T/wrong.ran"
err_is "tlsc: fatal: TLS handshake failed: host name mismatch: wanted wrong.test, certificate has localhost, *.wild.test, 127.0.0.1, ::1"
no_app "$T/wrong.ran" "tlsclient -k wrong.test"
server_stop ts

# --- the issue's pipeline against openssl s_server -www
ossl_start www -naccept 1 -www -cert "$P/ec.pem" -key "$P/ec.key" -cert_chain "$P/int.pem"
run 0 timeout 20 "$TC" 127.0.0.1 "$www_PORT" sh -c 'printf "GET / HTTP/1.0\r\n\r\n" >&7; cat <&6'
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "www: tlsclient wrote on stderr"; }
expect_eq "$(head -n 1 "$T/out" | tr -d '\r')" "HTTP/1.0 200 ok" "www: status line"
expect_grep '^New, TLSv1\.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256' "$T/out"

# --- the application read everything and had nothing more to send when
# the server's close_notify came: no "output was not delivered" warning
ossl_start www2 -naccept 1 -www -cert "$P/ec.pem" -key "$P/ec.key" -cert_chain "$P/int.pem"
run 0 timeout 20 "$TC" 127.0.0.1 "$www2_PORT" \
  sh -c 'printf "GET / HTTP/1.0\r\n\r\n" >&7; cat <&6; sleep 0.3'
expect_eq "$(head -n 1 "$T/out" | tr -d '\r')" "HTTP/1.0 200 ok" "www2: status line"
if [ -s "$T/err" ]; then
  sed 's/^/  | /' "$T/err" >&2
  fail "www2: tlsc warned although the application had nothing more to send (it wrote its request, read the whole reply, then exited 0.3 s later)"
fi

# --- the command line tlsclient builds (argv_like: see cli-common.sh)
FAKE=$UTLS_TOP/tests/helpers/cli-argv.sh
mkdir "$T/s6"
cp "$FAKE" "$T/s6/s6-tcpclient"
E=$TCDIR/tlsc

run 0 "$TC" -W "$FAKE" 127.0.0.1 443 prog arg
argv_like "$T/out" -H -R -l 0 -- 127.0.0.1 443 "$E" -- -k 127.0.0.1 -- prog arg
[ ! -s "$T/err" ] || fail "-W: stderr not empty"

run 0 "$TC" -W "$FAKE" mx.example.org 465 prog -x
argv_like "$T/out" -H -R -l 0 -- mx.example.org 465 "$E" -- -k mx.example.org -- prog -x

# explicit choices replace the defaults; -k replaces the host name
run 0 "$TC" -W "$FAKE" -h -r -l me.example -k other.example host 443 prog
argv_like "$T/out" -h -r -l me.example -- host 443 "$E" -- -k other.example -- prog
run 0 "$TC" -W "$FAKE" -H -R host 443 prog
argv_like "$T/out" -H -R -l 0 -- host 443 "$E" -- -k host -- prog
# of two opposite flags, the last one counts: either tlsclient keeps
# only it, or it passes both in the user's order (tcpclient keeps the last)
run 0 "$TC" -W "$FAKE" -h -H -R -r host 443 prog
h=$(grep -x -e -h -e -H "$T/out" | tail -n 1)
r=$(grep -x -e -r -e -R "$T/out" | tail -n 1)
[ "$h$r" = "-H-r" ] || { cat "$T/out" >&2; fail "-h -H -R -r: the last flags are $h $r, not -H -r"; }

# tcpclient options before host, TLS options and long options after tlsc
run 0 "$TC" -W "$FAKE" -i 127.0.0.2 -p 4444 -T 5 -t 3 -d \
  -v2 -K 500 -S -J -y -Z -a h2,http/1.1 "--pin=sha256//AAAA" host 443 prog
argv_like "$T/out" -i 127.0.0.2 -p 4444 -T 5 -t 3 -d -H -R -l 0 -- host 443 "$E" -- \
  -k host "--pin=sha256//AAAA" -J -K 500 -S -Z -a h2,http/1.1 -v 2 -y -- prog
run 0 "$TC" -W "$FAKE" --insecure-no-verify host 443 prog
argv_like "$T/out" -H -R -l 0 -- host 443 "$E" -- -k host --insecure-no-verify -- prog
# the long options may come anywhere among the options
run 0 "$TC" -W "$FAKE" -v 0 --insecure-no-verify -S host 443 prog
argv_like "$T/out" -H -R -l 0 -- host 443 "$E" -- -k host -v 0 --insecure-no-verify -S -- prog

# -n: the delayed-mode engine
run 0 "$TC" -n -W "$FAKE" host 443 prog
argv_like "$T/out" -H -R -l 0 -- host 443 "$TCDIR/ucspitlsc" -- -k host -- prog

# s6-tcpclient named with -W: the same defaults (it knows -H -R -l)
run 0 "$TC" -W "$T/s6/s6-tcpclient" host 443 prog
argv_like "$T/out" -H -R -l 0 -- host 443 "$E" -- -k host -- prog

# bad values: 100, nothing exec'ed
run 100 "$TC" -W "$FAKE" -t soon host 443 prog
err_is 'tlsclient: fatal: option -t needs an unsigned integer, not: soon'
[ ! -s "$T/out" ] || fail "-t soon: the client was run"
run 100 "$TC" -W "$FAKE" -v x host 443 prog
err_is 'tlsclient: fatal: option -v needs an unsigned integer, not: x'
run 100 "$TC" -W "$FAKE" -p -1 host 443 prog
err_is 'tlsclient: fatal: option -p needs an unsigned integer, not: -1'
[ ! -s "$T/out" ] || fail "bad value: the client was run"
exit 0
