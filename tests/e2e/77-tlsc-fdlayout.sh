#!/bin/sh
# timeout: 120
# ISC license.
#
# 77-tlsc-fdlayout.sh: tlsc with the network on every descriptor layout
# the doc allows (-6/-7 on 6/7, swapped, on 0/1, on one descriptor, on
# 2-5 and 8-9), each with several sets of 0-9 open or closed around it
# (tests/helpers/fdlayout.py lays them out and execs tlsc).
#
# The server (tcpserver + tlsd) first sends a payload shaped like an
# environment block, "PATH=/evil\0LD_PRELOAD=/evil.so\0UTLS_EVIL=1\0\0",
# then echoes what it receives. The client application records its
# environment, sends a token on fd 7, closes it, and copies fd 6 to a
# file. In every layout:
#  - tlsc exits 0 and the application ran;
#  - the application received exactly the payload followed by the token
#    (both directions work: no descriptor was lost or swapped);
#  - its environment has SSL_PROTOCOL=TLSv1.2, the variable the test set
#    (UTLS_MARK), and none of the
#    server's variables: the facts block cannot be read from the pipe
#    that carries the server's plaintext;
#  - its 6 and 7 are pipes, and it holds no socket: the network stays
#    with tlsc, wherever it was.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/cli-common.sh"

need tcpserver tlsd tlsc python3 od
pki
P=$UTLS_PKI
unset CADIR CERTFILE KEYFILE 2>/dev/null || :

cat >"$T/srv.sh" <<'EOS'
#!/bin/sh
printf 'PATH=/evil\000LD_PRELOAD=/evil.so\000UTLS_EVIL=1\000\000'
exec cat
EOS
cat >"$T/app.sh" <<'EOS'
#!/bin/sh
ls -l /proc/$$/fd/ >"$OUT.fds"
env >"$OUT.env"
printf '%s' "$TOKEN" >&7
exec 7>&-
exec cat <&6 >"$OUT.recv"
EOS
chmod +x "$T/srv.sh" "$T/app.sh"
printf 'PATH=/evil\000LD_PRELOAD=/evil.so\000UTLS_EVIL=1\000\000' >"$T/payload"

tcpserver_start srv env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd "$T/srv.sh"
port=$srv_PORT

n=0
for layout in 6,7 7,6 0,1 1,0 0,0 1,1 6,6 7,7 9,9 4,4 3,8 8,9 2,5 5,2
do
  r=${layout%,*} w=${layout#*,}
  for opened in - 2 0,1,2 0,1,2,3,4,5 2,8,9 0,1,2,3,4,5,6,7,8,9
  do
    n=$((n + 1))
    case=$T/case$n
    what="-6 $r -7 $w, open: $opened"
    token="token-$n-$r-$w"
    st=0
    UTLS_MARK=case$n OUT=$case TOKEN=$token CAFILE=$P/ca.pem timeout 20 \
      fdlayout.py "$port" "$r" "$w" "$opened" "$case.err" \
      tlsc -k localhost -6 "$r" -7 "$w" "$T/app.sh" || st=$?
    if [ "$st" -ne 0 ]; then
      [ -f "$case.err" ] && cat "$case.err" >&2
      fail "$what: tlsc exited $st"
    fi
    [ -f "$case.env" ] || fail "$what: the application did not run"
    cp "$T/payload" "$case.want"
    printf '%s' "$token" >>"$case.want"
    cmp -s "$case.want" "$case.recv" || {
      od -c "$case.recv" | head -n 5 >&2
      fail "$what: the application did not receive the payload and its token back"
    }
    expect_grep '^SSL_PROTOCOL=TLSv1\.2$' "$case.env"
    expect_no_grep '^(PATH=/evil|LD_PRELOAD=|UTLS_EVIL=)' "$case.env"
    expect_grep "^UTLS_MARK=case$n\$" "$case.env"
    expect_grep ' 6 -> pipe:' "$case.fds"
    expect_grep ' 7 -> pipe:' "$case.fds"
    expect_no_grep 'socket:' "$case.fds"
    if [ -f "$case.err" ] && [ -s "$case.err" ]; then
      cat "$case.err" >&2
      fail "$what: tlsc wrote on stderr"
    fi
  done
done
echo "$TEST: $n layouts" >&2
