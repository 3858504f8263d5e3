#!/usr/bin/env python3
# ISC license.
#
# rbs-client.py --port P --cafile CA --tcpserver PID --tlsd EXE --app EXE
#               [-n 1000] [--up BYTES] [--down BYTES] [--timeout S]
#
# The load half of tests/stress/run.sh: n TLS connections from one
# process (epoll, non-blocking sockets, ssl.SSLObject over memory BIOs)
# to tcpserver + tlsd + "rbs-app server DOWN".
#
# 1. All n connections connect and finish their handshake. Then, with
#    all of them open at once (the barrier), it looks at the processes
#    tcpserver has: exactly n children, each the tlsd executable, each
#    holding exactly fds 0 and 1 (the same socket), 2 (tcpserver's
#    stderr) and two pipes, with exactly one child: rbs-app, holding
#    exactly 0 and 1 (the other ends of tlsd's two pipes) and 2.
# 2. Each connection sends UP random bytes (hashed as they go) while it
#    receives, half-closes (no close_notify), and reads until EOF: DOWN
#    bytes and the application's trailer, which holds the hash and count
#    of what the application got and the hash of what it sent.
#    A connection is ok, corrupted (a hash differs), lost (a count
#    differs, or it ended early) or failed (TLS or socket error).
# 3. Every tlsd and rbs-app process seen at the barrier is gone within
#    15 s (pid and start time), and tcpserver has no child left.
#
# Prints "PASS what" / "FAIL what: detail" lines and a few "info" lines;
# exit 0 when everything passed, 1 otherwise.

import argparse
import hashlib
import os
import random
import re
import selectors
import socket
import ssl
import sys
import time

CHUNK = 16384


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def starttime(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return None
    return int(s[s.rindex(")") + 2:].split()[19])


def exe(pid):
    try:
        return os.readlink("/proc/%d/exe" % pid)
    except OSError:
        return None


def fds(pid):
    """{fd: link target}, or None if the process is gone."""
    d = "/proc/%d/fd" % pid
    res = {}
    try:
        names = os.listdir(d)
    except OSError:
        return None
    for n in names:
        try:
            res[int(n)] = os.readlink(d + "/" + n)
        except OSError:
            pass
    return res


class Conn:
    def __init__(self, i, ctx, port, up, down):
        self.i = i
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.inc = ssl.MemoryBIO()
        self.outb = ssl.MemoryBIO()
        self.obj = ctx.wrap_bio(self.inc, self.outb, server_hostname="localhost")
        self.state = "connecting"
        self.pending = bytearray()
        self.net_eof = False
        self.up_left = up
        self.down = down
        self.rng = random.Random(os.urandom(16))
        self.hup = hashlib.sha256()
        self.hdown = hashlib.sha256()
        self.received = 0
        self.tail = bytearray()
        self.shut = False
        self.result = None
        self.detail = ""
        self.sock.connect_ex(("127.0.0.1", port))

    def fileno(self):
        return self.sock.fileno()

    def take(self):
        if self.outb.pending:
            self.pending += self.outb.read()

    def events(self):
        if self.state == "connecting":
            return selectors.EVENT_WRITE
        ev = 0
        if not self.net_eof:
            ev |= selectors.EVENT_READ
        if self.pending:
            ev |= selectors.EVENT_WRITE
        return ev

    def fail(self, kind, detail):
        if self.result is None:
            self.result = kind
            self.detail = detail
        self.state = "done"

    def handshake(self):
        try:
            self.obj.do_handshake()
            self.state = "ready"
        except ssl.SSLWantReadError:
            pass
        except ssl.SSLError as e:
            self.fail("failed", "handshake: %s" % e)
        self.take()

    def on_event(self, mask, go):
        if self.state == "connecting":
            err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                self.fail("failed", "connect: %s" % os.strerror(err))
                return
            self.state = "handshake"
            self.handshake()
            return
        if mask & selectors.EVENT_WRITE and self.pending:
            try:
                n = self.sock.send(self.pending)
                del self.pending[:n]
            except BlockingIOError:
                pass
            except OSError as e:
                self.fail("failed", "send: %s" % e)
                return
        if mask & selectors.EVENT_READ:
            try:
                d = self.sock.recv(262144)
            except BlockingIOError:
                d = None
            except OSError as e:
                self.fail("failed", "recv: %s" % e)
                return
            if d == b"":
                self.net_eof = True
            elif d:
                self.inc.write(d)
        if self.state == "handshake":
            self.handshake()
            if self.net_eof and self.state == "handshake":
                self.fail("failed", "EOF during the handshake")
        if self.state == "ready" and go:
            self.state = "transfer"
        if self.state == "transfer":
            self.transfer()

    def transfer(self):
        # feed our data while the ciphertext backlog is small
        while self.up_left and len(self.pending) < 65536:
            k = min(CHUNK, self.up_left)
            b = self.rng.randbytes(k)
            self.hup.update(b)
            self.obj.write(b)
            self.up_left -= k
            self.take()
        # what arrived
        while True:
            try:
                d = self.obj.read(65536)
            except ssl.SSLWantReadError:
                if self.net_eof:
                    self.finish()
                break
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                self.finish()
                break
            except ssl.SSLError as e:
                self.fail("failed", "read: %s" % e)
                return
            if not d:
                self.finish()
                break
            if self.received < self.down:
                k = min(len(d), self.down - self.received)
                self.hdown.update(d[:k])
                self.tail += d[k:]
            else:
                self.tail += d
            self.received += len(d)
            if len(self.tail) > 4096:
                self.fail("lost", "more than DOWN bytes plus a trailer")
                return
        self.take()
        # all sent: half-close, no close_notify
        if not self.up_left and not self.pending and not self.shut and self.state == "transfer":
            try:
                self.sock.shutdown(socket.SHUT_WR)
            except OSError as e:
                self.fail("failed", "shutdown: %s" % e)
                return
            self.shut = True

    def finish(self):
        if self.state == "done":
            return
        if self.up_left or self.pending or not self.shut:
            self.fail("lost", "the server ended before we sent everything")
            return
        if self.received < self.down:
            self.fail("lost", "received %d of %d bytes" % (self.received, self.down))
            return
        m = re.fullmatch(rb"RBS in=(\d+) insha=([0-9a-f]{64}) outsha=([0-9a-f]{64}) fds=(\S+)\n", bytes(self.tail))
        if not m:
            self.fail("lost", "bad trailer %r" % bytes(self.tail[:200]))
            return
        if int(m.group(1)) != self.nup:
            self.fail("lost", "the application got %s of %d bytes" % (m.group(1).decode(), self.nup))
            return
        if m.group(2).decode() != self.hup.hexdigest():
            self.fail("corrupted", "upstream hash differs")
            return
        if m.group(3).decode() != self.hdown.hexdigest():
            self.fail("corrupted", "downstream hash differs")
            return
        if m.group(4) != b"0:pipe,1:pipe,2:file":
            self.fail("fds", "the application's own view of its fds: %s" % m.group(4).decode())
            return
        self.result = "ok"
        self.state = "done"


def main():
    ap = argparse.ArgumentParser(prog="rbs-client.py")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cafile", required=True)
    ap.add_argument("--tcpserver", type=int, required=True)
    ap.add_argument("--tlsd", required=True)
    ap.add_argument("--app", required=True)
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--up", type=int, default=262144)
    ap.add_argument("--down", type=int, default=262144)
    ap.add_argument("--timeout", type=float, default=300)
    a = ap.parse_args()
    npass = nfail = 0

    def verdict(ok, what, detail=""):
        nonlocal npass, nfail
        if ok:
            npass += 1
            print("PASS %s" % what)
        else:
            nfail += 1
            print("FAIL %s: %s" % (what, detail))
        sys.stdout.flush()

    def info(s):
        print("info: %s" % s)
        sys.stdout.flush()

    ctx = ssl.create_default_context(cafile=a.cafile)
    ctx.check_hostname = True
    ctx.options &= ~getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)
    sel = selectors.EpollSelector()
    t0 = time.monotonic()
    deadline = t0 + a.timeout
    conns = []
    for i in range(a.n):
        c = Conn(i, ctx, a.port, a.up, a.down)
        c.nup = a.up
        conns.append(c)
        sel.register(c, c.events(), c)

    def loop(go, until):
        while not until():
            if time.monotonic() > deadline:
                return False
            for key, mask in sel.select(timeout=0.2):
                c = key.data
                c.on_event(mask, go)
                if c.state == "done":
                    if c.sock.fileno() >= 0:
                        sel.unregister(c)
                        c.sock.close()
                else:
                    ev = c.events()
                    if ev:
                        sel.modify(c, ev, c)
                    else:
                        sel.unregister(c)
                        c.sock.close()
                        c.fail("failed", "nothing to wait for")
            if go:
                # connections with something to send and no event pending
                for c in conns:
                    if c.state == "ready":
                        c.state = "transfer"
                        c.transfer()
                        if c.state == "done":
                            if c.sock.fileno() >= 0:
                                sel.unregister(c)
                                c.sock.close()
                        elif c.events():
                            sel.modify(c, c.events(), c)
        return True

    # 1. everybody connected and handshaken
    ok = loop(False, lambda: all(c.state in ("ready", "done") for c in conns))
    t1 = time.monotonic()
    nready = sum(1 for c in conns if c.state == "ready")
    info("%d of %d handshakes done in %.1f s" % (nready, a.n, t1 - t0))
    verdict(ok and nready == a.n, "%d concurrent connections established (handshake done)" % a.n,
            "%d ready; first failures: %s" % (nready, "; ".join(c.detail for c in conns if c.result)[:500]))

    # the barrier: look at the processes while every connection is open
    errfd = os.readlink("/proc/%d/fd/2" % a.tcpserver)
    tlsd_exe = os.path.realpath(a.tlsd)
    app_exe = os.path.realpath(a.app)
    seen = {}   # pid -> start time, tlsd and rbs-app
    problems = []
    t_end = time.monotonic() + 20
    while True:
        problems = []
        kids = children(a.tcpserver)
        if len(kids) != nready:
            problems.append("tcpserver has %d children, expected %d" % (len(kids), nready))
        bad_tlsd = bad_app = 0
        ex_tlsd = ex_app = None
        for p in kids:
            seen[p] = starttime(p)
            f = fds(p)
            why = None
            if exe(p) != tlsd_exe:
                why = "exe %s" % exe(p)
            elif f is None:
                why = "gone"
            else:
                pipes = sorted(k for k, v in f.items() if v.startswith("pipe:"))
                if sorted(f) != sorted([0, 1, 2] + pipes) or len(pipes) != 2 \
                        or not f[0].startswith("socket:") or f[0] != f[1] or f[2] != errfd:
                    why = "fds %s" % sorted(f.items())
            if why:
                bad_tlsd += 1
                ex_tlsd = ex_tlsd or "tlsd %d: %s" % (p, why)
                continue
            ck = children(p)
            if len(ck) != 1:
                bad_app += 1
                ex_app = ex_app or "tlsd %d has children %s" % (p, ck)
                continue
            q = ck[0]
            seen[q] = starttime(q)
            g = fds(q)
            why = None
            if exe(q) != app_exe:
                why = "exe %s (not exec'ed yet?)" % exe(q)
            elif g is None:
                why = "gone"
            elif sorted(g) != [0, 1, 2] or g[2] != errfd \
                    or sorted([g[0], g[1]]) != sorted(v for v in f.values() if v.startswith("pipe:")):
                why = "fds %s, tlsd's pipes %s" % (sorted(g.items()), sorted(v for v in f.values() if v.startswith("pipe:")))
            if why:
                bad_app += 1
                ex_app = ex_app or "app %d: %s" % (q, why)
        if bad_tlsd:
            problems.append("%d tlsd with wrong fds (%s)" % (bad_tlsd, ex_tlsd))
        if bad_app:
            problems.append("%d applications wrong (%s)" % (bad_app, ex_app))
        if not problems or time.monotonic() > t_end:
            break
        time.sleep(0.2)
    ntlsd = len(children(a.tcpserver))
    info("barrier: %d tlsd processes, %d processes recorded" % (ntlsd, len(seen)))
    verdict(not any(x.startswith("tcpserver has") for x in problems),
            "tcpserver has exactly %d tlsd children at the barrier" % a.n,
            "; ".join(x for x in problems if x.startswith("tcpserver has")))
    verdict(not any("tlsd with wrong fds" in x for x in problems),
            "every tlsd holds exactly 0,1 (one socket), 2 (tcpserver's stderr) and 2 pipes",
            "; ".join(x for x in problems if "tlsd with wrong fds" in x))
    verdict(not any("applications wrong" in x for x in problems),
            "every tlsd has one child, rbs-app, holding exactly 0,1 (tlsd's pipes) and 2",
            "; ".join(x for x in problems if "applications wrong" in x))

    # 2. the data, all at once
    t2 = time.monotonic()
    ok = loop(True, lambda: all(c.state == "done" for c in conns))
    t3 = time.monotonic()
    for c in conns:
        if c.state != "done":
            c.fail("lost", "still running at the deadline (%s)" % c.state)
    counts = {}
    for c in conns:
        counts[c.result] = counts.get(c.result, 0) + 1
    mb = (a.up + a.down) * a.n / 1e6
    info("transfer: %d x (%d up + %d down) bytes in %.1f s (%.0f MB/s total)" % (
        a.n, a.up, a.down, t3 - t2, mb / max(t3 - t2, 1e-6)))
    info("results: " + " ".join("%s=%d" % (k, v) for k, v in sorted(counts.items())))
    for kind in ("corrupted", "lost", "failed", "fds"):
        bad = [c for c in conns if c.result == kind]
        verdict(not bad, "zero %s connections" % kind,
                "%d, e.g. #%d: %s" % (len(bad), bad[0].i, bad[0].detail) if bad else "")
    verdict(counts.get("ok", 0) == a.n, "%d of %d connections ok (SHA-256 both ways)" % (counts.get("ok", 0), a.n),
            "see above")

    # 3. nothing left behind
    t_end = time.monotonic() + 15
    while time.monotonic() < t_end:
        left = [p for p, st in seen.items() if st is not None and starttime(p) == st]
        if not left and not children(a.tcpserver):
            break
        time.sleep(0.1)
    left = [p for p, st in seen.items() if st is not None and starttime(p) == st]
    kids = children(a.tcpserver)
    t4 = time.monotonic()
    info("all processes gone %.1f s after the last connection ended" % (t4 - t3))
    verdict(not left, "no tlsd or application process left (%d recorded)" % len(seen),
            "%d left, e.g. %s" % (len(left), ", ".join(
                "%d (%s)" % (p, exe(p)) for p in left[:5])))
    verdict(not kids, "tcpserver has no child left", "children: %s" % kids[:10])
    info("total %.1f s" % (t4 - t0))
    print("%d passed, %d failed" % (npass, nfail))
    return 0 if nfail == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
