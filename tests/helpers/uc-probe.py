#!/usr/bin/env python3
# ISC license.
#
# uc-probe.py MODE REPORT: a UCSPI-TLS application for ucspitlsd (run by
# tests/e2e/81-ucspitls-probe.sh). Before anything else it records, in
# REPORT (one "key=value" line each):
#   fds=CTL,READ,WRITE      the three descriptor numbers from the environment
#   open=...                every descriptor open in the application
#   cloexec=...             those of the three that are close-on-exec (should be none)
#   kind=...                S_IFMT kind of each of the three (sock/fifo/...)
# then, by MODE:
#   y     writes "y", reads SSLCTLFD to EOF (5 s bound), writes "READY\n"
#         on fd 1, then speaks on SSLREADFD/SSLWRITEFD: reads one line,
#         answers "y-reply: LINE\n".
#   Y     writes "READY\n" on fd 1, then "Y", reads SSLCTLFD to EOF (10 s
#         bound), then answers as y with "Y-reply: LINE SSL_PROTOCOL\n".
#   slowY as Y, after 0.6 s of (pretended) plaintext dialogue
#   fail  writes "READY\n" then "Y", reads SSLCTLFD to EOF (10 s bound);
#         then records what SSLREADFD gives (eof or data).
#   eof   closes SSLCTLFD, writes "READY\n" on fd 1, reads one line on
#         fd 0, answers "plain-reply: LINE\n", exits 7.
#   base  only the records above (run outside ucspitlsd: the descriptors
#         the test inherited, which tcpserver passes on too)
#   bad   writes "x", reads SSLCTLFD to EOF (5 s bound), writes "READY\n",
#         answers one plaintext line on 0/1 ("bad-reply: LINE\n"); records
#         what SSLREADFD gives.
# After SSLCTLFD: ctl=HEX (the raw bytes, hex) and ctl_end=eof|timeout|error.
# SSL_* variables in the application's environment: env=NAME=value lines.
import os, select, stat, sys, time

mode, report = sys.argv[1], sys.argv[2]
out = open(report, "w")

def rec(k, v):
    out.write("%s=%s\n" % (k, v))
    out.flush()

fds = [int(os.environ.get(n, "-1")) for n in ("SSLCTLFD", "SSLREADFD", "SSLWRITEFD")]
rec("fds", ",".join(str(f) for f in fds))
openfds = []
for f in range(0, 256):
    if f == out.fileno():
        continue
    try:
        os.fstat(f)
        openfds.append(f)
    except OSError:
        pass
rec("open", ",".join(str(f) for f in openfds))
coe = []
kinds = []
for f in fds:
    try:
        if os.get_inheritable(f) is False:
            coe.append(str(f))
        m = os.fstat(f).st_mode
        kinds.append("sock" if stat.S_ISSOCK(m) else "fifo" if stat.S_ISFIFO(m) else "other")
    except OSError:
        kinds.append("closed")
rec("cloexec", ",".join(coe))
rec("kind", ",".join(kinds))
ctl, rfd, wfd = fds

def read_ctl(bound):
    data = b""
    end = "eof"
    while True:
        r, _, _ = select.select([ctl], [], [], bound)
        if not r:
            end = "timeout"
            break
        try:
            b = os.read(ctl, 4096)
        except OSError as e:
            end = "error:" + e.strerror
            break
        if not b:
            break
        data += b
    rec("ctl", data.hex())
    rec("ctl_end", end)
    return data

def readline(fd, bound=10):
    buf = b""
    while not buf.endswith(b"\n"):
        r, _, _ = select.select([fd], [], [], bound)
        if not r:
            return None
        b = os.read(fd, 1)
        if not b:
            break
        buf += b
    return buf.decode("latin-1").rstrip("\r\n")

def what_read_gives(fd):
    r, _, _ = select.select([fd], [], [], 5)
    if not r:
        return "timeout"
    try:
        b = os.read(fd, 4096)
    except OSError as e:
        return "error:" + e.strerror
    return "eof" if not b else "data:" + b.hex()

for k in sorted(os.environ):
    if k.startswith("SSL_"):
        rec("env", "%s=%s" % (k, os.environ[k]))

if mode == "base":
    pass
elif mode == "y":
    os.write(ctl, b"y")
    read_ctl(5)
    os.write(1, b"READY\n")
    line = readline(rfd)
    rec("tls_line", line)
    if line is not None:
        os.write(wfd, ("y-reply: %s\n" % line).encode())
    os.close(wfd)
    rec("done", "1")
elif mode in ("Y", "slowY"):
    if mode == "slowY":
        time.sleep(0.6)
    os.write(1, b"READY\n")
    os.write(ctl, b"Y")
    data = read_ctl(10)
    proto = ""
    for e in data.split(b"\0"):
        if e.startswith(b"SSL_PROTOCOL="):
            proto = e[13:].decode()
    line = readline(rfd)
    rec("tls_line", line)
    if line is not None:
        os.write(wfd, ("Y-reply: %s %s\n" % (line, proto)).encode())
    os.close(wfd)
    rec("done", "1")
elif mode == "fail":
    os.write(1, b"READY\n")
    os.write(ctl, b"Y")
    read_ctl(10)
    rec("readfd", what_read_gives(rfd))
    rec("done", "1")
elif mode == "eof":
    os.close(ctl)
    os.write(1, b"READY\n")
    line = readline(0)
    rec("plain_line", line)
    os.write(1, ("plain-reply: %s\n" % line).encode())
    rec("done", "1")
    sys.exit(7)
elif mode == "bad":
    os.write(ctl, b"x")
    read_ctl(5)
    os.write(1, b"READY\n")
    line = readline(0)
    rec("plain_line", line)
    os.write(1, ("bad-reply: %s\n" % line).encode())
    rec("readfd", what_read_gives(rfd))
    rec("done", "1")
else:
    sys.exit("uc-probe.py: unknown mode " + mode)
