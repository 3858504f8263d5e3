#!/usr/bin/env python3
# ISC license.
#
# uc-smtpsrv.py MODE PORTFILE: a scripted plaintext SMTP server for one
# connection on 127.0.0.1, port chosen by the kernel and written to
# PORTFILE. It never does TLS: it shows what a client sends after the
# point where TLS would start. MODE:
#   inject  220 greeting; EHLO -> 250-... 250 STARTTLS; STARTTLS ->
#           "220 go ahead\r\n250 injected\r\n" in ONE write
#   early   sends "220 early bird\r\n" at once, then only listens
#   hostile a 554 greeting with terminal escape sequences, a bell, a CR
#           and a backslash in it, 327 bytes long
# Then it records, on stdout, what the client sent next:
#   after: eof                    the client closed without a byte
#   after: reset                  the same, with our bytes unread (RST)
#   after: tls-clienthello        a TLS handshake record (0x16 0x03 ...)
#   after: data HEX               anything else
# and "cmd: LINE" for each command line it read before. 10 s bound.
import socket, sys

import listen1

mode, portfile = sys.argv[1], sys.argv[2]
ls = listen1.listen(portfile)
c, _ = ls.accept()
c.settimeout(10)
buf = b""

def line():
    global buf
    while b"\n" not in buf:
        b = c.recv(4096)
        if not b:
            return None
        buf += b
    l, buf = buf.split(b"\n", 1)
    l = l.decode("latin-1").rstrip("\r")
    print("cmd: " + l, flush=True)
    return l

def after():
    global buf
    data = buf
    try:
        while len(data) < 5:
            b = c.recv(4096)
            if not b:
                break
            data += b
    except socket.timeout:
        print("after: timeout", flush=True)
        return
    except ConnectionResetError:
        # closed with our bytes unread: a reset instead of a FIN
        if not data:
            print("after: reset", flush=True)
            return
    if not data:
        print("after: eof", flush=True)
    elif data[0] == 0x16 and data[1] == 0x03:
        print("after: tls-clienthello", flush=True)
    else:
        print("after: data " + data.hex(), flush=True)

if mode == "inject":
    c.sendall(b"220 scripted ESMTP\r\n")
    l = line()
    if l is None or not l.upper().startswith(("EHLO", "HELO")):
        sys.exit("uc-smtpsrv: expected EHLO, got %r" % l)
    c.sendall(b"250-scripted\r\n250 STARTTLS\r\n")
    l = line()
    if l != "STARTTLS":
        sys.exit("uc-smtpsrv: expected STARTTLS, got %r" % l)
    c.sendall(b"220 go ahead\r\n250 injected\r\n")
    after()
elif mode == "hostile":
    c.sendall(b"554 \x1b[2J\x1b]0;owned\x07 evil\rX\\y" + b"A" * 300 + b"\r\n")
    after()
elif mode == "early":
    c.sendall(b"220 early bird\r\n")
    after()
else:
    sys.exit("uc-smtpsrv: unknown mode " + mode)
