#!/usr/bin/env python3
# ISC license.
#
# e2e-tlsclient.py [options] host port
#
# A TLS client for the end-to-end tests, built on ssl.MemoryBIO and
# ssl.SSLObject over a plain non-blocking TCP socket, so that the test
# controls exactly what goes on the wire: TCP half-close with or without
# close_notify, and how the peer's end of stream is seen.
#
# It sends the --send file (nothing by default) while it receives, at the
# same time, everything the server sends into the --recv file (stdout by
# default). When the send side is finished it ends its direction as --end
# says:
#   halfclose     shutdown(SHUT_WR), no close_notify (default)
#   close_notify  send close_notify, keep the TCP connection open for reading
#   none          do nothing until the server has ended its direction,
#                 then close the socket (no close_notify)
#   reply         do nothing until the server has ended its direction,
#                 then answer a close_notify with a close_notify, and close
# With --wait, the --end action waits until the server has ended its
# direction (for halfclose and close_notify).
#
# On stderr, one line per fact, for the test to grep:
#   version=TLSv1.2 cipher=NAME alpn=NAME|-
#   sent=N received=N end=close_notify|eof
# where end says how the server ended its direction: close_notify
# (SSLZeroReturnError) or eof (TCP EOF without close_notify, SSLEOFError).
# Exit 0 when the whole exchange completed, 1 on any TLS or socket error
# (with a message), 2 on usage error, 3 on timeout (--timeout, default 60 s).

import argparse
import selectors
import socket
import ssl
import sys
import time

CHUNK = 65536
OUTMAX = 1 << 20


def die(code, msg):
    sys.stderr.write("e2e-tlsclient: " + msg + "\n")
    sys.exit(code)


def main():
    ap = argparse.ArgumentParser(prog="e2e-tlsclient.py")
    ap.add_argument("--cafile", required=True)
    ap.add_argument("--servername", default="localhost")
    ap.add_argument("--ciphers")
    ap.add_argument("--alpn")
    ap.add_argument("--send")
    ap.add_argument("--recv")
    ap.add_argument("--end", default="halfclose",
                    choices=["halfclose", "close_notify", "none", "reply"])
    ap.add_argument("--wait", action="store_true")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    a = ap.parse_args()

    ctx = ssl.create_default_context(cafile=a.cafile)
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    # some Python builds hide a TCP EOF without close_notify: see it
    ctx.options &= ~getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)
    if a.ciphers:
        ctx.set_ciphers(a.ciphers)
    if a.alpn:
        ctx.set_alpn_protocols(a.alpn.split(","))
    deadline = time.monotonic() + a.timeout

    sendf = open(a.send, "rb") if a.send else None
    recvf = open(a.recv, "wb") if a.recv else sys.stdout.buffer

    sock = socket.create_connection((a.host, a.port), timeout=a.timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setblocking(False)
    inc = ssl.MemoryBIO()
    outb = ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, outb, server_side=False,
                       server_hostname=a.servername)
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_READ)

    pending = b""        # ciphertext not yet written to the socket
    handshake_done = False
    send_eof = sendf is None   # no more plaintext to give to obj.write
    end_done = False     # the --end action has been taken
    net_eof = False      # TCP EOF from the server
    recv_end = None      # how the server ended: close_notify / eof
    sent = 0
    received = 0

    def take_out():
        nonlocal pending
        if outb.pending:
            pending += outb.read()

    while True:
        if time.monotonic() > deadline:
            die(3, "timeout: handshake_done=%s sent=%d received=%d" %
                (handshake_done, sent, received))
        if not handshake_done:
            try:
                obj.do_handshake()
                handshake_done = True
                sys.stderr.write("version=%s cipher=%s alpn=%s\n" % (
                    obj.version(), obj.cipher()[0],
                    obj.selected_alpn_protocol() or "-"))
                sys.stderr.flush()
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError as e:
                die(1, "handshake failed: %s" % e)
            take_out()
        if handshake_done:
            # feed plaintext while the ciphertext backlog is small
            while not send_eof and len(pending) + outb.pending < OUTMAX:
                chunk = sendf.read(CHUNK)
                if not chunk:
                    send_eof = True
                    break
                obj.write(chunk)
                sent += len(chunk)
            take_out()
            # drain decrypted data
            while recv_end is None:
                try:
                    data = obj.read(CHUNK)
                except ssl.SSLWantReadError:
                    if net_eof:
                        recv_end = "eof"
                    break
                except ssl.SSLZeroReturnError:
                    recv_end = "close_notify"
                    break
                except ssl.SSLEOFError:
                    recv_end = "eof"
                    break
                except ssl.SSLError as e:
                    die(1, "read failed after %d bytes: %s" % (received, e))
                if not data:
                    recv_end = "eof" if net_eof else "close_notify"
                    break
                recvf.write(data)
                received += len(data)
            # the end of our direction
            if send_eof and not end_done and not pending and \
                    (recv_end is not None or not a.wait) and \
                    a.end in ("halfclose", "close_notify"):
                end_done = True
                if a.end == "halfclose":
                    sock.shutdown(socket.SHUT_WR)
                else:
                    try:
                        obj.unwrap()
                    except (ssl.SSLWantReadError, ssl.SSLZeroReturnError):
                        pass
                    except ssl.SSLError as e:
                        die(1, "unable to send close_notify: %s" % e)
                    take_out()
            if send_eof and recv_end is not None and not end_done and \
                    a.end in ("none", "reply"):
                end_done = True
                if a.end == "reply" and recv_end == "close_notify":
                    try:
                        obj.unwrap()
                    except ssl.SSLError:
                        pass
                    take_out()
            if end_done and recv_end is not None and not pending:
                break
        # socket I/O
        events = selectors.EVENT_READ if not net_eof else 0
        if pending:
            events |= selectors.EVENT_WRITE
        if not events:
            # nothing to wait for: the server ended and we have nothing to send
            if recv_end is None:
                recv_end = "eof"
            continue
        sel.modify(sock, events)
        ready = sel.select(timeout=max(0.0, deadline - time.monotonic()))
        for key, ev in ready:
            if ev & selectors.EVENT_WRITE and pending:
                try:
                    n = sock.send(pending[:OUTMAX])
                    pending = pending[n:]
                except BlockingIOError:
                    pass
                except OSError as e:
                    die(1, "send failed after %d bytes sent: %s" % (sent, e))
            if ev & selectors.EVENT_READ:
                try:
                    data = sock.recv(262144)
                except BlockingIOError:
                    continue
                except OSError as e:
                    die(1, "recv failed after %d bytes received: %s" % (received, e))
                if data:
                    inc.write(data)
                elif not handshake_done:
                    net_eof = True
                    inc.write_eof()
                else:
                    # OpenSSL makes a TCP EOF without close_notify fatal to
                    # the whole connection: tell it only once our side is
                    # done, so that we can go on sending after the
                    # server's half-close.
                    net_eof = True

    if recv_end == "eof":
        # confirm it: OpenSSL must see a truncation, not a bad record
        inc.write_eof()
        try:
            obj.read(CHUNK)
            die(1, "data after the end of stream")
        except ssl.SSLEOFError:
            pass
        except ssl.SSLError as e:
            die(1, "bad end of stream: %s" % e)
    sock.close()
    recvf.flush()
    if a.recv:
        recvf.close()
    sys.stderr.write("sent=%d received=%d end=%s\n" % (sent, received, recv_end))
    return 0


if __name__ == "__main__":
    sys.exit(main())
