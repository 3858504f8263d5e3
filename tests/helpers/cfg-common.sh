# ISC license.
#
# cfg-common.sh: shell functions shared by the tlsd/tlsserver e2e tests
# (10-11, 40-42, 50-51, 60). Sourced after tests/lib.sh, so $T, bg_pid,
# fail, expect_grep (ERE), expect_no_grep and wait_port_file exist.
#
#   serve1 NAME prog...   run prog (normally "env VAR=... tlsd ... app")
#                         on one accepted TCP connection (cfg-accept1.py);
#                         sets $port and $srv_pid; prog's stderr goes to
#                         $T/NAME.err
#   finish1 NAME          wait for it; its exit status in $srv_status
#   tls_client NAME args  openssl s_client to 127.0.0.1:$port, stdin
#                         empty, -ign_eof; stdout $T/NAME.out, stderr
#                         $T/NAME.cerr, status $cli_status. Also
#                         -ignore_unexpected_eof unless CFG_STRICT_EOF is
#                         set: OpenSSL 3 answers the half-close of tlsd's
#                         default -s with a decode_error alert, which tlsd
#                         may or may not read before it exits (see
#                         50-tlsd-failures.sh); the other tests are not
#                         about that.
#   $CFG_APP DIR [hold]   the application (cfg-app.sh: marker, env, reply)
#   wait_file FILE [s]    bounded wait until FILE is non-empty
#   expect_status NAME WANT  $srv_status must be WANT (shows NAME.err)

cfg_helpers=$UTLS_TOP/tests/helpers
CFG_APP=$cfg_helpers/cfg-app.sh
CFG_ACCEPT1=$cfg_helpers/cfg-accept1.py

# Waits up to $2 seconds (default 10) for $1 to be non-empty, 50 ms steps.
wait_file() {
  _wf_n=$(( ${2:-10} * 20 ))
  while [ ! -s "$1" ]; do
    [ "$_wf_n" -gt 0 ] || return 1
    _wf_n=$((_wf_n - 1))
    sleep 0.05
  done
}

serve1() {
  _s1_name=$1
  shift
  rm -f "$T/$_s1_name.port"
  python3 "$CFG_ACCEPT1" -t "${SERVE1_TIMEOUT:-20}" "$@" >"$T/$_s1_name.port" 2>"$T/$_s1_name.err" &
  srv_pid=$!
  bg_pid "$srv_pid"
  port=$(wait_port_file "$T/$_s1_name.port" "$srv_pid") || {
    cat "$T/$_s1_name.err" >&2
    fail "$_s1_name: cfg-accept1.py did not start"
  }
}

finish1() {
  srv_status=0
  wait "$srv_pid" || srv_status=$?
}

tls_client() {
  _tc_name=$1
  shift
  cli_status=0
  if [ -n "${CFG_STRICT_EOF:-}" ]; then set -- -ign_eof "$@"; else set -- -ign_eof -ignore_unexpected_eof "$@"; fi
  timeout 20 openssl s_client -connect "127.0.0.1:$port" "$@" \
    </dev/null >"$T/$_tc_name.out" 2>"$T/$_tc_name.cerr" || cli_status=$?
}

expect_status() {
  if [ "$srv_status" != "$2" ]; then
    echo "--- $T/$1.err:" >&2
    cat "$T/$1.err" >&2
    fail "$1: exit status $srv_status, expected $2"
  fi
}

# A whole successful exchange: serve1 + tls_client + finish1, then the
# app's reply must be in the client's output and tlsd must exit 0.
# Usage: tls_ok NAME "client args" prog...
tls_ok() {
  _ok_name=$1
  _ok_cargs=$2
  shift 2
  serve1 "$_ok_name" "$@"
  # $_ok_cargs is split on purpose.
  tls_client "$_ok_name" $_ok_cargs
  finish1
  expect_status "$_ok_name" 0
  expect_grep '^app-reply$' "$T/$_ok_name.out"
}

# A refused handshake: tlsd exits 98, the application never ran.
# Usage: tls_refused NAME APPDIR "client args" prog...
tls_refused() {
  _rf_name=$1
  _rf_dir=$2
  _rf_cargs=$3
  shift 3
  serve1 "$_rf_name" "$@"
  tls_client "$_rf_name" $_rf_cargs
  finish1
  expect_status "$_rf_name" 98
  expect_grep '^tlsd: fatal: TLS handshake failed: ' "$T/$_rf_name.err"
  [ ! -e "$_rf_dir/ran" ] || fail "$_rf_name: the application ran after a failed handshake"
  expect_no_grep '^app-reply$' "$T/$_rf_name.out"
}
