#!/bin/sh
# timeout: 60
# ISC license.
#
# 23-tlsd-python.sh: Python's ssl module against tcpserver + tlsd.
#
# A plain Python client (ssl.create_default_context(cafile=...), so
# check_hostname and CERT_REQUIRED, over a blocking SSLSocket) sends one
# request line with a random nonce and reads the reply until EOF: the
# application echoes the line and prints its SSL_* variables. Checked:
# version TLSv1.2, the suite Python negotiated = SSL_CIPHER, the echo,
# SNI, the end of stream (tlsd's default -s: TCP EOF without close_notify,
# which Python reports as SSLEOFError after the whole reply), tlsd's -v2
# line with the byte counts. Then a client forced to ChaCha20-Poly1305
# (set_ciphers('ECDHE+CHACHA20')) for ECDSA and RSA, and a client that
# expects another host name (refused, the application never runs).

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/e2e-common.sh"

need tcpserver python3
pki
P=$UTLS_PKI

cat >"$T/app.sh" <<'EOT'
#!/bin/sh
IFS= read -r line || exit 3
printf 'echo: %s\n' "$line"
env | grep '^SSL_' | LC_ALL=C sort
echo END-OF-REPLY
EOT
chmod +x "$T/app.sh"

cat >"$T/client.py" <<'EOT'
import socket, ssl, sys
port, cafile, name, ciphers, nonce = sys.argv[1:6]
ctx = ssl.create_default_context(cafile=cafile)
assert ctx.check_hostname and ctx.verify_mode == ssl.CERT_REQUIRED
# some Python builds hide a TCP EOF without close_notify: see it
ctx.options &= ~getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)
if ciphers != "-":
    ctx.set_ciphers(ciphers)
raw = socket.create_connection(("127.0.0.1", int(port)), timeout=15)
try:
    s = ctx.wrap_socket(raw, server_hostname=name, suppress_ragged_eofs=False)
except ssl.SSLError as e:
    print("handshake-error: %s" % e, file=sys.stderr)
    sys.exit(2)
print("version=%s" % s.version())
print("cipher=%s" % s.cipher()[0])
s.sendall(("request %s\n" % nonce).encode())
reply = b""
end = None
while end is None:
    try:
        d = s.recv(65536)
    except ssl.SSLEOFError:
        end = "eof-without-close_notify"
        break
    if not d:
        end = "close_notify"
        break
    reply += d
sys.stdout.write(reply.decode())
print("end=%s" % end)
print("reply_bytes=%d" % len(reply))
s.close()
EOT

# one name cert key ciphers expected-suite
one ()
{
  name=$1 cert=$2 key=$3 ciphers=$4 suite=$5
  nonce=$$-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
  # one connection, and tlsd's own exit status
  one_shot "$name" env SSL_STALE=1 CERTFILE="$cert" KEYFILE="$key" tlsd -v2 "$T/app.sh"
  if timeout 20 python3 "$T/client.py" "$PORT" "${CA:-$P/ca.pem}" localhost "$ciphers" "$nonce" >"$T/out" 2>"$T/err"
  then cst=0
  else cst=$?
  fi
  one_shot_wait
  if [ "$ST" -ge 124 ]
  then
    sed 's/^/  | /' "$T/$name.err" >&2
    fail "$name: tlsd died (status $ST) with the client's $ciphers"
  fi
  if [ "$cst" != 0 ]
  then
    sed 's/^/  | /' "$T/err" >&2
    fail "$name: the client failed (status $cst)"
  fi
  expect_eq "$(sed -n 's/^version=//p' "$T/out")" TLSv1.2 "$name: version seen by Python"
  expect_eq "$(sed -n 's/^cipher=//p' "$T/out")" "$suite" "$name: suite seen by Python"
  expect_grep "^echo: request $nonce\$" "$T/out"
  expect_grep "^SSL_CIPHER=$suite\$" "$T/out"
  expect_grep '^SSL_PROTOCOL=TLSv1\.2$' "$T/out"
  expect_grep '^SSL_TLS_SNI_SERVERNAME=localhost$' "$T/out"
  expect_grep '^SSL_CLIENT_VERIFY=NONE$' "$T/out"
  expect_no_grep '^SSL_STALE=' "$T/out"
  expect_grep '^END-OF-REPLY$' "$T/out"
  expect_grep '^end=eof-without-close_notify$' "$T/out"
  [ ! -s "$T/err" ] || fail "$name: the client wrote on stderr"
  in=$(( ${#nonce} + 9 ))
  out=$(sed -n 's/^reply_bytes=//p' "$T/out")
  log_ok "$T/$name.err" "tlsd: info: peer 127\\.0\\.0\\.1:[0-9]+ protocol TLSv1\\.2 cipher $suite sni localhost alpn - peer_subject \"-\" resumed Initial bytes_in $in bytes_out $out end"
  # tlsd exits with the application's status, 0, even when the client
  # answered its half-close with a decode_error alert (see log_ok)
  expect_eq "$ST" 0 "$name: tlsd's exit status"
}

one rsa "$P/rsa.chain.pem" "$P/rsa.key" - ECDHE-RSA-AES128-GCM-SHA256
one ec "$P/ec.chain.pem" "$P/ec.key" - ECDHE-ECDSA-AES128-GCM-SHA256
# DER: the leaf alone, so the client needs the intermediate
cat "$P/ca.pem" "$P/int.pem" >"$T/ca+int.pem"
CA=$T/ca+int.pem one ec_der "$P/ec.der" "$P/ec.key.der" - ECDHE-ECDSA-AES128-GCM-SHA256

# a client that expects another name: refused by Python, tlsd says so,
# the application never runs
srv wrongname env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 "$T/app.sh"
run 2 timeout 20 python3 "$T/client.py" "$PORT" "$P/ca.pem" wrong.example - x
srv_stop
expect_grep "handshake-error: .*Hostname mismatch.*wrong\\.example" "$T/err"
expect_no_grep '^echo:' "$T/out"
wait_lines 1 "$T/wrongname.err" '^tlsd: fatal: '
expect_grep '^tlsd: info: peer 127\.0\.0\.1:[0-9]+ .* end handshake-failed$' "$T/wrongname.err"
expect_grep '^tlsd: fatal: TLS handshake failed: received alert bad_certificate$' "$T/wrongname.err"

# ChaCha20-Poly1305 forced by the client
one chacha_ec "$P/ec.chain.pem" "$P/ec.key" 'ECDHE+CHACHA20' ECDHE-ECDSA-CHACHA20-POLY1305
one chacha_rsa "$P/rsa.chain.pem" "$P/rsa.key" 'ECDHE+CHACHA20' ECDHE-RSA-CHACHA20-POLY1305
exit 0
