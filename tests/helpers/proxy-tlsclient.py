#!/usr/bin/env python3
# ISC license.
#
# proxy-tlsclient.py PORT CAFILE SRCIP: one TLS 1.2 connection to
# 127.0.0.1:PORT from the local address SRCIP (e.g. 127.0.0.5, so the
# client is told apart from the balancer), verifying "localhost" against
# CAFILE. Prints "client=SRCIP:SRCPORT" then what the server sent until
# it closed. Exit 1 if the handshake fails.

import socket
import ssl
import sys


def main():
    port, cafile, src = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    raw = socket.create_connection(("127.0.0.1", port), timeout=40, source_address=(src, 0))
    me = raw.getsockname()
    try:
        s = ctx.wrap_socket(raw, server_hostname="localhost")
    except (ssl.SSLError, OSError) as e:
        print("client=%s:%d" % me, flush=True)
        print("handshake failed: %s" % e)
        sys.exit(1)
    print("client=%s:%d" % me, flush=True)
    out = b""
    try:
        while True:
            d = s.recv(4096)
            if not d:
                break
            out += d
    except (ssl.SSLError, OSError):
        pass
    sys.stdout.write(out.decode("ascii", "replace"))


if __name__ == "__main__":
    main()
