#!/usr/bin/env python3
# ISC license.
#
# st-noread.py PORT SLEEP: a client that never reads. It sends NOOP
# commands until the server has stopped taking them for 1 s (its buffers
# and ours are full), 20 s at most, and prints "blocked"; then it sleeps
# SLEEP seconds, still without reading (the test checks meanwhile that
# the server gave up); then it reads until EOF (<= 20 s) and prints
# "closed". Exit 0 if both happened, 1 otherwise.
import socket, sys, time, select

s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.setblocking(False)
chunk = b"NOOP\r\n" * 1000
start = time.time()
last_sent = time.time()
while time.time() - start < 20:
    try:
        s.send(chunk)
        last_sent = time.time()
    except BlockingIOError:
        if time.time() - last_sent > 1:
            print("blocked")
            break
        time.sleep(0.01)
else:
    sys.exit("st-noread: the server took everything for 20 s")
time.sleep(float(sys.argv[2]))
s.setblocking(True)
s.settimeout(20)
try:
    while s.recv(1 << 20):
        pass
except ConnectionError:
    pass
except socket.timeout:
    sys.exit("st-noread: the server did not close")
print("closed")
