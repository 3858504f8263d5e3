#!/bin/sh
# ISC license.
# timeout: 60
#
# 51-tlsd-privdrop: TLS_UID/TLS_GID. Needs root (CI runs as root).
# The key is readable by root only; with TLS_UID=TLS_GID=65534 the
# handshake still works (the key was read before the drop), and while
# the connection is open the engine (the application's parent) runs as
# uid 65534, gid 65534, supplementary groups 65534 or none, while the
# application keeps the original identity. An engine that cannot change
# its identity (not root, TLS_UID=0) exits 111 before the handshake.

. "${0%/*}/../lib.sh"
. "$UTLS_TOP/tests/helpers/cfg-common.sh"

need tlsd openssl python3 timeout
[ "$(id -u)" = 0 ] || skip "needs root (TLS_UID/TLS_GID)"
[ -r /proc/self/status ] || skip "no /proc"
pki
K=$UTLS_PKI
unset CERTFILE KEYFILE CAFILE CADIR TLS_UID TLS_GID 2>/dev/null || :

cp "$K/ec.chain.pem" "$K/ec.key" "$T/"
chmod 600 "$T/ec.key"
# uid 65534 cannot read the key: the engine reads it before dropping
if command -v setpriv >/dev/null 2>&1; then
  if setpriv --reuid=65534 --regid=65534 --clear-groups cat "$T/ec.key" >/dev/null 2>&1; then
    fail "uid 65534 can read $T/ec.key: the test proves nothing"
  fi
fi

# field FILE NAME: the value of "NAME:" in a /proc status file, tabs as spaces
field() {
  sed -n "s/^$2:[[:space:]]*//p" "$1" | tr -s '\t ' '  ' | sed 's/ *$//'
}

d=$T/app
mkdir "$d"
serve1 drop env CERTFILE="$T/ec.chain.pem" KEYFILE="$T/ec.key" TLS_UID=65534 TLS_GID=65534 tlsd "$CFG_APP" "$d" hold
# the client keeps the connection open while the application holds
timeout 20 openssl s_client -connect "127.0.0.1:$port" -ign_eof -ignore_unexpected_eof </dev/null >"$T/drop.out" 2>"$T/drop.cerr" &
cli=$!
bg_pid "$cli"
wait_port_file "$d/pid" >/dev/null || fail "the application did not start: $(cat "$T/drop.err")"
wait_for test -s "$d/ppid"
engine=$(cat "$d/ppid")
app=$(cat "$d/pid")
cp "/proc/$engine/status" "$T/engine.status" || fail "engine $engine is gone"
cp "/proc/$app/status" "$T/app.status" || fail "application $app is gone"
: >"$d/release"
st=0
wait "$cli" || st=$?
finish1
expect_status drop 0
expect_grep '^app-reply$' "$T/drop.out"
echo "engine: $(grep -E "^(Name|Uid|Gid|Groups):" "$T/engine.status" | tr "\n\t" "  ")"
case $(field "$T/engine.status" Name) in
  tlsd*) ;;
  *) fail "the application's parent is not tlsd: $(field "$T/engine.status" Name)" ;;
esac
expect_eq "$(field "$T/engine.status" Uid)" '65534 65534 65534 65534' "engine Uid (real, effective, saved, fs)"
expect_eq "$(field "$T/engine.status" Gid)" '65534 65534 65534 65534' "engine Gid (real, effective, saved, fs)"
groups=$(field "$T/engine.status" Groups)
case $groups in
  ''|65534) ;;
  *) fail "engine supplementary groups: '$groups', expected none or 65534" ;;
esac
expect_eq "$(field "$T/app.status" Uid)" '0 0 0 0' "application Uid"
expect_eq "$(field "$T/app.status" Gid)" '0 0 0 0' "application Gid"
# the variables are gone from the application's environment (-z)
expect_no_grep '^TLS_(UID|GID)=' "$d/env"

# Without TLS_UID/TLS_GID the engine keeps its identity
d=$T/app2
mkdir "$d"
serve1 keep env CERTFILE="$T/ec.chain.pem" KEYFILE="$T/ec.key" tlsd "$CFG_APP" "$d" hold
timeout 20 openssl s_client -connect "127.0.0.1:$port" -ign_eof -ignore_unexpected_eof </dev/null >"$T/keep.out" 2>"$T/keep.cerr" &
cli=$!
bg_pid "$cli"
wait_port_file "$d/pid" >/dev/null || fail "the application did not start: $(cat "$T/keep.err")"
wait_for test -s "$d/ppid"
cp "/proc/$(cat "$d/ppid")/status" "$T/engine2.status" || fail "engine gone"
: >"$d/release"
wait "$cli" || :
finish1
expect_status keep 0
expect_eq "$(field "$T/engine2.status" Uid)" '0 0 0 0' "engine Uid without TLS_UID"

# An engine that cannot take the identity: exits 111 at start
if command -v setpriv >/dev/null 2>&1; then
  chmod 711 "$T"
  chmod 644 "$T/ec.key"
  tlsd_path=$(command -v tlsd)
  rc=0
  CERTFILE="$T/ec.chain.pem" KEYFILE="$T/ec.key" TLS_UID=0 TLS_GID=0 timeout 10 \
    setpriv --reuid=65534 --regid=65534 --clear-groups "$tlsd_path" /bin/true </dev/null >"$T/out" 2>"$T/err" || rc=$?
  chmod 700 "$T"
  [ "$rc" = 111 ] || { cat "$T/err" >&2; fail "TLS_UID=0 as uid 65534: exit $rc, expected 111"; }
  expect_grep '^tlsd: fatal: unable to set(groups|gid|uid)( to 0)?: Operation not permitted$' "$T/err"
fi

exit 0
