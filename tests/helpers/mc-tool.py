#!/usr/bin/env python3
# ISC license.
#
# mc-tool.py ADDR CMD: looks into a memcached for the session tests.
# ADDR is a socket path or HOST:PORT. CMD:
#   keys     the names stored (lru_crawler metadump), one a line
#   dump     NAME HEX-OF-VALUE for each name
#   tamper   flips one bit in the middle of every value, stores it back
#   wait     exits 0 once memcached answers "version" (5 s at most)
import socket, sys, time, urllib.parse


def connect(addr):
    if addr.startswith("/"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(addr)
    else:
        h, p = addr.rsplit(":", 1)
        s = socket.create_connection((h, int(p)))
    s.settimeout(5)
    return s


def until(s, end):
    b = b""
    while not b.endswith(end):
        d = s.recv(65536)
        if not d:
            raise SystemExit("mc-tool: memcached closed the connection")
        b += d
    return b


def keys(s):
    s.sendall(b"lru_crawler metadump all\r\n")
    out = []
    # one item a line, ended by LF alone; END with CRLF
    for l in until(s, b"END\r\n").split(b"\n"):
        if l.startswith(b"key="):
            out.append(urllib.parse.unquote(l.split()[0][4:].decode()))
    return out


def get(s, k):
    s.sendall(b"get " + k.encode() + b"\r\n")
    b = until(s, b"END\r\n")
    if not b.startswith(b"VALUE"):
        return None
    hdr, rest = b.split(b"\r\n", 1)
    n = int(hdr.split()[3])
    return rest[:n]


def main():
    addr, cmd = sys.argv[1], sys.argv[2]
    if cmd == "wait":
        t = time.monotonic() + 5
        while time.monotonic() < t:
            try:
                s = connect(addr)
                s.sendall(b"version\r\n")
                if until(s, b"\r\n").startswith(b"VERSION"):
                    return 0
            except OSError:
                time.sleep(0.05)
        return 1
    s = connect(addr)
    ks = keys(s)
    for k in ks:
        if cmd == "keys":
            print(k)
        elif cmd == "dump":
            v = get(s, k)
            print(k, v.hex() if v is not None else "-")
        elif cmd == "tamper":
            v = get(s, k)
            if v is None:
                continue
            v = bytearray(v)
            v[len(v) // 2] ^= 0x01
            s.sendall(b"set %s 0 600 %d\r\n" % (k.encode(), len(v)) + bytes(v) + b"\r\n")
            if until(s, b"\r\n") != b"STORED\r\n":
                raise SystemExit("mc-tool: set failed")
            print(k)
    return 0


sys.exit(main())
