#!/usr/bin/env python3
# ISC license.
#
# fdlayout.py PORT R W OPEN ERRFILE prog...
#
# Connects to 127.0.0.1:PORT, then lays out descriptors 0-9 before it
# execs prog: the socket on R (read) and W (write, may equal R), every
# descriptor listed in OPEN (comma-separated, or "-" for none) open
# (2 on ERRFILE, the others on /dev/null), every other one of 0-9
# closed. Used to run tlsc -6 R -7 W in every layout the doc allows.

import os
import socket
import sys

port, r, w, opened, errfile = sys.argv[1:6]
prog = sys.argv[6:]
r, w = int(r), int(w)
want = set() if opened == "-" else {int(x) for x in opened.split(",")}

s = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
s.settimeout(None)
sock = os.dup2(s.fileno(), 20, inheritable=False) and 20
s.close()
for fd in range(10):
    try:
        os.close(fd)
    except OSError:
        pass
for fd in sorted(want - {r, w}):
    path = errfile if fd == 2 else os.devnull
    n = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT if fd == 2 else os.O_RDWR, 0o644)
    if n != fd:
        os.dup2(n, fd)
        os.close(n)
os.dup2(sock, r)
os.dup2(sock, w)
os.close(sock)
os.execvp(prog[0], prog)
