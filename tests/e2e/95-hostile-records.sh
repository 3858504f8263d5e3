#!/bin/sh
# ISC license.
# timeout: 60
#
# 95-hostile-records: malformed TLS records and ClientHellos replayed at
# tlsd. A Python script (below) builds about 60 inputs: truncated and
# oversized record headers, wrong content types and versions, an SSLv2
# hello, ClientHellos with bogus lengths, bad or duplicate extensions, a
# huge session id, no cipher suite, no compression method, trailing
# garbage, a valid hello followed by garbage, a ChangeCipherSpec or an
# alert first, empty-record floods, random bytes. Each goes to a fresh
# tlsd -K 3000 on one accepted TCP connection (e2e-accept1.py), several
# at a time. The client sends its bytes, reads what tlsd answers, and
# half-closes only if tlsd is still there after 1.5 s.
#
# For every input: tlsd exits 98 within -K (never a crash, never a
# hang), the application never starts, and tlsd's stderr is exactly one
# line "tlsd: fatal: TLS handshake failed: ...". The inputs marked
# "self" are complete and wrong: tlsd must reject them on its own,
# before the client's EOF. BearSSL 0.6 lets some malformed hellos
# through to a ServerHello (then tlsd fails at the client's EOF): it does
# not check for duplicate extensions, skips SNI names it cannot use
# (empty, over 255 bytes, with a NUL: tlsd sees no or a cut name),
# ignores ALPN unless tlsd has -a, accepts an empty ALPN protocol name,
# and accepts empty handshake records; those cases are marked "any". A well-formed hello is the control: it must
# get a ServerHello (so that the mutations are near misses, not noise).
# HOSTILE_VERBOSE=1 prints each case with tlsd's message.

. "${0%/*}/../lib.sh"
. "$UTLS_TOP/tests/helpers/cfg-common.sh"

need tlsd python3
pki
K=$UTLS_PKI
unset CERTFILE KEYFILE CAFILE CADIR TLS_UID TLS_GID 2>/dev/null || :

cat >"$T/hostile.py" <<'PYEOF'
import concurrent.futures
import os
import random
import re
import socket
import struct
import subprocess
import sys
import time

accept1, app, certfile, keyfile, tmp = sys.argv[1:6]
verbose = bool(os.environ.get("HOSTILE_VERBOSE"))
K_MS = 3000

def u8(n): return struct.pack(">B", n)
def u16(n): return struct.pack(">H", n)
def u24(n): return struct.pack(">I", n)[1:]
def v8(b): return u8(len(b)) + b
def v16(b): return u16(len(b)) + b

def ext(t, data): return u16(t) + v16(data)

def sni(name=b"localhost"): return ext(0, v16(u8(0) + v16(name)))
GROUPS = ext(10, v16(u16(0x1d) + u16(0x17) + u16(0x18)))
POINTS = ext(11, v8(b"\x00"))
SIGALGS = ext(13, v16(u16(0x0403) + u16(0x0804) + u16(0x0401) + u16(0x0503)))
RENEG = ext(0xff01, v8(b""))
EMS = ext(23, b"")
DEFAULT_EXTS = sni() + GROUPS + POINTS + SIGALGS + RENEG + EMS
SUITES = b"".join(u16(s) for s in (0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009, 0xc013))

def hello_body(version=0x0303, rnd=b"\x5a" * 32, sid=b"", suites=SUITES, comp=b"\x00", exts=DEFAULT_EXTS,
               raw_sid=None, raw_suites=None, raw_comp=None, raw_exts=None):
    b = u16(version) + rnd
    b += raw_sid if raw_sid is not None else v8(sid)
    b += raw_suites if raw_suites is not None else v16(suites)
    b += raw_comp if raw_comp is not None else v8(comp)
    if raw_exts is not None: b += raw_exts
    elif exts is not None: b += v16(exts)
    return b

def hs(body, msgtype=1, raw_len=None):
    return u8(msgtype) + (u24(raw_len) if raw_len is not None else u24(len(body))) + body

def rec(payload, ctype=22, version=0x0301, raw_len=None):
    return u8(ctype) + u16(version) + (u16(raw_len) if raw_len is not None else u16(len(payload))) + payload

def hello(**kw):
    return rec(hs(hello_body(**kw)))

VALID = hello()
rng = random.Random(20240901)
def rbytes(n): return bytes(rng.getrandbits(8) for _ in range(n))

# (name, bytes, "self" if tlsd must reject before EOF, else "any")
cases = [
    ("control: valid hello", VALID, "control"),
    ("nothing at all", b"", "any"),
    ("truncated header 1 byte", b"\x16", "any"),
    ("truncated header 2 bytes", b"\x16\x03", "any"),
    ("truncated header 3 bytes", b"\x16\x03\x01", "any"),
    ("truncated header 4 bytes", b"\x16\x03\x01\x00", "any"),
    ("header only, body missing", rec(b"", raw_len=0x40), "any"),
    ("record truncated mid-hello", VALID[:60], "any"),
    ("oversized length 2^14+2048+1", rec(b"\x01" + b"\x00" * 100, raw_len=16384 + 2048 + 1), "self"),
    ("oversized length 0xffff, full body", rec(b"\x00" * 0xffff), "self"),
    ("plaintext record 2^14+1", rec(hs(hello_body(exts=DEFAULT_EXTS + ext(0xfa00, b"\x00" * (16384 - 200)))) + b"\x00" * 100), "self"),
    ("content type 0", rec(hs(hello_body()), ctype=0), "self"),
    ("content type 0x13", rec(hs(hello_body()), ctype=0x13), "self"),
    ("content type 0x18 heartbeat", rec(b"\x01\x40\x00" + b"A" * 16, ctype=0x18), "self"),
    ("content type 0xff", rec(hs(hello_body()), ctype=0xff), "self"),
    ("application data first", rec(b"GET / HTTP/1.0\r\n\r\n", ctype=23), "self"),
    ("ChangeCipherSpec first", rec(b"\x01", ctype=20), "self"),
    ("ChangeCipherSpec then hello", rec(b"\x01", ctype=20) + VALID, "self"),
    ("alert first: fatal handshake_failure", rec(b"\x02\x28", ctype=21), "self"),
    ("alert first: warning close_notify", rec(b"\x01\x00", ctype=21), "any"),
    ("alert first: bogus level", rec(b"\x07\x63", ctype=21), "self"),
    ("SSLv2 hello", b"\x80\x2e\x01\x03\x01\x00\x15\x00\x00\x00\x10" + b"\x00\xc0\x2b\x00\xc0\x2f\x00\x00\x2f\x00\x00\x35\x00\x00\x0a\x07\x00\xc0\x00\x00\x39\x00\x00\x33" + rbytes(16), "self"),
    ("SSLv2 hello, 3-byte header", b"\x00\x30\x00\x01\x03\x01" + rbytes(40), "self"),
    ("record version 2.0", rec(hs(hello_body()), version=0x0200), "self"),
    ("record version 0xfefd (DTLS)", rec(hs(hello_body()), version=0xfefd), "self"),
    ("record version 0xffff", rec(hs(hello_body()), version=0xffff), "self"),
    ("client version SSL 3.0", hello(version=0x0300), "self"),
    ("client version 0x0200", hello(version=0x0200), "self"),
    ("handshake type ServerHello", rec(hs(hello_body(), msgtype=2)), "self"),
    ("handshake type Finished", rec(hs(b"\x00" * 12, msgtype=20)), "self"),
    ("handshake type 0xff", rec(hs(hello_body(), msgtype=0xff)), "self"),
    ("handshake length > record", rec(hs(hello_body(), raw_len=len(hello_body()) + 100)), "any"),
    ("handshake length < body", rec(hs(hello_body(), raw_len=40)), "self"),
    ("handshake length 0xffffff", rec(hs(hello_body(), raw_len=0xffffff)), "self"),
    ("session id length 33", hello(raw_sid=v8(b"\x01" * 33)), "self"),
    ("session id length 255", hello(raw_sid=v8(b"\x02" * 255)), "self"),
    ("session id length overruns", hello(raw_sid=u8(200) + b"\x03" * 10), "self"),
    ("zero cipher suites", hello(suites=b""), "self"),
    ("odd cipher suites length", hello(raw_suites=u16(3) + b"\xc0\x2b\x00"), "self"),
    ("cipher suites length overruns", hello(raw_suites=u16(0x4000) + SUITES), "self"),
    ("only unknown cipher suites", hello(suites=u16(0x0000) + u16(0xfefe) + u16(0x1301)), "self"),
    ("no compression methods", hello(comp=b""), "self"),
    ("only deflate compression", hello(comp=b"\x01"), "self"),
    ("compression length overruns", hello(raw_comp=u8(255) + b"\x00"), "self"),
    ("extensions length overruns", hello(raw_exts=u16(0x2000) + DEFAULT_EXTS), "self"),
    ("extensions length short", hello(raw_exts=u16(len(DEFAULT_EXTS) - 3) + DEFAULT_EXTS), "self"),
    ("extension inner length overruns", hello(exts=DEFAULT_EXTS + u16(0x1234) + u16(0x1000) + b"xx"), "self"),
    ("truncated extension header", hello(exts=DEFAULT_EXTS + b"\x00"), "self"),
    ("duplicate SNI extension", hello(exts=DEFAULT_EXTS + sni()), "any"),
    ("duplicate supported_groups", hello(exts=DEFAULT_EXTS + GROUPS), "any"),
    ("duplicate renegotiation_info", hello(exts=DEFAULT_EXTS + RENEG), "self"),
    ("SNI with empty name", hello(exts=sni(b"") + GROUPS + POINTS + SIGALGS), "any"),
    ("SNI with bad list length", hello(exts=ext(0, u16(40) + u8(0) + v16(b"localhost")) + GROUPS + POINTS + SIGALGS), "self"),
    ("SNI name 1000 bytes", hello(exts=sni(b"a" * 1000) + GROUPS + POINTS + SIGALGS), "any"),
    ("SNI name with NUL", hello(exts=sni(b"local\x00host") + GROUPS + POINTS + SIGALGS), "any"),
    ("ALPN with empty protocol", hello(exts=DEFAULT_EXTS + ext(16, v16(v8(b"") + v8(b"h2")))), "any"),
    ("ALPN list length overruns", hello(exts=DEFAULT_EXTS + ext(16, u16(200) + v8(b"h2"))), "any"),
    ("supported_groups empty", hello(exts=sni() + ext(10, v16(b"")) + POINTS + SIGALGS), "self"),
    ("supported_groups odd length", hello(exts=sni() + ext(10, v16(b"\x00\x17\x00")) + POINTS + SIGALGS), "self"),
    ("signature_algorithms odd length", hello(exts=sni() + GROUPS + POINTS + ext(13, v16(b"\x04\x03\x08"))), "self"),
    ("renegotiation_info not empty", hello(exts=sni() + GROUPS + POINTS + SIGALGS + ext(0xff01, v8(b"\x00" * 12))), "self"),
    ("SCSV and renegotiation_info mismatch", hello(suites=SUITES + u16(0x00ff), exts=sni() + GROUPS + POINTS + SIGALGS + ext(0xff01, v8(b"\x01"))), "self"),
    ("garbage after hello, same record", rec(hs(hello_body()) + b"\xde\xad\xbe\xef" * 8), "any"),
    ("garbage inside hello after extensions", rec(hs(hello_body() + b"\x00\x01\x02")), "self"),
    ("valid hello then garbage bytes", VALID + b"\xde\xad\xbe\xef" * 64, "self"),
    ("valid hello then random record", VALID + rec(rbytes(64), ctype=22, version=0x0303), "self"),
    ("valid hello twice", VALID + VALID, "self"),
    ("valid hello then alert", VALID + rec(b"\x02\x0a", ctype=21), "self"),
    ("valid hello then application data", VALID + rec(b"early", ctype=23, version=0x0303), "self"),
    ("hello in 1-byte records, then garbage record", b"".join(rec(bytes([c])) for c in hs(hello_body())) + rec(b"\x01", ctype=0x42), "self"),
    ("1000 empty handshake records", rec(b"") * 1000, "any"),
    ("empty record then CCS", rec(b"") + rec(b"\x01", ctype=20), "self"),
    ("random bytes 16", rbytes(16), "any"),
    ("random bytes 600", rbytes(600), "any"),
    ("random bytes 20000", rbytes(20000), "any"),
    ("random record body", rec(rbytes(300)), "any"),
    ("random record body, TLS 1.2 header", rec(rbytes(3000), version=0x0303), "any"),
    ("random hello body", rec(hs(rbytes(200))), "any"),
    # With tlsd -a, BearSSL parses the ALPN extension and must refuse these.
    ("-a: ALPN with empty protocol", hello(exts=DEFAULT_EXTS + ext(16, v16(v8(b"") + v8(b"h2")))), "any", ["-a", "h2,http/1.1"]),
    ("-a: ALPN list length overruns", hello(exts=DEFAULT_EXTS + ext(16, u16(200) + v8(b"h2"))), "self", ["-a", "h2,http/1.1"]),
    ("-a: ALPN protocol length overruns", hello(exts=DEFAULT_EXTS + ext(16, v16(u8(9) + b"h2"))), "self", ["-a", "h2,http/1.1"]),
    ("-a: duplicate ALPN", hello(exts=DEFAULT_EXTS + ext(16, v16(v8(b"h2"))) + ext(16, v16(v8(b"h2")))), "any", ["-a", "h2,http/1.1"]),
]

LINE = re.compile(r"^tlsd: fatal: TLS handshake failed: .+$")

def run_case(i, name, data, mode, opts=()):
    d = os.path.join(tmp, "case%02d" % i)
    os.mkdir(d)
    errf = open(os.path.join(d, "err"), "w")
    p = subprocess.Popen(["python3", accept1, "-t", "15", "-", "env", "CERTFILE=" + certfile, "KEYFILE=" + keyfile,
                          "tlsd", "-K", str(K_MS)] + list(opts) + [app, d], stdout=subprocess.PIPE, stderr=errf)
    port = int(p.stdout.readline())
    problems = []
    t0 = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port))
    answer = b""
    how = "self"
    try:
        s.sendall(data)
    except OSError:
        pass  # tlsd may already have given up on us
    s.settimeout(0.1)
    deadline = t0 + 1.5
    closed = False
    halfclosed = False
    while True:
        try:
            b = s.recv(65536)
        except socket.timeout:
            b = None
        except OSError:
            closed = True
            break
        if b == b"":
            closed = True
            break
        if b:
            answer += b
        if not halfclosed and time.monotonic() > deadline:
            how = "eof"
            halfclosed = True
            try:
                s.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        if time.monotonic() > t0 + K_MS / 1000 + 5:
            problems.append("tlsd did not close the connection")
            break
    s.close()
    status = p.wait()
    elapsed = time.monotonic() - t0
    errf.close()
    err = open(os.path.join(d, "err")).read()
    lines = err.splitlines()
    if status != 98:
        problems.append("exit status %d, not 98" % status)
    if elapsed > K_MS / 1000 + 2:
        problems.append("took %.1f s (-K %d ms)" % (elapsed, K_MS))
    if len(lines) != 1 or not LINE.match(lines[0]) or not err.endswith("\n"):
        problems.append("stderr is not one 'TLS handshake failed' line: %r" % err[:500])
    if os.path.exists(os.path.join(d, "ran")):
        problems.append("the application ran")
    if mode == "control":
        if not answer.startswith(b"\x16\x03\x03") or len(answer) < 6 or answer[5] != 2:
            problems.append("control hello got no ServerHello: %r" % answer[:16])
    elif mode == "self" and how != "self":
        problems.append("tlsd waited for the client's EOF: it did not reject the input by itself")
    return name, how, elapsed, lines[0] if lines else "", problems

failed = 0
with concurrent.futures.ThreadPoolExecutor(max_workers=8) as ex:
    futs = [ex.submit(run_case, i, *c) for i, c in enumerate(cases)]
    for f in futs:
        name, how, elapsed, line, problems = f.result()
        if verbose or problems:
            sys.stdout.write("%-45s %-4s %4.1fs %s\n" % (name, how, elapsed, line[len("tlsd: fatal: TLS handshake failed: "):]))
        for pr in problems:
            sys.stdout.write("  FAIL: %s: %s\n" % (name, pr))
            failed += 1
sys.stdout.write("%d cases, %d problems\n" % (len(cases), failed))
sys.exit(1 if failed else 0)
PYEOF

python3 "$T/hostile.py" "$UTLS_TOP/tests/helpers/e2e-accept1.py" "$CFG_APP" "$K/ec.pem" "$K/ec.key" "$T" >"$T/out" 2>"$T/perr" || {
  cat "$T/out" "$T/perr" >&2
  fail "hostile inputs: see above"
}
[ ! -s "$T/perr" ] || { cat "$T/perr" >&2; fail "the driver wrote on stderr"; }
if [ -n "${HOSTILE_VERBOSE-}" ]; then cat "$T/out"; fi
exit 0
