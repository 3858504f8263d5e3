#!/usr/bin/env python3
# ISC license.
#
# uc-smtpdrive.py [-n] TAG CMD...: runs CMD (a TLS client such as
# "openssl s_client -starttls smtp ..." or "gnutls-cli --starttls-proto=smtp
# ...", which does the plaintext part and the handshake itself) and drives
# a full SMTP session through its stdin/stdout, one command at a time:
# EHLO, MAIL, RCPT, DATA, a message with "Subject: uc-smtpdrive TAG", QUIT.
# Each reply must have the expected code. stdin stays open until the
# server has closed (a client that quits at stdin EOF would cut the
# session short). Prints the transcript ("C: ..." / "S: ...", and the
# client's other output as "O: ...") on stdout;
# the client's stderr goes to our stderr. Exit 0 if every reply was
# right, the client ended within 5 s of the 221 and exited 0 (with -n:
# whatever its exit code, e.g. when the server sends no close_notify);
# else 1 with "uc-smtpdrive: ..." on stderr.
import os, select, subprocess, sys, time

args = sys.argv[1:]
any_exit = args[0] == "-n"
if any_exit:
    args = args[1:]
tag = args[0]
p = subprocess.Popen(args[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
deadline = time.time() + 30
buf = b""

def die(msg):
    print("uc-smtpdrive: " + msg, file=sys.stderr)
    try:
        p.kill()
    except OSError:
        pass
    p.wait()
    sys.exit(1)

def line():
    global buf
    while b"\n" not in buf:
        left = deadline - time.time()
        r, _, _ = select.select([p.stdout], [], [], max(left, 0))
        if not r:
            die("timed out waiting for the server")
        b = os.read(p.stdout.fileno(), 4096)
        if not b:
            die("EOF from the client program (got %r)" % buf)
        buf += b
    l, buf = buf.split(b"\n", 1)
    return l.decode("latin-1").rstrip("\r")

def reply(code):
    # skip what is not an SMTP reply line (client chatter), then read the
    # reply up to its last line
    while True:
        l = line()
        if len(l) >= 4 and l[:3].isdigit() and l[3] in " -":
            print("S: " + l)
            if l[3] == " ":
                break
        else:
            print("O: " + l)
    if not l.startswith(code):
        die("expected %s, got: %s" % (code, l))

def send(s):
    print("C: " + s)
    p.stdin.write((s + "\r\n").encode())
    p.stdin.flush()

send("EHLO client.test")
reply("250")
send("MAIL FROM:<sender@example.org>")
reply("250")
send("RCPT TO:<rcpt@example.net>")
reply("250")
send("DATA")
reply("354")
send("Subject: uc-smtpdrive %s\r\n\r\nbody %s\r\n." % (tag, tag))
reply("250")
send("QUIT")
reply("221")
# the server closes: wait for the client's EOF, then let it go
deadline = time.time() + 5
while True:
    left = deadline - time.time()
    r, _, _ = select.select([p.stdout], [], [], max(left, 0))
    if not r:
        die("the client did not end after QUIT")
    if not os.read(p.stdout.fileno(), 4096):
        break
p.stdin.close()
try:
    st = p.wait(timeout=max(deadline - time.time(), 1))
except subprocess.TimeoutExpired:
    die("the client did not exit")
if st and not any_exit:
    print("uc-smtpdrive: the client exited %d" % st, file=sys.stderr)
    sys.exit(1)
