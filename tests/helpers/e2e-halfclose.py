#!/usr/bin/env python3
# ISC license.
#
# e2e-halfclose.py --cafile FILE [--count N] [--threads N] [--lines N] host port
#
# Opens N TLS connections (default 1000), a few at a time (--threads,
# default 4), each with Python's ssl over memory BIOs on a plain blocking
# socket, so that the half-close is ours: after the handshake the client
# sends one request line "req-NNNNNN-<16 hex>\n" and at once shuts down
# the TCP write side (shutdown(SHUT_WR), no close_notify). It must then
# receive the whole reply of tests/helpers/e2e-reply.sh: --lines lines
# (default 640) "%04d <request>\n". Each connection is classified:
#   ok      the whole reply, byte for byte
#   lost    nothing received
#   short   a strict prefix of the reply
#   wrong   anything else (bytes that are not the reply)
#   error   TLS or socket error (handshake included), or a timeout
# and how the server ended it (close_notify or eof). Prints one summary
# line "total=N ok=N lost=N short=N wrong=N error=N close_notify=N eof=N
# seconds=S" on stdout, and the first few failures on stderr. Exit 0 iff
# every connection is ok.

import argparse
import os
import socket
import ssl
import sys
import threading
import time


def one(ctx, host, port, idx, nlines, timeout):
    req = "req-%06d-%s" % (idx, os.urandom(8).hex())
    want = "".join("%04d %s\n" % (i, req) for i in range(nlines)).encode()
    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        inc, outb = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = ctx.wrap_bio(inc, outb, server_side=False, server_hostname="localhost")

        def flush():
            data = outb.read()
            if data:
                sock.sendall(data)

        def feed():
            d = sock.recv(65536)
            if d:
                inc.write(d)
            else:
                inc.write_eof()
            return bool(d)

        while True:
            try:
                obj.do_handshake()
                break
            except ssl.SSLWantReadError:
                flush()
                feed()
        flush()
        obj.write((req + "\n").encode())
        flush()
        sock.shutdown(socket.SHUT_WR)
        got = bytearray()
        end = None
        while end is None:
            try:
                chunk = obj.read(65536)
                if not chunk:
                    # CPython returns b"" once the close_notify is read
                    end = "close_notify"
                got += chunk
            except ssl.SSLWantReadError:
                feed()
            except ssl.SSLZeroReturnError:
                end = "close_notify"
            except ssl.SSLEOFError:
                end = "eof"
        got = bytes(got)
        if got == want:
            return "ok", end, ""
        if not got:
            return "lost", end, "%s: nothing received (end %s)" % (req, end)
        if want.startswith(got):
            return "short", end, "%s: %d of %d bytes (end %s)" % (req, len(got), len(want), end)
        return "wrong", end, "%s: %d bytes that are not the reply" % (req, len(got))
    finally:
        sock.close()


def main():
    ap = argparse.ArgumentParser(prog="e2e-halfclose.py")
    ap.add_argument("--cafile", required=True)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--lines", type=int, default=640)
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    a = ap.parse_args()

    ctx = ssl.create_default_context(cafile=a.cafile)
    ctx.options &= ~getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)
    counts = dict(ok=0, lost=0, short=0, wrong=0, error=0, close_notify=0, eof=0)
    msgs = []
    lock = threading.Lock()
    nxt = [0]

    def worker():
        while True:
            with lock:
                i = nxt[0]
                if i >= a.count:
                    return
                nxt[0] += 1
            try:
                kind, end, msg = one(ctx, a.host, a.port, i, a.lines, a.timeout)
            except (OSError, ssl.SSLError) as e:
                kind, end, msg = "error", None, "connection %d: %s: %s" % (i, type(e).__name__, e)
            with lock:
                counts[kind] += 1
                if end:
                    counts[end] += 1
                if msg and len(msgs) < 10:
                    msgs.append(msg)

    t0 = time.monotonic()
    ths = [threading.Thread(target=worker) for _ in range(a.threads)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    for m in msgs:
        sys.stderr.write("e2e-halfclose: %s\n" % m)
    print("total=%d ok=%d lost=%d short=%d wrong=%d error=%d close_notify=%d eof=%d seconds=%.1f" % (
        a.count, counts["ok"], counts["lost"], counts["short"], counts["wrong"],
        counts["error"], counts["close_notify"], counts["eof"], time.monotonic() - t0))
    return 0 if counts["ok"] == a.count else 1


if __name__ == "__main__":
    sys.exit(main())
