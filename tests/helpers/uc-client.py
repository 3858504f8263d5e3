#!/usr/bin/env python3
# ISC license.
#
# uc-client.py PORT CAFILE MODE [LINE]: client for uc-probe.py under
# tcpserver + ucspitlsd. Reads the plaintext "READY" line, then:
#   tls      TLS handshake (verifying CAFILE, name localhost, SNI
#            localhost), sends LINE, prints all it gets until EOF
#   garbage  sends bytes that are not TLS, prints all it gets until EOF
#   plain    sends LINE in plaintext, prints all it gets until EOF
#   silent   sends nothing, prints all it gets until EOF
# Exit 0, or 2 with "uc-client: ..." on stderr (the TLS error, a timeout).
import socket, ssl, sys

port, cafile, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
line = (sys.argv[4] if len(sys.argv) > 4 else "hello") + "\n"
s = socket.create_connection(("127.0.0.1", port), timeout=15)
buf = b""
while not buf.endswith(b"\n"):
    b = s.recv(1)
    if not b:
        sys.exit("uc-client: EOF before READY (got %r)" % buf)
    buf += b
if buf != b"READY\n":
    sys.exit("uc-client: expected READY, got %r" % buf)

def drain(c):
    got = b""
    while True:
        try:
            b = c.recv(4096)
        except ssl.SSLError as e:
            # OpenSSL 3: EOF without close_notify
            if "EOF" in str(e) or "eof" in str(e):
                break
            raise
        if not b:
            break
        got += b
    return got

try:
    if mode == "tls":
        ctx = ssl.create_default_context(cafile=cafile)
        # OpenSSL 3 answers an EOF without close_notify with a
        # decode_error alert; ucspitlsd's default (-s) sends none.
        ctx.options |= getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)
        c = ctx.wrap_socket(s, server_hostname="localhost")
        print("protocol=%s" % c.version())
        c.sendall(line.encode())
        sys.stdout.write(drain(c).decode("latin-1"))
    elif mode == "garbage":
        s.sendall(b"this is not a TLS ClientHello\r\n" * 4)
        sys.stdout.write(drain(s).decode("latin-1"))
    elif mode == "silent":
        sys.stdout.write(drain(s).decode("latin-1"))
    elif mode == "plain":
        s.sendall(line.encode())
        sys.stdout.write(drain(s).decode("latin-1"))
    else:
        sys.exit("uc-client: unknown mode " + mode)
except (OSError, ssl.SSLError) as e:
    print("uc-client: %s" % e, file=sys.stderr)
    sys.exit(2)
