#!/usr/bin/env python3
# ISC license.
#
# rb-fault.py --cafile CA --err FILE [--timeout S] SCENARIO -- cmd...
#
# The fault-injection driver of tests/e2e/90-9x: one connection to one
# server process, with the client, the process watching and the timing
# in this one process, so that a test can say "tlsd ended within a
# second of the reset" and "its CPU time did not move while blocked".
#
# It listens on 127.0.0.1 port 0, connects to itself, accepts, and runs
# cmd (normally "env CERTFILE=... KEYFILE=... tlsd ... app...") with the
# accepted socket as fds 0 and 1, stderr to FILE, the tcpserver
# variables set, in a new session. cmd's pid is "the server" (tlsd); the
# application is found as its only child (/proc/PID/task/PID/children).
# Then the client (Python ssl over memory BIOs, non-blocking socket)
# plays SCENARIO:
#
#   reset        handshake, send random data for 0.3 s (the application
#                reads it), then close with SO_LINGER 0 (RST)
#   reset-recv   handshake, receive for 0.3 s (the application writes
#                without end), then RST
#   early-exit   handshake, then send 8 MiB while reading, until the
#                server is gone (the application exits at once)
#   crash        handshake, send "request\n", read until the end
#   backpressure handshake, send 64 MiB; the application does not read
#                for a while: watch the server while the sender is
#                stalled (RSS each 100 ms, CPU time over 2 s), then
#                finish, half-close, read the reply
#   no-read      handshake, read nothing for 3 s while the application
#                writes (same watching), then read everything
#   slow-read    handshake, then read steadily but slowly (16 KiB every
#                100 ms) for 4 s while the application writes, then
#                read everything: progress the engine's writes alone do
#                not show (its socket buffer stays nearly full)
#   notify-unread handshake, read nothing for 0.5 s while the
#                application writes, then send close_notify and read
#                until the end
#   slowloris    send a real ClientHello one byte every 200 ms
#   app-killed   kill the server's application process (SIGKILL) before
#                the handshake, then handshake and read until the end
#   alert-flood  send a real ClientHello, then a warning alert record
#                (user_canceled) every 20 ms, until the server is gone:
#                a busy socket must not stretch the handshake timeout
#   idle         handshake, "ping\n" echoed, 3 s of nothing (watched),
#                "pong\n" echoed, half-close, read until the end
#
# Facts on stdout, one "key=value" a line, for the test to check:
#   status=N        the server's exit status (128+n if killed by signal n)
#   exit_after=S    seconds from the fault (RST, first byte, ...) to exit
#   app_pid=N app_gone=1|0 app_state=X   the application, after the end
#   recv_bytes=N recv_zero=1|0 recv_text=...  what the client got
#   client_end=eof|close_notify|reset|...    how the client saw the end
#   stall_rss_max_kb=N stall_rss_start_kb=N stall_cpu_ticks=N   watching
#   stall_wakeups=N   context switches of the watched process meanwhile
#   server_fds=... app_fds=...  descriptor sets (idle only)
# Exit 0 when the scenario ran (whatever the facts), 1 on a driver
# error, 3 when the server did not end within --timeout (it is killed,
# with its whole session, and the facts say status=timeout).

import argparse
import hashlib
import os
import select
import signal
import socket
import ssl
import struct
import subprocess
import sys
import time

CLK = os.sysconf("SC_CLK_TCK")


def out(k, v):
    sys.stdout.write("%s=%s\n" % (k, v))
    sys.stdout.flush()


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def stat(pid):
    """(state, utime+stime in ticks) or None if gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return None
    rest = s[s.rindex(")") + 2:].split()
    return rest[0], int(rest[11]) + int(rest[12])


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def switches(pid):
    """Voluntary + involuntary context switches so far, -1 if gone."""
    n = 0
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if "ctxt_switches:" in line:
                    n += int(line.split()[1])
    except OSError:
        return -1
    return n


def fdset(pid):
    """'0:socket,1:socket,2:file,4:pipe,5:pipe' (kinds only)."""
    res = []
    d = "/proc/%d/fd" % pid
    try:
        names = sorted(os.listdir(d), key=int)
    except OSError:
        return "gone"
    for n in names:
        try:
            t = os.readlink(d + "/" + n)
        except OSError:
            continue
        kind = t.split(":", 1)[0] if t.startswith(("socket:", "pipe:", "anon_inode:")) else "file"
        res.append("%s:%s" % (n, kind))
    return ",".join(res)


class Client:
    def __init__(self, sock, ctx, sni, server_side=False):
        self.sock = sock
        sock.setblocking(False)
        self.inc = ssl.MemoryBIO()
        self.outb = ssl.MemoryBIO()
        self.obj = ctx.wrap_bio(self.inc, self.outb, server_side=server_side,
                                server_hostname=None if server_side else sni)
        self.pending = bytearray()
        self.net_eof = False
        self.net_err = None
        self.end = None          # close_notify / eof / error text
        self.recv_bytes = 0
        self.recv_zero = True
        self.recv_head = bytearray()
        self.sent = 0
        self.last_send = time.monotonic()
        self.closed = False

    def take(self):
        if self.outb.pending:
            self.pending += self.outb.read()

    def step(self, timeout, read=True):
        """One select round on the socket: write what is pending, read
        what arrived into the TLS object (read=False: leave it in the
        kernel)."""
        if self.closed:
            time.sleep(timeout)
            return
        ok = self.net_err is None
        r = [self.sock] if read and ok and not self.net_eof else []
        w = [self.sock] if self.pending and ok else []
        if not r and not w:
            time.sleep(timeout)
            return
        rr, ww, _ = select.select(r, w, [], timeout)
        if ww:
            try:
                n = self.sock.send(self.pending)
                if n:
                    del self.pending[:n]
                    self.last_send = time.monotonic()
            except BlockingIOError:
                pass
            except OSError as e:
                self.net_err = e
        if rr:
            self.recv(262144)

    def recv(self, n):
        """One recv of at most n bytes into the TLS object; returns
        how many arrived (0 at EOF, on an error, or with nothing there)."""
        try:
            d = self.sock.recv(n)
        except BlockingIOError:
            return 0
        except OSError as e:
            self.net_err = e
            return 0
        if d == b"":
            self.net_eof = True
        self.inc.write(d)
        return len(d)

    def handshake(self, deadline):
        while True:
            try:
                self.obj.do_handshake()
                self.take()
                return
            except ssl.SSLWantReadError:
                self.take()
            if self.net_eof or self.net_err:
                raise RuntimeError("connection ended during the handshake: %s" % (self.net_err or "eof"))
            if time.monotonic() > deadline:
                raise RuntimeError("handshake timeout")
            self.step(0.05)

    def feed(self, data, backlog=1 << 20):
        """Encrypt as much of data as the backlog allows; returns what was taken."""
        taken = 0
        while taken < len(data) and len(self.pending) < backlog:
            chunk = data[taken:taken + 16384]
            self.obj.write(chunk)
            taken += len(chunk)
            self.take()
        self.sent += taken
        return taken

    def drain(self):
        """Decrypt what has arrived; sets self.end at the end of stream."""
        while self.end is None:
            try:
                d = self.obj.read(65536)
            except ssl.SSLWantReadError:
                if self.net_eof:
                    self.end = "eof"
                elif self.net_err is not None:
                    # ECONNRESET, or EPIPE on a send after the RST
                    self.end = "reset" if isinstance(self.net_err, (ConnectionResetError, BrokenPipeError)) else str(self.net_err)
                return
            except ssl.SSLZeroReturnError:
                self.end = "close_notify"
                return
            except ssl.SSLError as e:
                self.end = "tls-error:" + str(e)
                return
            if not d:
                self.end = "close_notify"
                return
            self.recv_bytes += len(d)
            if self.recv_zero and d.count(0) != len(d):
                self.recv_zero = False
            if len(self.recv_head) < 4096:
                self.recv_head += d[:4096 - len(self.recv_head)]
        self.take()

    def halfclose(self):
        # the server may have ended the connection already (a timeout)
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def reset(self):
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()
        self.closed = True


class Watch:
    """Samples the server while the client is stalled."""
    def __init__(self, pid, dur=2.0):
        self.pid = pid
        self.dur = dur
        self.rss_start = rss_kb(pid)
        self.rss_max = self.rss_start
        st = stat(pid)
        self.cpu0 = st[1] if st else -1
        self.sw0 = switches(pid)
        self.t0 = time.monotonic()
        self.cpu = None
        self.wakeups = None
        self.states = set()

    def sample(self):
        r = rss_kb(self.pid)
        if r > self.rss_max:
            self.rss_max = r
        st = stat(self.pid)
        if st:
            self.states.add(st[0])
        if self.cpu is None and time.monotonic() - self.t0 >= self.dur and st:
            self.cpu = st[1] - self.cpu0
            sw = switches(self.pid)
            self.wakeups = sw - self.sw0 if sw >= 0 and self.sw0 >= 0 else -1

    def done(self):
        return self.cpu is not None

    def report(self, prefix):
        out(prefix + "_rss_start_kb", self.rss_start)
        out(prefix + "_rss_max_kb", self.rss_max)
        out(prefix + "_cpu_ticks", self.cpu if self.cpu is not None else -1)
        out(prefix + "_wakeups", self.wakeups if self.wakeups is not None else -1)
        out(prefix + "_states", "".join(sorted(self.states)))


def main():
    ap = argparse.ArgumentParser(prog="rb-fault.py")
    ap.add_argument("--cafile", required=True)
    ap.add_argument("--err", required=True)
    ap.add_argument("--servername", default="localhost")
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--role", choices=["client", "server"], default="client")
    ap.add_argument("--certfile")
    ap.add_argument("--keyfile")
    ap.add_argument("--fds", default="0,1")
    ap.add_argument("scenario")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        sys.stderr.write("rb-fault.py: no command\n")
        return 1

    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    csock = socket.create_connection(lsock.getsockname(), timeout=5)
    csock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn, peer = lsock.accept()
    lsock.close()
    local = conn.getsockname()
    env = dict(os.environ)
    env.update(PROTO="TCP", TCPREMOTEIP=peer[0], TCPREMOTEPORT=str(peer[1]),
               TCPLOCALIP=local[0], TCPLOCALPORT=str(local[1]))
    errf = open(a.err, "wb")
    t_start = time.monotonic()
    rfd, wfd = [int(x) for x in a.fds.split(",")]
    if (rfd, wfd) != (0, 1):
        # the socket on rfd and wfd (tcpclient's 6 and 7), /dev/null on
        # 0 and 1; sh execs cmd, so the pid is cmd's
        cmd = ["sh", "-c", 'exec %d<&0 %d>&1 0</dev/null 1>/dev/null ; exec "$@"' % (rfd, wfd), "sh"] + cmd
    proc = subprocess.Popen(cmd, stdin=conn.fileno(), stdout=conn.fileno(), stderr=errf,
                            env=env, close_fds=True, start_new_session=True)
    conn.close()
    errf.close()
    deadline = t_start + a.timeout

    if a.role == "server":
        # we are the TLS server, cmd (tlsc) is the client
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.certfile, a.keyfile)
    else:
        ctx = ssl.create_default_context(cafile=a.cafile)
    ctx.options &= ~getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)
    c = Client(csock, ctx, a.servername, server_side=(a.role == "server"))
    app = [0]
    t_fault = [None]

    def find_app():
        if not app[0]:
            ch = children(proc.pid)
            if len(ch) == 1:
                app[0] = ch[0]
        return app[0]

    def alive():
        return proc.poll() is None

    s = a.scenario
    rnd = os.urandom(1 << 20)
    # the server forks the application's process before the handshake:
    # note its pid now, an application may be gone right after it
    for _ in range(200):
        if find_app() or not alive():
            break
        time.sleep(0.005)
    if s == "app-killed":
        # the application dies while it waits for the handshake's facts
        out("app_found", 1 if find_app() else 0)
        if find_app():
            os.kill(find_app(), signal.SIGKILL)
            for _ in range(200):
                st_ = stat(find_app())
                if st_ is None or st_[0] == "Z":
                    break
                time.sleep(0.005)
        t_fault[0] = time.monotonic()
        try:
            c.handshake(deadline)
            out("client_handshake", "done")
        except RuntimeError:
            out("client_handshake", "failed")
    elif s not in ("slowloris", "silent", "alert-flood"):
        c.handshake(deadline)
        find_app()

    if s == "reset" or s == "reset-recv":
        t_end = time.monotonic() + 0.3
        while time.monotonic() < t_end:
            if s == "reset":
                if len(c.pending) < (1 << 20):
                    c.feed(rnd[:262144])
            c.step(0.01)
            c.drain()
        out("before_reset_sent", c.sent)
        out("before_reset_recv", c.recv_bytes)
        out("alive_at_reset", 1 if alive() else 0)
        t_fault[0] = time.monotonic()
        c.reset()
    elif s == "early-exit":
        t_fault[0] = time.monotonic()
        total = 8 << 20
        while alive() and time.monotonic() < deadline:
            if c.sent < total and c.net_err is None and len(c.pending) < (1 << 20):
                c.feed(rnd[:min(262144, total - c.sent)])
            c.step(0.01)
            c.drain()
        # the server is gone: collect the end as the client sees it
        t2 = time.monotonic() + 2
        while c.end is None and time.monotonic() < t2:
            if c.sent < total and c.net_err is None and len(c.pending) < (1 << 20):
                c.feed(rnd[:min(262144, total - c.sent)])
            c.step(0.01)
            c.drain()
        out("send_error", type(c.net_err).__name__ if c.net_err else "-")
    elif s == "crash":
        c.feed(b"request\n")
        t_fault[0] = time.monotonic()
        while c.end is None and time.monotonic() < deadline:
            c.step(0.05)
            c.drain()
    elif s == "backpressure":
        total = 64 << 20
        w = None
        while time.monotonic() < deadline:
            if c.sent < total and len(c.pending) < (1 << 20):
                c.feed(rnd[:min(1 << 20, total - c.sent)])
            c.step(0.05)
            c.drain()
            now = time.monotonic()
            if w is None and c.pending and now - c.last_send > 0.3:
                w = Watch(proc.pid)
                out("stalled_after_sent", c.sent - len(c.pending))
            if w is not None and not w.done():
                w.sample()
            if c.sent >= total and not c.pending:
                break
        if w is None:
            out("stall", "never")
        else:
            w.report("stall")
        out("client_sent", c.sent)
        c.halfclose()
        t_fault[0] = time.monotonic()
        while c.end is None and time.monotonic() < deadline:
            c.step(0.05)
            c.drain()
    elif s == "slow-read":
        t_end = time.monotonic() + 4
        slow = 0
        while time.monotonic() < t_end and c.end is None and not c.net_eof and c.net_err is None:
            slow += c.recv(16384)
            c.drain()
            time.sleep(0.1)
        out("slow_read_bytes", slow)
        t_fault[0] = time.monotonic()
        while c.end is None and time.monotonic() < deadline:
            c.step(0.05)
            c.drain()
    elif s == "no-read":
        # wait for the server to be stuck: its application blocked on
        # its pipe, the engine's socket buffer full
        time.sleep(0.5)
        w = Watch(proc.pid)
        while not w.done() and time.monotonic() < deadline:
            w.sample()
            time.sleep(0.1)
        w.report("stall")
        t_fault[0] = time.monotonic()
        while c.end is None and time.monotonic() < deadline:
            c.step(0.05)
            c.drain()
    elif s == "slowloris":
        try:
            c.obj.do_handshake()
        except ssl.SSLWantReadError:
            pass
        hello = c.outb.read()
        out("hello_bytes", len(hello))
        for _ in range(50):
            if find_app():
                break
            time.sleep(0.01)
        i = 0
        t_fault[0] = t_start
        while alive() and i < len(hello) and time.monotonic() < deadline:
            try:
                c.sock.send(hello[i:i + 1])
                i += 1
            except BlockingIOError:
                pass
            except OSError as e:
                out("send_error", type(e).__name__)
                break
            end = time.monotonic() + 0.2
            while alive() and time.monotonic() < end:
                time.sleep(0.01)
        out("hello_sent", i)
    elif s == "app-killed":
        while c.end is None and time.monotonic() < deadline and c.net_err is None:
            c.step(0.05)
            c.drain()
    elif s == "notify-unread":
        time.sleep(0.5)
        t_fault[0] = time.monotonic()
        try:
            c.obj.unwrap()
        except ssl.SSLWantReadError:
            pass
        c.take()
        while c.end is None and time.monotonic() < deadline:
            c.step(0.05)
            c.drain()
    elif s == "alert-flood":
        try:
            c.obj.do_handshake()
        except ssl.SSLWantReadError:
            pass
        hello = c.outb.read()
        t_fault[0] = t_start
        c.sock.setblocking(True)
        c.sock.sendall(hello)
        alert = bytes([21, 3, 3, 0, 2, 1, 90])
        n = 0
        while alive() and time.monotonic() < deadline:
            try:
                c.sock.sendall(alert)
                n += 1
            except OSError as e:
                out("send_error", type(e).__name__)
                break
            time.sleep(0.02)
        out("alerts_sent", n)
    elif s == "silent":
        # connected, and nothing: the handshake timeout must end it
        t_fault[0] = t_start
        for _ in range(50):
            if find_app():
                break
            time.sleep(0.01)
        while alive() and time.monotonic() < deadline:
            time.sleep(0.01)
    elif s == "idle":
        c.feed(b"ping\n")
        while c.recv_bytes < 5 and c.end is None and time.monotonic() < deadline:
            c.step(0.05)
            c.drain()
        out("echo1", c.recv_head[:5].decode("ascii", "replace").strip())
        out("server_fds", fdset(proc.pid))
        try:
            same = os.readlink("/proc/%d/fd/%d" % (proc.pid, rfd)) == os.readlink("/proc/%d/fd/%d" % (proc.pid, wfd))
        except OSError:
            same = False
        out("server_net_same", 1 if same else 0)
        out("app_fds", fdset(find_app()) if find_app() else "none")
        w = Watch(proc.pid, 3.0)
        wa = Watch(find_app(), 3.0) if find_app() else None
        while not w.done() and time.monotonic() < deadline:
            time.sleep(0.1)
            w.sample()
            if wa is not None:
                wa.sample()
        w.report("idle")
        if wa is not None:
            wa.report("idle_app")
        c.feed(b"pong\n")
        while c.recv_bytes < 10 and c.end is None and time.monotonic() < deadline:
            c.step(0.05)
            c.drain()
        out("echo2", bytes(c.recv_head[5:10]).decode("ascii", "replace").strip())
        c.halfclose()
        t_fault[0] = time.monotonic()
        while c.end is None and time.monotonic() < deadline:
            c.step(0.05)
            c.drain()
    else:
        sys.stderr.write("rb-fault.py: unknown scenario %s\n" % s)
        proc.kill()
        proc.wait()
        return 1

    # the server's end, bounded
    try:
        st = proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        t_exit = time.monotonic()
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.wait()
        out("status", "timeout")
        return 3
    if st < 0:
        st = 128 - st
    out("status", st)
    if t_fault[0] is not None:
        out("exit_after", "%.3f" % (t_exit - t_fault[0]))
    if not c.closed:
        # whatever is left for the client
        t2 = time.monotonic() + 2
        while c.end is None and time.monotonic() < t2:
            c.step(0.02)
            c.drain()
    out("client_end", c.end or "-")
    out("recv_bytes", c.recv_bytes)
    out("recv_zero", 1 if c.recv_zero and c.recv_bytes else 0)
    out("recv_text", bytes(c.recv_head[:64]).decode("ascii", "replace").replace("\n", "|"))
    if app[0]:
        # gone, not a zombie: give the kernel a moment to finish the exit
        gone = 0
        for _ in range(50):
            if stat(app[0]) is None:
                gone = 1
                break
            time.sleep(0.02)
        out("app_pid", app[0])
        out("app_gone", gone)
        if not gone:
            s2 = stat(app[0])
            out("app_state", s2[0] if s2 else "-")
    else:
        out("app_pid", 0)
    if not c.closed:
        c.sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
