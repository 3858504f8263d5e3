#!/usr/bin/env python3
# ISC license.
#
# e2e-pingpong.py --cafile CA --pidfile F host port
#
# A client for 33-tlsd-batching.sh, against tlsd running an echo
# application (cat) that wrote tlsd's pid (its parent's) into F.
#
#  1. Ping-pong: messages of sizes around the record size (16384) and
#     the plaintext batch (4 records) go one at a time, and each must
#     come back whole before the next is sent: a message left behind in a
#     half-filled record or in a batch buffer makes this time out.
#  2. Bulk: 4 MiB sent while reading the echo, which fills tlsd's
#     network, staging and plaintext buffers.
#  3. Idle: tlsd's anonymous resident memory (/proc/PID/smaps_rollup) is
#     read, the connection stays idle for 2.5 s, and it is read again: it
#     must have dropped by at least --min-drop KiB (the buffers' pages go
#     back after UTLS_IDLE_RELEASE).
#  4. Ping-pong again: the released buffers work, and every byte arrives.
#
# Prints "busy_kib=N idle_kib=N drop_kib=N" and "pingpong=ok bulk=ok
# bytes=N" (N: bytes sent, and echoed, in all); exits 0 when every
# check passed, 1 otherwise (with a message), 2 on usage error.

import argparse
import random
import socket
import ssl
import sys
import time

SIZES = [1, 2, 100, 16383, 16384, 16385, 32768, 49151, 49152, 49153,
         65535, 65536, 65537, 81919, 81920, 81921, 131072, 200003, 1]


def die(msg):
    sys.stderr.write("e2e-pingpong: " + msg + "\n")
    sys.exit(1)


def recv_exact(s, n):
    out = bytearray()
    while len(out) < n:
        b = s.recv(min(1 << 20, n - len(out)))
        if not b:
            die("connection ended after %d of %d bytes" % (len(out), n))
        out += b
    return bytes(out)


def pingpong(s, rnd, label):
    for n in SIZES:
        msg = rnd.randbytes(n)
        s.sendall(msg)
        back = recv_exact(s, n)
        if back != msg:
            die("%s: the echo of a %d-byte message differs" % (label, n))


def bulk(s, rnd, total):
    data = rnd.randbytes(total)
    got = bytearray()
    sent = 0
    s.setblocking(False)
    deadline = time.monotonic() + 30
    while len(got) < total:
        if time.monotonic() > deadline:
            die("bulk: timeout after %d bytes back" % len(got))
        progress = False
        if sent < total:
            try:
                sent += s.send(data[sent:sent + 65536])
                progress = True
            except (ssl.SSLWantWriteError, ssl.SSLWantReadError, BlockingIOError):
                pass
        try:
            b = s.recv(1 << 20)
            if not b:
                die("bulk: connection ended after %d bytes back" % len(got))
            got += b
            progress = True
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
            pass
        if not progress:
            time.sleep(0.001)
    s.setblocking(True)
    if bytes(got) != data:
        die("bulk: the echo differs")


def anon_kib(pid):
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith("Anonymous:"):
                return int(line.split()[1])
    die("no Anonymous line in /proc/%d/smaps_rollup" % pid)


def main():
    ap = argparse.ArgumentParser(prog="e2e-pingpong.py")
    ap.add_argument("--cafile", required=True)
    ap.add_argument("--pidfile", required=True)
    ap.add_argument("--min-drop", type=int, default=128)
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    a = ap.parse_args()
    rnd = random.Random(33)
    ctx = ssl.create_default_context(cafile=a.cafile)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    raw = socket.create_connection((a.host, a.port), timeout=20)
    s = ctx.wrap_socket(raw, server_hostname="localhost")
    pingpong(s, rnd, "before idle")
    bulk(s, rnd, 4 << 20)
    s.settimeout(20)
    with open(a.pidfile) as f:
        pid = int(f.read().strip())
    busy = anon_kib(pid)
    time.sleep(2.5)
    idle = anon_kib(pid)
    print("busy_kib=%d idle_kib=%d drop_kib=%d" % (busy, idle, busy - idle))
    if busy - idle < a.min_drop:
        die("tlsd kept its buffers after 2.5 s idle: %d KiB -> %d KiB" % (busy, idle))
    pingpong(s, rnd, "after idle")
    bulk(s, rnd, 1 << 20)
    print("pingpong=ok bulk=ok bytes=%d" % (2 * sum(SIZES) + (5 << 20)))
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
