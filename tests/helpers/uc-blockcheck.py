#!/usr/bin/env python3
# ISC license.
#
# uc-blockcheck.py REPORT: checks the "ctl=HEX" bytes a uc-probe.py report
# recorded after "Y": NAME=value\0 entries (non-empty name of [A-Z0-9_],
# starting with SSL_), SSL_PROTOCOL first, no bare NAME\0 entry, no
# duplicate, then one more \0 and nothing after it;
# prints the entries, one per line.
# Exit 0 if good, 1 with "uc-blockcheck: ..." on stderr if not.
import re, sys

hexs = None
for l in open(sys.argv[1]):
    if l.startswith("ctl="):
        hexs = l[4:].strip()
if hexs is None:
    sys.exit("uc-blockcheck: no ctl= line in the report")
b = bytes.fromhex(hexs)
if not b:
    sys.exit("uc-blockcheck: no bytes at all on the control descriptor")
if not b.endswith(b"\0\0"):
    sys.exit("uc-blockcheck: the block does not end with an entry's NUL plus one more NUL: %r" % b[-20:])
body = b[:-2]
entries = body.split(b"\0")
names = []
for e in entries:
    if not e:
        sys.exit("uc-blockcheck: an empty entry before the end (early terminator): %r" % b)
    if b"=" not in e:
        sys.exit("uc-blockcheck: bare entry without '=': %r" % e)
    n, v = e.split(b"=", 1)
    if not re.fullmatch(rb"SSL_[A-Z0-9_a-z]+", n):
        sys.exit("uc-blockcheck: bad name %r" % n)
    if not v:
        sys.exit("uc-blockcheck: empty value for %r (only variables with a value)" % n)
    if n in names:
        sys.exit("uc-blockcheck: duplicate %r" % n)
    names.append(n)
    print(e.decode("latin-1"))
if names[0] != b"SSL_PROTOCOL":
    sys.exit("uc-blockcheck: first entry is %r, not SSL_PROTOCOL" % names[0])
