#!/usr/bin/env python3
# ISC license.
#
# bench/st-client.py MODE PORT CAFILE MIB: one SMTP session on
# 127.0.0.1:PORT sending a MIB MiB message, in MODE "starttls" (plaintext
# greeting and EHLO, STARTTLS, then TLS) or "implicit" (TLS from the
# first byte, as on port 465). Exit 0 if the message was accepted.
# Prints the wall time of the session in seconds.
import socket, ssl, sys, time

mode, port, cafile, mib = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
t0 = time.time()
s = socket.create_connection(("127.0.0.1", port), timeout=60)
ctx = ssl.create_default_context(cafile=cafile)
buf = b""

def reply():
    global buf
    while True:
        while b"\n" not in buf:
            b = s.recv(65536)
            if not b:
                sys.exit("bench client: closed (%r)" % buf)
            buf += b
        l, buf = buf.split(b"\n", 1)
        if l[3:4] != b"-":
            return l

def cmd(c, want):
    s.sendall(c + b"\r\n")
    l = reply()
    if not l.startswith(want):
        sys.exit("bench client: %r -> %r" % (c, l))

if mode == "implicit":
    s = ctx.wrap_socket(s, server_hostname="localhost")
reply()
if mode == "starttls":
    cmd(b"EHLO bench.test", b"250")
    cmd(b"STARTTLS", b"220")
    s = ctx.wrap_socket(s, server_hostname="localhost")
cmd(b"EHLO bench.test", b"250")
cmd(b"MAIL FROM:<a@example.org>", b"250")
cmd(b"RCPT TO:<b@example.org>", b"250")
cmd(b"DATA", b"354")
block = (b"x" * 76 + b"\r\n") * 840   # 65520 bytes of 78-byte lines
s.sendall(b"Subject: bench\r\n\r\n")
left = mib * 1048576 // 78 * 78   # whole lines: the end must be CRLF . CRLF
while left > 0:
    s.sendall(block[:left])
    left -= min(left, len(block))
cmd(b".", b"250")
cmd(b"QUIT", b"221")
print("%.3f" % (time.time() - t0))
