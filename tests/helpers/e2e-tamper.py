#!/usr/bin/env python3
# ISC license.
#
# e2e-tamper.py MODE PORTFILE UPSTREAM_PORT
#
# A man in the middle for one TCP connection: listens on 127.0.0.1 port
# 0 (written to PORTFILE), connects to 127.0.0.1:UPSTREAM_PORT (the
# server), and relays both ways, half-closes included. Server-to-client
# bytes are parsed as TLS records; MODE:
#   pass  relay them unchanged (the control)
#   flip  flip one bit in the last byte (the AEAD tag) of the first
#         application_data record (type 23): the client cannot
#         authenticate it and answers with a bad_record_mac alert
# Prints "records: N tampered: 0|1" on stdout at the end. 20 s bound.

import select
import socket
import sys
import time

import listen1

mode, portfile, upstream = sys.argv[1], sys.argv[2], int(sys.argv[3])
ls = listen1.listen(portfile)
ls.settimeout(20)
client, _ = ls.accept()
server = socket.create_connection(("127.0.0.1", upstream), timeout=10)
ls.close()

buf = bytearray()     # server-to-client bytes not yet forwarded (whole records)
records = 0
tampered = 0
open_dirs = {client: True, server: True}
deadline = time.monotonic() + 20

def from_server(data):
    global buf, records, tampered
    buf += data
    out = bytearray()
    while len(buf) >= 5:
        n = 5 + int.from_bytes(buf[3:5], "big")
        if len(buf) < n:
            break
        rec = bytearray(buf[:n])
        del buf[:n]
        records += 1
        if mode == "flip" and rec[0] == 23 and not tampered:
            rec[-1] ^= 1
            tampered = 1
        out += rec
    return bytes(out)

while any(open_dirs.values()) and time.monotonic() < deadline:
    r = [s for s, o in open_dirs.items() if o]
    rr, _, _ = select.select(r, [], [], 0.5)
    for s in rr:
        other = server if s is client else client
        try:
            d = s.recv(65536)
        except ConnectionResetError:
            d = b""
        if not d:
            open_dirs[s] = False
            if s is server and buf:
                other.sendall(bytes(buf))
                buf.clear()
            try:
                other.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            continue
        try:
            other.sendall(from_server(d) if s is server else d)
        except OSError:
            open_dirs[s] = False
print("records: %d tampered: %d" % (records, tampered), flush=True)
