#!/usr/bin/env python3
# ISC license.
#
# e2e-resume.py port cafile clients rounds
#
# Session reuse with Python's ssl module against a server on 127.0.0.1
# whose application is e2e-resumed.sh (it writes "resumed=Resumed|Initial
# ..." to the client). clients threads at once; each makes one full
# handshake, then rounds more connections offering the session of its
# previous one. For every connection, what the client saw
# (SSLSocket.session_reused) must be what the server told its
# application: a mismatch is a wrong resumption. Prints on stdout
#   connections=N resumed=N failed=N mismatch=N
# and exits 0 if no connection failed and none mismatched, else 1.

import socket
import ssl
import sys
import threading

port, cafile, clients, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(cafile)
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
lock = threading.Lock()
stats = {"connections": 0, "resumed": 0, "failed": 0, "mismatch": 0}
errors = []


def one(session):
    with socket.create_connection(("127.0.0.1", int(port)), timeout=60) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost", session=session) as s:
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            return s.session, s.session_reused, data.decode(errors="replace")


def client():
    session = None
    for _ in range(rounds + 1):
        try:
            session, reused, line = one(session)
        except Exception as e:  # a failed handshake is what we count
            with lock:
                stats["connections"] += 1
                stats["failed"] += 1
                errors.append(repr(e))
            session = None
            continue
        server_says = line.startswith("resumed=Resumed")
        with lock:
            stats["connections"] += 1
            stats["resumed"] += 1 if reused else 0
            if reused != server_says or not line.startswith("resumed="):
                stats["mismatch"] += 1
                errors.append("client reused=%s, server: %r" % (reused, line))


threads = [threading.Thread(target=client) for _ in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(" ".join("%s=%d" % (k, v) for k, v in stats.items()))
for e in errors[:5]:
    print("error: " + e, file=sys.stderr)
sys.exit(0 if not stats["failed"] and not stats["mismatch"] else 1)
