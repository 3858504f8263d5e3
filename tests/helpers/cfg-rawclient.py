#!/usr/bin/env python3
# ISC license.
#
# cfg-rawclient.py PORT MODE [ARG]: a misbehaving client on 127.0.0.1:PORT.
#   send TEXT     send TEXT (with \r \n escapes), then read until EOF
#   silent        send nothing, read until EOF
#   idle SECS     send nothing for SECS seconds; prints "open" if the
#                 server did not close in that time, then closes
#   hello-close   send a real TLS ClientHello (from Python's ssl module),
#                 then close at once without reading
#   hello-wait    send the ClientHello, then read until EOF without
#                 answering anything
#   tls-eof TEXT  a real TLS client (no verification): handshake, send
#                 TEXT, then half-close TCP *without* close_notify and
#                 read the reply until the server closes
#   tls-notify TEXT  the same, but send close_notify before the half-close
# The tls-* modes print the reply, then "end: close_notify" or
# "end: eof" (how the server ended), or "end: error ..." on stdout.
# For the reading modes, prints "eof after N bytes in S s" on stdout when
# the server closed the connection (or reset it), or exits 124 if it is
# still open after 15 s. Exit 0 otherwise.

import socket
import ssl
import sys
import time


def client_hello():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def read_to_eof(s, t0):
    s.settimeout(15)
    n = 0
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            n += len(b)
    except socket.timeout:
        sys.stdout.write("still open after 15 s, %d bytes\n" % n)
        return 124
    except ConnectionResetError:
        pass
    sys.stdout.write("eof after %d bytes in %.2f s\n" % (n, time.monotonic() - t0))
    return 0


def tls_mode(s, text, notify):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname="localhost")
    s.settimeout(15)

    def flush():
        data = out.read()
        if data:
            s.sendall(data)

    def feed():
        b = s.recv(65536)
        if b:
            inc.write(b)
        else:
            inc.write_eof()
        return b

    while True:
        try:
            obj.do_handshake()
            break
        except ssl.SSLWantReadError:
            flush()
            if not feed():
                sys.stdout.write("end: eof during the handshake\n")
                return 1
    flush()
    obj.write(text.replace("\\n", "\n").encode())
    flush()
    if notify:
        try:
            obj.unwrap()
        except ssl.SSLWantReadError:
            pass
        flush()
    s.shutdown(socket.SHUT_WR)
    reply = b""
    end = None
    while end is None:
        try:
            chunk = obj.read(65536)
            if not chunk:
                # CPython returns b"" (no SSLZeroReturnError) once the
                # peer's close_notify has been read
                end = "close_notify"
                break
            reply += chunk
            continue
        except ssl.SSLWantReadError:
            pass
        except ssl.SSLZeroReturnError:
            end = "close_notify"
            break
        except ssl.SSLEOFError:
            end = "eof"
            break
        except ssl.SSLError as e:
            end = "error " + str(e)
            break
        try:
            feed()
        except socket.timeout:
            end = "error: still open after 15 s"
        except ConnectionResetError:
            end = "error: connection reset"
    sys.stdout.write(reply.decode(errors="replace"))
    sys.stdout.write("end: %s\n" % end)
    return 0


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    s = socket.create_connection(("127.0.0.1", port))
    t0 = time.monotonic()
    if mode == "send":
        s.sendall(sys.argv[3].replace("\\r", "\r").replace("\\n", "\n").encode())
        return read_to_eof(s, t0)
    if mode == "silent":
        return read_to_eof(s, t0)
    if mode == "idle":
        s.settimeout(float(sys.argv[3]))
        try:
            b = s.recv(1)
            sys.stdout.write("closed (%d bytes) after %.2f s\n" % (len(b), time.monotonic() - t0))
        except socket.timeout:
            sys.stdout.write("open\n")
        s.close()
        return 0
    if mode in ("hello-close", "hello-wait"):
        s.sendall(client_hello())
        if mode == "hello-close":
            s.close()
            return 0
        return read_to_eof(s, t0)
    if mode in ("tls-eof", "tls-notify"):
        return tls_mode(s, sys.argv[3], mode == "tls-notify")
    sys.stderr.write("cfg-rawclient.py: unknown mode %s\n" % mode)
    return 100


if __name__ == "__main__":
    sys.exit(main())
