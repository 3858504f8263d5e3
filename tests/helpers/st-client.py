#!/usr/bin/env python3
# ISC license.
#
# st-client.py PORT CAFILE < SCRIPT: a scripted SMTP client for the
# smtpd-starttls tests, on 127.0.0.1:PORT. SCRIPT, one step a line:
#   > TEXT           send TEXT + CRLF
#   >> LITERAL       send the Python bytes literal, exactly (b"A\r\nB\r\n")
#   >big N           send N bytes of message body lines, 78 bytes each but
#                    the last, all ending with CRLF
#   < CODE           read one reply (all its lines); its last line must
#                    start with CODE (e.g. 250, 5, 250-STARTTLS is wrong)
#   tls              TLS handshake (SNI localhost, verified against CAFILE)
#   tls-fail         a TLS handshake that must fail (nothing trusted)
#   eof              shut down our sending side
#   closed           the server must close within 10 s, sending nothing more
#   quiet SECS       nothing may arrive for SECS seconds
#   sleep SECS       wait
# Prints the transcript ("C: ..." / "S: ...") on stdout. Exit 0 if every
# step worked; else 1 and "st-client: ..." on stderr. Every read has a
# 10 s bound.
import os, socket, ssl, sys, time, ast

port, cafile = int(sys.argv[1]), sys.argv[2]
sock = socket.create_connection(("127.0.0.1", port), timeout=10)
buf = b""
step = ""


def die(msg):
    print("st-client: step %r: %s" % (step, msg), file=sys.stderr)
    sys.exit(1)


def fill():
    global buf
    try:
        b = sock.recv(65536)
    except socket.timeout:
        die("timed out waiting for the server (got %r)" % buf)
    except (ConnectionError, ssl.SSLError) as e:
        die("connection error: %s" % e)
    if not b:
        die("the server closed the connection (got %r)" % buf)
    buf += b


def line():
    global buf
    while b"\n" not in buf:
        fill()
    l, buf = buf.split(b"\n", 1)
    return l.decode("latin-1")


def send(b):
    try:
        sock.sendall(b)
    except (ConnectionError, ssl.SSLError) as e:
        die("send: %s" % e)


for step in sys.stdin.read().splitlines():
    if not step.strip() or step.startswith("#"):
        continue
    cmd, _, arg = step.partition(" ")
    if cmd == ">":
        print("C: " + arg)
        send(arg.encode() + b"\r\n")
    elif cmd == ">>":
        b = ast.literal_eval(arg)
        print("C: %r" % b)
        send(b)
    elif cmd == ">big":
        n = int(arg)
        if n % 78 == 1:
            die("N must not be 1 more than a multiple of 78")
        chunk = (b"x" * 76 + b"\r\n") * 840
        print("C: <%d bytes>" % n)
        left = n - n % 78
        while left > 0:
            send(chunk[:left])
            left -= min(left, len(chunk))
        if n % 78:
            send(b"y" * (n % 78 - 2) + b"\r\n")
    elif cmd == "<":
        while True:
            l = line()
            print("S: " + l.rstrip("\r"))
            if not (len(l) >= 4 and l[3] == "-"):
                break
        if not l.startswith(arg):
            die("expected %s, got %r" % (arg, l))
    elif cmd in ("tls", "tls-fail"):
        if buf:
            die("bytes before the handshake: %r" % buf)
        # tls-fail: only the system store, which does not hold the test CA
        ctx = ssl.create_default_context(cafile=cafile if cmd == "tls" else None)
        try:
            sock = ctx.wrap_socket(sock, server_hostname="localhost")
        except (ssl.SSLError, ConnectionError, socket.timeout) as e:
            if cmd == "tls-fail":
                print("T: handshake failed as expected")
                continue
            die("TLS handshake failed: %s" % e)
        if cmd == "tls-fail":
            die("the handshake worked")
        print("T: %s %s" % (sock.version(), sock.cipher()[0]))
    elif cmd == "eof":
        print("C: <eof>")
        # a TCP half-close, also inside TLS (no close_notify: Python's
        # unwrap would wait for the server's and throw data away)
        raw = socket.socket(fileno=os.dup(sock.fileno()))
        raw.shutdown(socket.SHUT_WR)
        raw.close()
    elif cmd == "closed":
        while True:
            try:
                b = sock.recv(65536)
            except socket.timeout:
                die("the server did not close")
            except (ConnectionError, ssl.SSLError):
                b = b""
            if not b:
                break
            buf += b
        if buf:
            die("unexpected bytes before the close: %r" % buf)
        print("S: <closed>")
    elif cmd == "quiet":
        sock.settimeout(float(arg))
        try:
            b = sock.recv(65536)
        except socket.timeout:
            b = None
        sock.settimeout(10)
        if b is not None:
            die("unexpected bytes: %r" % b)
    elif cmd == "sleep":
        time.sleep(float(arg))
    else:
        die("unknown step")
sys.exit(0)
