#!/usr/bin/env python3
# ISC license.
#
# e2e-accept1.py [ -t seconds ] portfile prog...
#
# A one-connection tcpserver for the tests that need the exit status of
# the program serving the connection (tlsd's own status, not the
# application's through tcpserver, which reports nothing).
# Listens on 127.0.0.1 port 0 (the kernel chooses), writes the port and
# a newline to portfile (written to portfile.tmp, then renamed: a reader
# never sees half a number; "-": on stdout, flushed), accepts one connection, and runs prog with
# the socket as its fds 0 and 1, stderr inherited, and PROTO=TCP,
# TCPLOCALIP, TCPLOCALPORT, TCPREMOTEIP, TCPREMOTEPORT set as tcpserver
# does. Exits with prog's exit status; if a signal killed prog, says
# which on stderr and exits 128+signal. Bounded: after -t seconds
# (default 30) without a connection, or with prog still running, prog
# (its whole process group) is killed and the helper exits 124.

import os
import signal
import socket
import subprocess
import sys
import time

import listen1


def main():
    args = sys.argv[1:]
    limit = 30.0
    if len(args) >= 2 and args[0] == "-t":
        limit = float(args[1])
        args = args[2:]
    if len(args) < 2:
        sys.stderr.write("usage: e2e-accept1.py [ -t seconds ] portfile prog...\n")
        return 100
    portfile, prog = args[0], args[1:]
    deadline = time.monotonic() + limit

    ls = listen1.listen(portfile)

    ls.settimeout(max(0.1, deadline - time.monotonic()))
    try:
        conn, peer = ls.accept()
    except socket.timeout:
        sys.stderr.write("e2e-accept1: fatal: nobody connected within %g s\n" % limit)
        return 124
    ls.close()
    conn.setblocking(True)
    local = conn.getsockname()
    env = dict(os.environ)
    env.update(PROTO="TCP", TCPLOCALIP=local[0], TCPLOCALPORT=str(local[1]),
               TCPREMOTEIP=peer[0], TCPREMOTEPORT=str(peer[1]))
    fd = conn.fileno()
    try:
        p = subprocess.Popen(prog, stdin=fd, stdout=fd, env=env,
                             start_new_session=True)
    except OSError as e:
        sys.stderr.write("e2e-accept1: fatal: unable to run %s: %s\n" % (prog[0], e))
        return 127
    conn.close()
    try:
        st = p.wait(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        sys.stderr.write("e2e-accept1: fatal: %s still running after %g s: killed\n" % (prog[0], limit))
        return 124
    if st < 0:
        sys.stderr.write("e2e-accept1: killed by signal %s: %s\n" % (signal.Signals(-st).name, " ".join(prog)[:300]))
        return 128 - st
    return st


if __name__ == "__main__":
    sys.exit(main())
