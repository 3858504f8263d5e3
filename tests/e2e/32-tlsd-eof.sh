#!/bin/sh
# timeout: 90
# ISC license.
#
# 32-tlsd-eof.sh: how tlsd ends connections: -S/-s and -J/-j.
#
# tlsd runs alone on each connection (tests/helpers/e2e-accept1.py), so
# that its own exit status is checked; the client is
# tests/helpers/e2e-tlsclient.py (Python ssl over memory BIOs), which
# reports how the server ended its direction: close_notify
# (SSLZeroReturnError) or eof (TCP EOF without close_notify, SSLEOFError).
#
#  -s (default): the application's EOF becomes a TCP half-close without
#     close_notify: the client sees eof, after all the data.
#  -j (default): a client that half-closes without close_notify is a
#     normal end: tlsd exits with the application's status (0), the
#     application got its EOF and could still answer, and the -v2 line
#     says eof-without-close_notify.
#  -J: the same client makes tlsd exit 98 and name the missing
#     close_notify; the application is sent SIGTERM before its input
#     closes, so a shell script that commits its input after EOF never
#     commits the truncated one (under -j it does); a client that does
#     send close_notify is fine (0).
#  -S: the application's EOF makes tlsd send close_notify: the client
#     sees close_notify, tlsd exits 0. Checked three ways: the client
#     waits for the server's end; the client has half-closed first; and
#     openssl s_client (which waits for the server's end), 10 times.
#     The -S checks all run, then the test fails if any of them failed.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/e2e-common.sh"

need python3 openssl
pki
P=$UTLS_PKI
# shellcheck disable=SC2034 # read by one_shot (e2e-common.sh)
ONE_SHOT_T=10
CERT="CERTFILE=$P/ec.chain.pem"
KEY="KEYFILE=$P/ec.key"
LINE='tlsd: info: peer 127\.0\.0\.1:[0-9]+ protocol TLSv1\.2 cipher ECDHE-ECDSA-AES128-GCM-SHA256 sni localhost alpn - peer_subject "-" resumed Initial'

# the applications
printf '#!/bin/sh\nprintf "hello from the application\\n"\n' >"$T/hello.sh"
# shellcheck disable=SC2016 # the script's own $n
printf '#!/bin/sh\nn=$(wc -c | tr -d " ")\nprintf "got %%s bytes\\n" "$n"\n' >"$T/count.sh"
printf '#!/bin/sh\nexec cat >/dev/null\n' >"$T/sink.sh"
chmod +x "$T/hello.sh" "$T/count.sh" "$T/sink.sh"
printf 'request\n' >"$T/req"

# client [e2e-tlsclient.py options...]: to $PORT, stdout $T/out, stderr
# $T/err; then waits for tlsd (one_shot_wait: $ST) and checks that the
# client succeeded. Never fails before every process it started is gone.
client ()
{
  if timeout 15 e2e-tlsclient.py --timeout 8 --cafile "$P/ca.pem" "$@" 127.0.0.1 "$PORT" >"$T/out" 2>"$T/err"
  then _cst=0
  else _cst=$?
  fi
  one_shot_wait
  if [ "$_cst" != 0 ]
  then
    sed 's/^/  | /' "$T/err" >&2
    fail "the client exited $_cst (3: timeout), tlsd $ST; tlsd's stderr: $(cat "$T/$ONE_NAME.err")"
  fi
}

# tlsd_line name ERE-end: the -v2 line, and nothing else
tlsd_line ()
{
  wait_lines 1 "$T/$1.err" '^tlsd: info: '
  expect_grep "^$LINE $2\$" "$T/$1.err"
  expect_eq "$(wc -l <"$T/$1.err" | tr -d ' ')" 1 "$1: lines on tlsd's stderr"
}

# --- -s (default): TCP half-close, no close_notify
one_shot s env "$CERT" "$KEY" tlsd -v2 "$T/hello.sh"
client --end reply
expect_eq "$ST" 0 "-s: tlsd's exit status"
expect_grep '^hello from the application$' "$T/out"
expect_grep '^sent=0 received=27 end=eof$' "$T/err"
tlsd_line s 'bytes_in 0 bytes_out 27 end (local-close|eof-without-close_notify)'

# the same with an explicit -s
one_shot s2 env "$CERT" "$KEY" tlsd -v2 -S -s "$T/hello.sh"
client --end reply
expect_eq "$ST" 0 "-S -s: tlsd's exit status"
expect_grep '^sent=0 received=27 end=eof$' "$T/err"
tlsd_line s2 'bytes_in 0 bytes_out 27 end (local-close|eof-without-close_notify)'

# --- -j (default): the client's half-close without close_notify is an
# end like any other; the application gets EOF and answers after it
one_shot j env "$CERT" "$KEY" tlsd -v2 "$T/count.sh"
client --send "$T/req" --end halfclose
expect_eq "$ST" 0 "-j: tlsd's exit status"
expect_grep '^got 8 bytes$' "$T/out"
expect_grep '^sent=8 received=12 end=eof$' "$T/err"
tlsd_line j 'bytes_in 8 bytes_out 12 end eof-without-close_notify'

# An engine started with SIGCHLD ignored (a supervisor's leftover
# disposition) must still exit with its application's status: with
# SIG_IGN the kernel reaps the application, waitpid fails, exit 111.
one_shot ign python3 -c 'import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
os.execvp(sys.argv[1], sys.argv[1:])' env "$CERT" "$KEY" tlsd -v2 sh -c 'wc -c >/dev/null; echo done; exit 7'
client --send "$T/req" --end halfclose
expect_eq "$ST" 7 "SIGCHLD ignored at start: tlsd's exit status"
expect_grep '^done$' "$T/out"

# --- -J: the same client is a protocol error
one_shot J env "$CERT" "$KEY" tlsd -v2 -J "$T/count.sh"
client --send "$T/req" --end halfclose
expect_eq "$ST" 98 "-J: tlsd's exit status"
expect_no_grep '^got ' "$T/out"
expect_grep ' end=eof$' "$T/err"
wait_lines 1 "$T/J.err" '^tlsd: fatal: '
expect_grep "^$LINE bytes_in 8 bytes_out 0 end error\$" "$T/J.err"
expect_grep '^tlsd: fatal: connection failed after the handshake: .*without close_notify' "$T/J.err"
expect_grep "^tlsd: warning: the application was sent SIGTERM: the peer's data did not end with close_notify \\(-J\\)\$" "$T/J.err"
expect_eq "$(wc -l <"$T/J.err" | tr -d ' ')" 3 "-J: lines on tlsd's stderr"

# -J and a real application that commits what it read once its input
# ends: it must not take the truncated request for a complete one. It
# is killed (SIGTERM) before it can see the EOF, so its next command
# never runs (it may even be killed before it read anything: the
# request and the EOF often arrive together). The same application under -j (the positive control)
# commits the request.
for mode in J j
do
  rm -f "$T/commit.$mode.data" "$T/commit.$mode.done"
  one_shot "commit$mode" env "$CERT" "$KEY" tlsd -v2 "-$mode" \
    sh -c 'cat >"$1.data"; echo complete >"$1.done"' sh "$T/commit.$mode"
  client --send "$T/req" --end halfclose
  [ "$mode" = J ] || expect_eq "$(cat "$T/commit.$mode.data")" request "-$mode: what the application read"
  [ "$mode" = j ] || expect_eq "$ST" 98 "-J: tlsd's exit status with the committing application"
done
[ ! -e "$T/commit.J.done" ] || fail "-J: the application took the truncated stream for a complete one"
[ -e "$T/commit.j.done" ] || fail "-j: the application did not commit a stream that ended normally"
expect_eq "$ST" 0 "-j: tlsd's exit status with the committing application"

# -J when the engine has dropped its privileges (TLS_UID/TLS_GID) and
# the application kept root's: kill() from the engine fails with EPERM,
# so the signal must come another way (a descriptor armed before the
# drop). Without it the application commits the truncated request.
# Needs root; CI runs as root, so there it is never left out.
if [ "$(id -u)" = 0 ]
then
  for mode in J j
  do
    rm -f "$T/drop.$mode.data" "$T/drop.$mode.done"
    one_shot "drop$mode" env "$CERT" "$KEY" TLS_UID=65534 TLS_GID=65534 tlsd -v2 "-$mode" \
      sh -c 'cat >"$1.data"; echo complete >"$1.done"' sh "$T/drop.$mode"
    client --send "$T/req" --end halfclose
    [ "$mode" = J ] || expect_eq "$(cat "$T/drop.$mode.data")" request "-$mode with TLS_UID: what the application read"
  done
  [ ! -e "$T/drop.J.done" ] || fail "-J with TLS_UID: the application took the truncated stream for a complete one"
  [ -e "$T/drop.j.done" ] || fail "-j with TLS_UID: the application did not commit a stream that ended normally"
  expect_grep "^tlsd: warning: the application was sent SIGTERM: the peer's data did not end with close_notify \\(-J\\)\$" "$T/dropJ.err"
elif [ -n "${CI-}" ]
then
  fail "-J with TLS_UID needs root, and CI runs as root"
else
  echo "not root: -J with TLS_UID/TLS_GID not checked"
fi

# -j after -J: the last one wins
one_shot Jj env "$CERT" "$KEY" tlsd -v2 -J -j "$T/count.sh"
client --send "$T/req" --end halfclose
expect_eq "$ST" 0 "-J -j: tlsd's exit status"
expect_grep '^got 8 bytes$' "$T/out"
tlsd_line Jj 'bytes_in 8 bytes_out 12 end eof-without-close_notify'

# -J and a client that closes with close_notify: a normal end
one_shot Jok env "$CERT" "$KEY" tlsd -v2 -J "$T/sink.sh"
client --send "$T/req" --end close_notify
expect_eq "$ST" 0 "-J with the client's close_notify: tlsd's exit status"
# The application (cat >/dev/null) has no output: tlsd may half-close
# before the client's close_notify arrives (then the client sees eof),
# or answer it with close_notify, depending on timing.
expect_grep '^sent=8 received=0 end=(close_notify|eof)$' "$T/err"
tlsd_line Jok 'bytes_in 8 bytes_out 0 end close_notify'

# --- -S: close_notify on the application's EOF. Each check runs in a
# subshell that has waited for every process it started before it can
# fail; the failures are collected.
bad=

# S1: the client sends nothing and waits for the server's end
if ! (
  one_shot S1 env "$CERT" "$KEY" tlsd -v2 -S "$T/hello.sh"
  client --end reply
  expect_grep '^hello from the application$' "$T/out"
  expect_grep '^sent=0 received=27 end=close_notify$' "$T/err"
  expect_eq "$ST" 0 "-S: tlsd's exit status"
  tlsd_line S1 'bytes_in 0 bytes_out 27 end (local-close|close_notify)'
)
then
  bad="$bad S1"
fi

# S2: the client has half-closed (no close_notify) before the
# application answers and exits
if ! (
  one_shot S2 env "$CERT" "$KEY" tlsd -v2 -S "$T/count.sh"
  client --send "$T/req" --end halfclose
  tlsd_line S2 'bytes_in 8 bytes_out 12 end (local-close|eof-without-close_notify)'
  expect_eq "$ST" 0 "-S after the client's half-close: tlsd's exit status"
  expect_grep '^got 8 bytes$' "$T/out"
  expect_grep '^sent=8 received=12 end=close_notify$' "$T/err"
)
then
  bad="$bad S2"
fi

# S3: openssl s_client -ign_eof reads until the server closes; with -S
# it gets close_notify and exits 0, 10 times out of 10
if ! (
  srv S3 env "$CERT" "$KEY" tlsd -v2 -S "$T/hello.sh"
  i=0
  while [ "$i" -lt 10 ]
  do
    i=$((i + 1))
    if ! timeout 5 openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$P/ca.pem" \
      -verify_return_error -servername localhost -ign_eof </dev/null >"$T/out" 2>"$T/err"
    then
      srv_stop
      sed 's/^/  | /' "$T/S3.err" >&2
      fail "-S: openssl s_client did not end cleanly at connection $i of 10 (status 124: it waited 5 s for the server's close_notify)"
    fi
    expect_grep '^hello from the application$' "$T/out"
  done
  srv_stop
  expect_eq "$(count_lines "$T/S3.err" "^$LINE bytes_in 0 bytes_out 27 end (local-close|close_notify)\$")" 10 "-S: good -v2 lines for s_client"
)
then
  bad="$bad S3"
fi

[ -z "$bad" ] || fail "-S checks failed:$bad"
exit 0
