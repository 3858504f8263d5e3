#!/usr/bin/env python3
# ISC license.
#
# proxy-hdr.py: PROXY protocol headers (HAProxy's specification, v1 and
# v2), good and bad, for the proxy-accept tests.
#
#   proxy-hdr.py list                    the case names
#   proxy-hdr.py bytes CASE              the header on stdout
#   proxy-hdr.py send PORT CASE [MODE]   connect to 127.0.0.1:PORT, send
#       the header then TRAILER (below), half-close, print what comes
#       back. MODE: "one" (header and trailer in one write, default),
#       "split" (the header a byte at a time, 5 ms apart, then the
#       trailer), "stall" (the header minus its last byte, then wait
#       for the server to close: at most 20 s)
#   proxy-hdr.py crc32c HEX              the CRC32C of bytes (self-check)
#
# Written from the specification: v2 is a 12-byte signature, a
# version/command byte, a family/transport byte, a 16-bit length, the
# addresses, then TLVs (type, 16-bit length, value).

import socket
import struct
import sys
import time

TRAILER = b"after-the-header\r\nPROXY TCP4 9.9.9.9 9.9.9.9 9 9\r\n\x16\x03\x01 end\n"
SIG = b"\r\n\r\n\x00\r\nQUIT\n"


def crc32c(data, crc=0):
    crc ^= 0xffffffff
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82f63b78 if crc & 1 else crc >> 1
    return crc ^ 0xffffffff


def tlv(t, value):
    return struct.pack("!BH", t, len(value)) + value


def v2(cmd=0x21, fam=0x11, addr=None, tlvs=b"", length=None, crc=None):
    if addr is None:
        addr = {
            0x11: socket.inet_pton(socket.AF_INET, "192.0.2.1")
            + socket.inet_pton(socket.AF_INET, "198.51.100.2")
            + struct.pack("!HH", 56324, 443),
            0x21: socket.inet_pton(socket.AF_INET6, "2001:db8::1")
            + socket.inet_pton(socket.AF_INET6, "2001:db8::2")
            + struct.pack("!HH", 56324, 443),
            0x31: b"/run/client.sock".ljust(108, b"\0") + b"/run/server.sock".ljust(108, b"\0"),
        }.get(fam, b"")
    body = addr + tlvs
    if crc is not None:
        body += tlv(0x03, b"\0\0\0\0")
    n = len(body) if length is None else length
    h = SIG + bytes([cmd, fam]) + struct.pack("!H", n) + body
    if crc is not None:
        c = crc32c(h) if crc == "good" else crc
        h = h[:-4] + struct.pack("!I", c)
    return h


SSL = tlv(0x20, bytes([0x07]) + struct.pack("!I", 0)
          + tlv(0x21, b"TLSv1.3") + tlv(0x22, b"client.example")
          + tlv(0x23, b"TLS_AES_128_GCM_SHA256") + tlv(0x24, b"SHA256")
          + tlv(0x25, b"EC256"))

CASES = {
    # v1, good
    "v1-tcp4": b"PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n",
    "v1-tcp6": b"PROXY TCP6 2001:db8::1 2001:db8::2 56324 443\r\n",
    "v1-unknown": b"PROXY UNKNOWN\r\n",
    "v1-unknown-rest": b"PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n",
    "v1-max": b"PROXY TCP6 " + b":".join([b"ffff"] * 8) + b" " + b":".join([b"ffff"] * 8) + b" 65535 65535\r\n",
    "v1-port0": b"PROXY TCP4 192.0.2.1 198.51.100.2 0 65535\r\n",
    # v1, bad
    "v1-toolong": b"PROXY UNKNOWN " + b"x" * 100 + b"\r\n",
    "v1-nocrlf": b"PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\n",
    "v1-cr-inside": b"PROXY TCP4 192.0.2.1\r198.51.100.2 56324 443\r\n",
    "v1-badproto": b"PROXY TCP5 192.0.2.1 198.51.100.2 56324 443\r\n",
    "v1-lowercase": b"PROXY tcp4 192.0.2.1 198.51.100.2 56324 443\r\n",
    "v1-3fields": b"PROXY TCP4 192.0.2.1 198.51.100.2 56324\r\n",
    "v1-5fields": b"PROXY TCP4 192.0.2.1 198.51.100.2 56324 443 1\r\n",
    "v1-2spaces": b"PROXY TCP4 192.0.2.1  198.51.100.2 56324 443\r\n",
    "v1-port-range": b"PROXY TCP4 192.0.2.1 198.51.100.2 65536 443\r\n",
    "v1-port-zero": b"PROXY TCP4 192.0.2.1 198.51.100.2 056324 443\r\n",
    "v1-port-sign": b"PROXY TCP4 192.0.2.1 198.51.100.2 +5632 443\r\n",
    "v1-addr4": b"PROXY TCP4 192.0.2.256 198.51.100.2 56324 443\r\n",
    "v1-addr4-as6": b"PROXY TCP4 2001:db8::1 198.51.100.2 56324 443\r\n",
    "v1-addr6": b"PROXY TCP6 2001:db8::g 2001:db8::2 56324 443\r\n",
    "v1-addr6-as4": b"PROXY TCP6 2001:db8::1 198.51.100.2 56324 443\r\n",
    "v1-truncated": b"PROXY TCP4 192.0.2.1 198.51.",
    # v2, good
    "v2-tcp4": v2(),
    "v2-tcp6": v2(fam=0x21),
    "v2-local": v2(cmd=0x20, fam=0x00),
    "v2-local-inet": v2(cmd=0x20, fam=0x11),
    "v2-unspec": v2(fam=0x00),
    "v2-unix": v2(fam=0x31),
    "v2-tlvs": v2(tlvs=tlv(0x04, b"\0" * 7) + tlv(0x01, b"h2") + tlv(0x02, b"www.example.org")
                  + SSL + tlv(0xe0, b"custom")),
    "v2-crc": v2(tlvs=tlv(0x01, b"http/1.1"), crc="good"),
    "v2-ctlvalue": v2(tlvs=tlv(0x01, b"h2\nX=1") + tlv(0x02, b"www.example.org")),
    "v2-bigtlv": v2(tlvs=tlv(0x04, b"\0" * 4000) + tlv(0x01, b"h2")),
    # v2, bad
    "v2-badsig": v2()[:11] + b"X" + v2()[12:],
    "v2-badver": v2(cmd=0x11),
    "v2-badcmd": v2(cmd=0x22),
    "v2-badfam": v2(fam=0x41, addr=b"\0" * 12),
    "v2-badtransport": v2(fam=0x13),
    "v2-udp": v2(fam=0x12, addr=v2()[16:28]),
    "v2-short4": v2(fam=0x11, addr=b"\0" * 8),
    "v2-short6": v2(fam=0x21, addr=b"\0" * 24),
    "v2-shortunix": v2(fam=0x31, addr=b"\0" * 100),
    "v2-truncated": v2()[:22],
    "v2-truncated-fixed": v2()[:10],
    "v2-crc-bad": v2(tlvs=tlv(0x01, b"http/1.1"), crc=0x12345678),
    "v2-crc-len": v2(tlvs=tlv(0x03, b"\0\0\0")),
    "v2-tlv-overrun": v2(tlvs=tlv(0x02, b"www.example.org") + b"\x01\x00\x09h2"),
    "v2-tlv-partial": v2(tlvs=b"\x01\x00"),
    "v2-ssl-overrun": v2(tlvs=tlv(0x20, bytes([1]) + b"\0\0\0\0" + b"\x21\x00\x10TLS")),
    "v2-ssl-short": v2(tlvs=tlv(0x20, b"\x01\0\0")),
    # neither
    "none-http": b"GET / HTTP/1.0\r\n\r\n",
    "none-tls": b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + b"\0" * 32,
}


def send(port, case, mode):
    h = CASES[case]
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    if mode == "one":
        s.sendall(h + TRAILER)
    elif mode == "split":
        for i in range(len(h)):
            s.sendall(h[i:i + 1])
            time.sleep(0.005)
        s.sendall(TRAILER)
    elif mode == "stall":
        s.sendall(h[:-1])
    elif mode == "only":
        s.sendall(h)
    else:
        sys.exit("proxy-hdr.py: unknown mode " + mode)
    if mode != "stall":
        s.shutdown(socket.SHUT_WR)
    out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except (ConnectionResetError, socket.timeout):
        pass
    sys.stdout.buffer.write(out)


def main():
    a = sys.argv[1:]
    if a == ["list"]:
        print("\n".join(CASES))
    elif len(a) == 2 and a[0] == "bytes":
        sys.stdout.buffer.write(CASES[a[1]])
    elif a and a[0] == "trailer":
        sys.stdout.buffer.write(TRAILER)
    elif len(a) in (3, 4) and a[0] == "send":
        send(int(a[1]), a[2], a[3] if len(a) == 4 else "one")
    elif len(a) == 2 and a[0] == "crc32c":
        print("%08x" % crc32c(bytes.fromhex(a[1])))
    else:
        sys.exit("usage: proxy-hdr.py list | bytes CASE | trailer | send PORT CASE [one|split|stall|only] | crc32c HEX")


if __name__ == "__main__":
    main()
