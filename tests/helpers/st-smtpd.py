#!/usr/bin/env python3
# ISC license.
#
# st-smtpd.py [options] LOGFILE: a scripted, TLS-unaware SMTP server on
# stdin/stdout, as smtpd-starttls runs it. It appends to LOGFILE, each
# line prefixed with its pid:
#   PID start tls=SSL_PROTOCOL-or-none     when it starts
#   PID env NAME=VALUE                      each SSL_* / SSLCTLFD... variable
#   PID cmd: LINE                           each command line (escaped repr)
#   PID sasl: LINE                          each SASL response line
#   PID data: N bytes subject=...           a DATA message (CRLF . CRLF excluded)
#   PID bdat: N bytes [last]                a BDAT chunk
#   PID eof / PID quit / PID die            how it ended
# Options:
#   --auth        EHLO offers "AUTH PLAIN LOGIN" and the old "AUTH=PLAIN LOGIN"
#   --chunking    EHLO offers CHUNKING (BDAT)
#   --starttls    EHLO offers STARTTLS (a server that claims it itself)
#   --tls-greeting TEXT  when SSL_PROTOCOL is set: TEXT as the greeting
#                        (each "_" in TEXT becomes a space)
#   --die-on VERB         exit 7 at once, without a reply, on that command
#   --hang-on VERB        never answer that command (sleep until killed)
#   --ignore-term         ignore SIGTERM (only SIGKILL ends it)
#   --banner TEXT         the greeting (default "220 st-smtpd ESMTP test")
# EHLO always offers PIPELINING, 8BITMIME and SIZE. The command loop is
# smtploop.serve.
import os, signal, sys, time

import smtploop

args = sys.argv[1:]
opts = {"auth": False, "chunking": False, "starttls": False}
tls_greeting = die_on = hang_on = None
banner = "220 st-smtpd ESMTP test"
while args and args[0].startswith("--"):
    a = args.pop(0)
    if a in ("--auth", "--chunking", "--starttls"):
        opts[a[2:]] = True
    elif a == "--tls-greeting":
        tls_greeting = args.pop(0).replace("_", " ")
    elif a == "--die-on":
        die_on = args.pop(0).upper()
    elif a == "--hang-on":
        hang_on = args.pop(0).upper()
    elif a == "--ignore-term":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    elif a == "--banner":
        banner = args.pop(0)
    else:
        sys.exit("st-smtpd: unknown option " + a)
logf = open(args[0], "a", buffering=1)
pid = os.getpid()
inp = sys.stdin.buffer
out = sys.stdout.buffer


def log(s):
    logf.write("%d %s\n" % (pid, s))


def reply(s):
    out.write(s.encode() + b"\r\n")
    out.flush()


def readline():
    l = inp.readline()
    if not l:
        log("eof")
        sys.exit(0)
    return l


tls = os.environ.get("SSL_PROTOCOL")
log("start tls=%s" % (tls or "none"))
for k in sorted(os.environ):
    if k.startswith("SSL"):
        log("env %s=%s" % (k, os.environ[k]))
reply(tls_greeting if tls and tls_greeting else banner)

def ehlo_lines():
    l = ["st-smtpd", "PIPELINING", "8BITMIME"]
    if opts["auth"]:
        l += ["AUTH PLAIN LOGIN", "AUTH=PLAIN LOGIN"]
    if opts["chunking"]:
        l.append("CHUNKING")
    if opts["starttls"]:
        l.append("STARTTLS")
    l.append("SIZE 100000000")
    return l

def data():
    n = 0
    subject = "-"
    while True:
        l = readline()
        if l == b".\r\n":
            break
        if l.lower().startswith(b"subject:") and subject == "-":
            subject = l[8:].strip().decode("latin-1")
        n += len(l)
    log("data: %d bytes subject=%s" % (n, subject))
    reply("250 2.0.0 Ok: queued %d bytes" % n)

def bdat(words):
    n = int(words[1])
    last = len(words) > 2 and words[2].upper() == "LAST"
    got = inp.read(n)
    if len(got) < n:
        log("eof")
        sys.exit(0)
    log("bdat: %d bytes%s" % (n, " last" if last else ""))
    reply("250 2.0.0 %d octets received%s" % (n, ", message queued" if last else ""))

def auth(words):
    if len(words) > 2:
        log("sasl: initial %s" % words[2])
    else:
        reply("334 ")
        l = readline().rstrip(b"\r\n")
        log("sasl: %r" % l)
        if l == b"*":
            reply("501 5.7.0 Authentication cancelled")
            return
        if words[1].upper() == "LOGIN":
            reply("334 UGFzc3dvcmQ6")
            log("sasl: %r" % readline().rstrip(b"\r\n"))
    reply("235 2.7.0 Authentication successful")

def next_cmd():
    l = readline()
    log("cmd: %r" % l)
    line = l.decode("latin-1")
    verb = smtploop.first_word(line)
    if verb == die_on:
        log("die")
        sys.exit(7)
    if verb == hang_on:
        while True:
            time.sleep(60)
    return line

def unknown(line):
    reply("502 5.5.1 Unimplemented")

def ehlo(line):
    e = ehlo_lines()
    for x in e[:-1]:
        reply("250-" + x)
    reply("250 " + e[-1])

def start_data(line):
    reply("354 End data with <CR><LF>.<CR><LF>")
    data()

def bdat_cmd(line):
    words = line.split()
    if opts["chunking"] and len(words) >= 2 and words[1].isdigit():
        bdat(words)
    else:
        unknown(line)

def auth_cmd(line):
    words = line.split()
    if opts["auth"] and len(words) >= 2:
        auth(words)
    else:
        unknown(line)

def quit_cmd(line):
    reply("221 2.0.0 Bye")
    log("quit")
    sys.exit(0)

ok = lambda line: reply("250 2.0.0 Ok")
smtploop.serve(next_cmd, {
    "EHLO": ehlo,
    "HELO": lambda line: reply("250 st-smtpd"),
    "MAIL": ok, "RCPT": ok, "RSET": ok, "NOOP": ok,
    "DATA": start_data,
    "BDAT": bdat_cmd,
    "AUTH": auth_cmd,
    "QUIT": quit_cmd,
}, unknown)
