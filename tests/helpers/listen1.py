# ISC license.
#
# listen1.py: the Python side of lib.sh's server_start, for the scripted
# servers in tests/helpers (e2e-accept1.py, e2e-tamper.py,
# uc-smtpsrv.py): "import listen1" (their own directory is on sys.path).
#
# listen1.listen(portfile) listens on 127.0.0.1, port 0 (the kernel
# chooses: ports are never guessed), and reports the port and a newline:
# in portfile, written to portfile.tmp and then renamed, so that a reader
# never sees half a number (server_start NAME file); or, when portfile is
# "-", on stdout, flushed (server_start NAME out). Returns the listening
# socket (backlog 1).

import os
import socket
import sys


def listen(portfile):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    line = "%d\n" % ls.getsockname()[1]
    if portfile == "-":
        sys.stdout.write(line)
        sys.stdout.flush()
    else:
        with open(portfile + ".tmp", "w") as f:
            f.write(line)
        os.rename(portfile + ".tmp", portfile)
    return ls
