#!/usr/bin/env python3
# ISC license.
#
# uc-mailsrv.py PROTO VARIANT REPORT: a scripted POP3, IMAP or LMTP server
# that is a UCSPI-TLS application of ucspitlsd: the plaintext dialogue on
# fds 0/1, then "Y" on SSLCTLFD, then, over SSLREADFD/SSLWRITEFD:
#   sends "TLS-BANNER <SSL_PROTOCOL>\r\n", reads a line, answers
#   "TLS-ECHO <line>\r\n", exits.
# PROTO: pop3 | imap | lmtp. VARIANT:
#   ok       the server offers STLS/STARTTLS and accepts it
#   notls    not offered
#   fake     only look-alikes are offered (STLSX, XSTARTTLS, ...)
#   capaerr  CAPA / CAPABILITY / LHLO refused
#   refuse   offered, but the command itself is refused (-ERR, NO, 454)
#   inject   go-ahead and one more line in one write
# REPORT gets "cmd: LINE" for each plaintext command, "vars: N" and
# "tls-line: LINE" after TLS, and "end: eof|tls" (how it ended). The
# command loop is smtploop.serve.
import os, sys

import smtploop

proto, variant, report = sys.argv[1], sys.argv[2], sys.argv[3]
rep = open(report, "w")

def rec(s):
    rep.write(s + "\n")
    rep.flush()

buf = b""

def line(fd=0):
    global buf
    while b"\n" not in buf:
        b = os.read(fd, 4096)
        if not b:
            return None
        buf += b
    l, buf = buf.split(b"\n", 1)
    return l.decode("latin-1").rstrip("\r")

def cmd():
    l = line()
    if l is None:
        rec("end: eof")
        sys.exit(0)
    rec("cmd: " + l)
    return l

def out(s):
    os.write(1, s.encode())

def go_tls():
    global buf
    ctl = int(os.environ["SSLCTLFD"])
    rfd = int(os.environ["SSLREADFD"])
    wfd = int(os.environ["SSLWRITEFD"])
    if buf:
        rec("pipelined: %r" % buf)
        buf = b""
    os.write(ctl, b"Y")
    data = b""
    while True:
        b = os.read(ctl, 4096)
        if not b:
            break
        data += b
    entries = [e for e in data.split(b"\0") if e]
    rec("vars: %d" % len(entries))
    proto_v = ""
    for e in entries:
        if e.startswith(b"SSL_PROTOCOL="):
            proto_v = e[13:].decode()
    if not entries:
        rec("end: handshake-failed")
        sys.exit(0)
    os.write(wfd, ("TLS-BANNER %s\r\n" % proto_v).encode())
    l = line(rfd)
    rec("tls-line: %s" % l)
    os.write(wfd, ("TLS-ECHO %s\r\n" % l).encode())
    rec("end: tls")
    sys.exit(0)

def end_session(reply):
    out(reply)
    rec("end: quit")
    sys.exit(0)

def starttls(refusal, go, injected):
    if variant == "refuse":
        out(refusal)
    elif variant == "inject":
        out(go + injected)
        go_tls()
    else:
        out(go)
        go_tls()

def pop3_capa(c):
    if variant == "capaerr":
        out("-ERR no CAPA here\r\n")
    elif variant == "notls":
        out("+OK capabilities\r\nUSER\r\nTOP\r\n.\r\n")
    elif variant == "fake":
        out("+OK capabilities\r\nXSTLS\r\nSTLSX\r\nUSER\r\n.\r\n")
    else:
        out("+OK capabilities\r\nUSER\r\nstls\r\nTOP\r\n.\r\n")

def imap_capability(tag):
    if variant == "capaerr":
        out("%s BAD not now\r\n" % tag)
    elif variant == "notls":
        out("* CAPABILITY IMAP4rev1 LOGINDISABLED\r\n%s OK done\r\n" % tag)
    elif variant == "fake":
        out("* CAPABILITY IMAP4rev1 XSTARTTLS STARTTLSX\r\n* OK STARTTLS\r\n%s OK done\r\n" % tag)
    else:
        out("* CAPABILITY IMAP4rev1 LOGINDISABLED\r\n* CAPABILITY AUTH=PLAIN starttls\r\n%s OK done\r\n" % tag)

def imap_starttls(tag):
    if variant == "inject":
        starttls("", "%s OK begin TLS\r\n" % tag, "* OK injected\r\n")
    else:
        starttls("%s NO not now\r\n" % tag,
                 "* OK a line before the tagged one\r\n%s OK Begin TLS negotiation now\r\n" % tag, "")

def lhlo(c):
    if variant == "capaerr":
        out("500 5.5.1 say LHLO properly\r\n")
    elif variant == "notls":
        out(smtploop.multiline(250, ["scripted", "PIPELINING"]))
    elif variant == "fake":
        out(smtploop.multiline(250, ["scripted", "STARTTLSX", "XSTARTTLS", "PIPELINING"]))
    else:
        out(smtploop.multiline(250, ["scripted", "starttls", "PIPELINING"]))

def tag_of(c):
    return c.partition(" ")[0]

def lmtp_verb(c):
    u = c.upper()
    return "LHLO" if u.startswith("LHLO ") else u

if proto == "pop3":
    out("+OK scripted POP3 ready\r\n")
    smtploop.serve(cmd, {
        "CAPA": pop3_capa,
        "STLS": lambda c: starttls("-ERR not now\r\n", "+OK begin TLS\r\n", "+OK injected\r\n"),
        "QUIT": lambda c: end_session("+OK bye\r\n"),
    }, lambda c: out("-ERR unknown command\r\n"), verb=lambda c: c.upper())
elif proto == "imap":
    out("* OK [CAPABILITY IMAP4rev1 STARTTLS] scripted IMAP ready\r\n")
    smtploop.serve(cmd, {
        "CAPABILITY": lambda c: imap_capability(tag_of(c)),
        "STARTTLS": lambda c: imap_starttls(tag_of(c)),
        "LOGOUT": lambda c: end_session("* BYE\r\n%s OK bye\r\n" % tag_of(c)),
    }, lambda c: out("%s BAD unknown command\r\n" % tag_of(c)), verb=lambda c: c.partition(" ")[2].upper())
elif proto == "lmtp":
    out("220 scripted LMTP ready\r\n")
    smtploop.serve(cmd, {
        "LHLO": lhlo,
        "STARTTLS": lambda c: starttls("454 4.7.0 TLS not available\r\n", "220 go ahead\r\n", "250 injected\r\n"),
        "QUIT": lambda c: end_session("221 bye\r\n"),
    }, lambda c: out("500 unknown command\r\n"), verb=lmtp_verb)
else:
    sys.exit("uc-mailsrv.py: unknown protocol " + proto)
