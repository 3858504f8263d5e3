#!/bin/sh
# ISC license.
#
# tests/valgrind/run.sh: tlsd and tlsc under valgrind memcheck
# (`make check-valgrind`; not part of `make check`).
#
# The programs are not changed and the e2e tests are not either: a
# directory with two wrapper scripts, tlsd and tlsc, goes first in PATH;
# each execs
#   valgrind --error-exitcode=99 --leak-check=full
#     --errors-for-leak-kinds=definite --track-fds=yes --trace-children=no
#     --log-file=DIR/NAME.PID.log  src/tls/NAME "$@"
# (the process the engine forks for the application is checked too, up
# to its exec). Then a set of scenarios runs, each with its real peers:
#   tlsd + tlsc over a socketpair (tests/helpers/pair): ECDSA, 1 MiB
#   each way; RSA with DER files and -S on both ends; a client
#   certificate (tlsd -y, tlsc -y); a wrong server name (tlsc 98); a
#   handshake timeout (tlsd -K 500, 98); a plaintext client (tlsd 98);
#   tlsd over TCP with Python's ssl (half-close, -v2); tlsd after a
#   client reset (111) and an application crash (139), driven by
#   tests/helpers/rb-fault.py.
# A scenario passes when every command exits as expected (never 99),
# its output is right, and every valgrind log it produced says
# "ERROR SUMMARY: 0 errors" and lists no descriptor open at exit that
# the program opened itself (inherited ones are fine).
# Output: PASS/FAIL per scenario (with the valgrind report of a
# failure), then "N passed, N failed". Exit 1 if any failed.

LC_ALL=C
export LC_ALL
top=$(cd "${0%/*}/../.." && pwd) || exit 99
cd "$top" || exit 99
for p in valgrind python3 ; do
  command -v "$p" >/dev/null 2>&1 || { echo "check-valgrind: $p not installed" >&2 ; exit 99 ; }
done
[ -x src/tls/tlsd ] && [ -x src/tls/tlsc ] && [ -x tests/helpers/pair ] || { echo "check-valgrind: build first (make all helpers)" >&2 ; exit 99 ; }

W=$(mktemp -d "${TMPDIR:-/tmp}/utls-valgrind.XXXXXX") || exit 99
cleanup ()
{
  if [ -n "${UTLS_KEEP-}" ] ; then echo "check-valgrind: files kept in $W" >&2 ; else rm -rf "$W" ; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

mkdir -p "$W/bin" "$W/vg" || exit 99
for prog in tlsd tlsc ; do
  cat >"$W/bin/$prog" <<EOF
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \\
  --track-fds=yes --trace-children=no --log-file="\${RB_VG_DIR:-$W/vg}/$prog.%p.log" \\
  "$top/src/tls/$prog" "\$@"
EOF
  chmod +x "$W/bin/$prog"
done
PATH="$W/bin:$top/tests/helpers:$PATH"
export PATH
[ "$(command -v tlsd)" = "$W/bin/tlsd" ] || exit 99

P=$W/pki
sh tests/pki/gen.sh "$P" >"$W/pki.log" 2>&1 || { cat "$W/pki.log" >&2 ; exit 99 ; }
head -c 1048576 /dev/urandom >"$W/data"
printf '#!/bin/sh\nexec cat\n' >"$W/echo.sh"
printf '#!/bin/sh\nenv | grep "^SSL_" | LC_ALL=C sort\n' >"$W/env.sh"
printf '#!/bin/sh\nexec cat >/dev/null\n' >"$W/sink.sh"
# shellcheck disable=SC2016
printf '#!/bin/sh\nprintf "partial\\n"\nkill -SEGV $$\n' >"$W/crash.sh"
# client application: send the file on fd 7, copy fd 6 to a file
# shellcheck disable=SC2016
printf '#!/bin/sh\ncat "$1" >&7 &\nexec 7>&-\ncat <&6 >"$2" || exit 1\nwait $! || exit 2\n' >"$W/cli.sh"
chmod +x "$W"/*.sh

passed=0
failed=0
n=0
# begin NAME: a fresh log directory for the scenario
begin ()
{
  n=$((n + 1))
  name=$1
  RB_VG_DIR=$W/vg/$n
  export RB_VG_DIR
  mkdir -p "$RB_VG_DIR"
  why=
}
# bad WHY: the scenario failed for this reason (the first one counts)
bad ()
{
  [ -n "$why" ] || why=$1
}
# status GOT WANT WHAT
status ()
{
  [ "$1" = "$2" ] || bad "$3 exited $1, expected $2$( [ "$1" = 99 ] && echo ' (valgrind found errors)')"
}
# vg_check: every log of the scenario is clean
vg_check ()
{
  nlogs=0
  for f in "$RB_VG_DIR"/*.log ; do
    [ -f "$f" ] || continue
    nlogs=$((nlogs + 1))
    # -q: a clean log is empty but for the descriptor report
    if grep -q 'ERROR SUMMARY: [1-9]' "$f" || grep -E -q '== (Invalid|Conditional|Use of uninit|Syscall param|Mismatched|Source and destination)|definitely lost in' "$f"
    then
      bad "valgrind errors in ${f##*/}"
    fi
    # a descriptor open at exit that the program did not inherit
    # (except, in the process forked for the application when it exits
    # without exec'ing it, after a failed handshake, the application's
    # own pipes, moved into place by tlsp_spawn_app)
    leak=$(awk 'function flush() { if (fd != "" && blk !~ /inherited from parent/ && blk !~ /fd_move.*tlsp_spawn_app/) print fd; fd = ""; blk = "" }
                /Open (file descriptor|AF_[A-Z0-9]+ socket) [0-9]+/ { flush(); fd = $0; next }
                /^==[0-9]+== *$/ { flush(); next }
                fd != "" { blk = blk " " $0 }
                END { flush() }' "$f")
    [ -z "$leak" ] || bad "descriptor open at exit in ${f##*/}: $(echo "$leak" | head -n 1 | sed 's/^==[0-9]*== //')"
  done
  [ "$nlogs" -gt 0 ] || bad "no valgrind log: the wrappers were not used"
}
end ()
{
  vg_check
  if [ -z "$why" ]
  then
    echo "PASS $name ($nlogs processes checked)"
    passed=$((passed + 1))
  else
    echo "FAIL $name: $why"
    for f in "$RB_VG_DIR"/*.log ; do
      [ -s "$f" ] || continue
      echo "  --- ${f##*/}:"
      sed 's/^/  | /' "$f" | head -n 60
    done
    if [ -s "$W/err" ] ; then echo "  --- stderr:" ; sed 's/^/  | /' "$W/err" | head -n 20 ; fi
    failed=$((failed + 1))
  fi
}
# pairrun STATUS-VAR server... -- client...: through a socketpair
pairrun ()
{
  if pair -t 90 "$@" >"$W/out" 2>"$W/err" </dev/null ; then st=0 ; else st=$? ; fi
}

# --- 1. tlsd + tlsc, ECDSA, 1 MiB each way, -v2
begin "tlsd+tlsc ECDSA: handshake, 1 MiB each way, EOF"
rm -f "$W/got"
pairrun env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 "$W/echo.sh" -- \
  env CAFILE="$P/ca.pem" tlsc -v2 -k localhost "$W/cli.sh" "$W/data" "$W/got"
status "$st" 0 "pair (tlsd, tlsc)"
cmp -s "$W/data" "$W/got" || bad "the data came back different"
[ "$(grep -c -E '^tls[dc]: info: .* bytes_in 1048576 bytes_out 1048576 end ' "$W/err")" = 2 ] || bad "not two -v2 lines with the byte counts"
end

# --- 2. RSA, DER files, close_notify (-S) from each end in turn. With
# -S the closing side's close_notify ends TLS both ways, so the other
# side only reads: tlsd -S sends 1 MiB, then tlsc -S sends 1 MiB.
begin "tlsd+tlsc RSA DER, -S on each end"
rm -f "$W/got"
# the DER leaf goes alone: the client needs the intermediate as an anchor
cat "$P/ca.pem" "$P/int.pem" >"$W/ca+int.pem"
pairrun env CERTFILE="$P/rsa.der" KEYFILE="$P/rsa.key.der" tlsd -v2 -S sh -c 'exec cat "$1"' sh "$W/data" -- \
  env CAFILE="$W/ca+int.pem" tlsc -v2 -k localhost sh -c 'exec 7>&- ; cat <&6 >"$1"' sh "$W/got"
status "$st" 0 "pair (tlsd -S, tlsc)"
cmp -s "$W/data" "$W/got" || bad "tlsd -S: the data arrived different"
grep -q '^tlsc: info: .* bytes_in 1048576 bytes_out 0 end close_notify$' "$W/err" || bad "tlsd -S: tlsc did not see close_notify after 1 MiB"
pairrun env CERTFILE="$P/rsa.der" KEYFILE="$P/rsa.key.der" tlsd -v2 "$W/sink.sh" -- \
  env CAFILE="$W/ca+int.pem" tlsc -v2 -S -k localhost sh -c 'cat "$1" >&7' sh "$W/data"
status "$st" 0 "pair (tlsd, tlsc -S)"
grep -q '^tlsd: info: .* bytes_in 1048576 bytes_out 0 end close_notify$' "$W/err" || bad "tlsc -S: tlsd did not see close_notify after 1 MiB"
end

# --- 3. client certificate
begin "client certificate: tlsd -y, tlsc -y"
pairrun env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" CAFILE="$P/ca.pem" tlsd -y "$W/env.sh" -- \
  env CAFILE="$P/ca.pem" CERTFILE="$P/client.chain.pem" KEYFILE="$P/client.key" tlsc -y -k localhost \
  sh -c 'exec 7>&- ; cat <&6'
status "$st" 0 "pair (tlsd -y, tlsc -y)"
grep -q '^SSL_CLIENT_VERIFY=SUCCESS$' "$W/out" || bad "no SSL_CLIENT_VERIFY=SUCCESS in the server application's environment"
grep -q '^SSL_CLIENT_S_DN_CN=Test Client$' "$W/out" || bad "no SSL_CLIENT_S_DN_CN=Test Client"
end

# --- 4. a failure: wrong server name
begin "failure: tlsc -k wrong.example (98)"
pairrun env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd "$W/echo.sh" -- \
  env CAFILE="$P/ca.pem" tlsc -k wrong.example sh -c 'echo ran'
status "$st" 98 "pair (tlsd, tlsc -k wrong.example)"
grep -q '^tlsc: fatal: TLS handshake failed: ' "$W/err" || bad "no handshake failure message from tlsc"
! grep -q '^ran$' "$W/out" || bad "the client application ran"
end

# --- 5. handshake timeout
begin "failure: tlsd -K 500, silent client (98)"
pairrun env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -K 500 "$W/echo.sh" -- sleep 3
status "$st" 98 "pair (tlsd -K 500, sleep 3)"
grep -q '^tlsd: fatal: TLS handshake failed: handshake timed out$' "$W/err" || bad "no timeout message"
end

# --- 6. plaintext client
begin "failure: plaintext client (98)"
pairrun env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd "$W/echo.sh" -- \
  sh -c 'printf "GET / HTTP/1.0\r\n\r\n" >&7 ; exec 7>&- ; cat <&6 >/dev/null'
status "$st" 98 "pair (tlsd, plaintext)"
grep -q '^tlsd: fatal: TLS handshake failed: peer did not start a TLS handshake' "$W/err" || bad "no plaintext message"
end

# --- 7. tlsd over TCP, Python ssl client, half-close (-v2)
begin "tlsd over TCP, Python ssl client, half-close"
rm -f "$W/port"
e2e-accept1.py -t 60 "$W/port" env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 "$W/echo.sh" 2>"$W/err" &
acc=$!
i=0
while ! [ -s "$W/port" ] && [ "$i" -lt 500 ] ; do sleep 0.02 ; i=$((i + 1)) ; done
if timeout 60 e2e-tlsclient.py --timeout 50 --cafile "$P/ca.pem" --send "$W/data" --recv "$W/got" --end halfclose \
  127.0.0.1 "$(head -n 1 "$W/port")" >"$W/out" 2>"$W/cerr"
then cst=0
else cst=$?
fi
if wait "$acc" ; then st=0 ; else st=$? ; fi
status "$cst" 0 "e2e-tlsclient.py"
status "$st" 0 "tlsd"
cmp -s "$W/data" "$W/got" || bad "the data came back different"
grep -q ' bytes_in 1048576 bytes_out 1048576 end eof-without-close_notify$' "$W/err" || bad "no -v2 line with the byte counts"
end

# --- 8, 9. faults, with tests/helpers/rb-fault.py
for f in reset:sink:111 crash:crash:139 ; do
  sc=${f%%:*} ; rest=${f#*:} ; app=${rest%%:*} ; want=${rest#*:}
  begin "tlsd fault: $sc ($want)"
  if rb-fault.py --timeout 60 --cafile "$P/ca.pem" --err "$W/err" "$sc" -- \
    env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd "$W/$app.sh" >"$W/out" 2>"$W/drv"
  then :
  else bad "rb-fault.py failed: $(cat "$W/drv")"
  fi
  status "$(sed -n 's/^status=//p' "$W/out")" "$want" "tlsd"
  end
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
