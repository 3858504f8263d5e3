#!/usr/bin/env python3
# ISC license.
#
# uc-capp.py REPORT [LINGER]: a UCSPI-TLS client application for ucspitlsc that
# does not read what the server sent: it waits (<= 10 s) until fd 6 is
# readable (the server spoke), then writes "y" on SSLCTLFD, and records
# in REPORT: ctl=HEX (what SSLCTLFD gave, to EOF), readfd=eof|data|timeout
# (SSLREADFD afterwards), pending=1 (the server's bytes were there);
# then waits LINGER seconds (default 0) and writes done=1.
import os, select, sys, time

out = open(sys.argv[1], "w")
ctl = int(os.environ["SSLCTLFD"])
rfd = int(os.environ["SSLREADFD"])
r, _, _ = select.select([6], [], [], 10)
out.write("pending=%d\n" % (1 if r else 0))
out.flush()
os.write(ctl, b"y")
data = b""
r, _, _ = select.select([ctl], [], [], 10)
while r:
    b = os.read(ctl, 4096)
    if not b:
        break
    data += b
    r, _, _ = select.select([ctl], [], [], 10)
out.write("ctl=%s\n" % data.hex())
r, _, _ = select.select([rfd], [], [], 10)
if not r:
    out.write("readfd=timeout\n")
else:
    try:
        b = os.read(rfd, 4096)
        out.write("readfd=%s\n" % ("eof" if not b else "data"))
    except OSError as e:
        out.write("readfd=error:%s\n" % e.strerror)
out.flush()
if len(sys.argv) > 2:
    time.sleep(float(sys.argv[2]))
out.write("done=1\n")
