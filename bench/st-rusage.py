#!/usr/bin/env python3
# ISC license.
#
# bench/st-rusage.py FILE PROG...: runs PROG (inheriting 0/1/2), then
# appends to FILE the user+system CPU seconds of PROG and every
# descendant it waited for. Exits with PROG's exit code.
import resource, subprocess, sys

r = subprocess.call(sys.argv[2:])
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "a") as f:
    f.write("%.4f\n" % (ru.ru_utime + ru.ru_stime))
sys.exit(r)
