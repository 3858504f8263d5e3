#!/usr/bin/env python3
# ISC license.
#
# cfg-accept1.py [ -t seconds ] prog...
#
# Listens on 127.0.0.1, port 0, prints the bound port on stdout (one
# line, flushed), accepts one connection and runs prog with the socket
# as its fds 0 and 1 (stderr inherited), like tcpserver for a single
# connection, with TCPREMOTEIP/TCPREMOTEPORT/TCPLOCALIP/TCPLOCALPORT/PROTO
# set. Exits with prog's exit status (128+signal if killed), so that a
# test sees tlsd's own status. Bounded: if nobody connects, or prog is
# still running, after -t seconds (default 20), prog is killed and the
# helper exits 124 with a message on stderr. prog runs in its own
# process group, and the whole group is killed then.

import os
import signal
import socket
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    timeout = 20.0
    if len(args) >= 2 and args[0] == "-t":
        timeout = float(args[1])
        args = args[2:]
    if not args:
        sys.stderr.write("cfg-accept1.py: usage: cfg-accept1.py [ -t seconds ] prog...\n")
        return 100
    deadline = time.monotonic() + timeout
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    sys.stdout.write("%d\n" % lsock.getsockname()[1])
    sys.stdout.flush()
    lsock.settimeout(timeout)
    try:
        conn, peer = lsock.accept()
    except socket.timeout:
        sys.stderr.write("cfg-accept1.py: nobody connected within %g s\n" % timeout)
        return 124
    lsock.close()
    conn.settimeout(None)
    local = conn.getsockname()
    env = dict(os.environ)
    env.update(PROTO="TCP", TCPREMOTEIP=peer[0], TCPREMOTEPORT=str(peer[1]),
               TCPLOCALIP=local[0], TCPLOCALPORT=str(local[1]))
    fd = conn.fileno()
    proc = subprocess.Popen(args, stdin=fd, stdout=fd, env=env, close_fds=True,
                            start_new_session=True)
    conn.close()
    try:
        status = proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.wait()
        sys.stderr.write("cfg-accept1.py: %s still running after %g s: killed\n" % (args[0], timeout))
        return 124
    if status < 0:
        return 128 - status
    return status


if __name__ == "__main__":
    sys.exit(main())
