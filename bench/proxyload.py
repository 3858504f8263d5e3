#!/usr/bin/env python3
# ISC license.
#
# bench/proxyload.py PORT SECONDS MODE: connections to 127.0.0.1:PORT,
# one at a time, for SECONDS. Each sends MODE's header (none, v1: a
# TCP4 line, v2: TCP4 with an ALPN and an AUTHORITY TLV, the size
# HAProxy sends with those options), half-closes, and reads until the
# server closes; the application (benchapp greet) sends one byte, "G".
# Prints "connections N seconds S".

import socket
import struct
import sys
import time

SIG = b"\r\n\r\n\x00\r\nQUIT\n"
V1 = b"PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n"
_body = (socket.inet_aton("192.0.2.1") + socket.inet_aton("198.51.100.2") + struct.pack("!HH", 56324, 443)
         + struct.pack("!BH", 1, 2) + b"h2" + struct.pack("!BH", 2, 15) + b"www.example.org")
V2 = SIG + bytes([0x21, 0x11]) + struct.pack("!H", len(_body)) + _body
HEADERS = {"none": b"", "v1": V1, "v2": V2}


def main():
    port, seconds, mode = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
    hdr = HEADERS[mode]
    n = 0
    start = time.monotonic()
    end = start + seconds
    while time.monotonic() < end:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        if hdr:
            s.sendall(hdr)
        s.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            d = s.recv(64)
            if not d:
                break
            got += d
        s.close()
        if got != b"G":
            sys.exit("proxyload: unexpected reply %r (mode %s)" % (got, mode))
        n += 1
    print("connections %d seconds %.3f" % (n, time.monotonic() - start))


if __name__ == "__main__":
    main()
