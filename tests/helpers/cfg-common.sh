# ISC license.
#
# cfg-common.sh: shell functions shared by the tlsd/tlsserver e2e tests
# (10-11, 40-42, 50-51, 60). Sourced after tests/lib.sh, so $T, bg_pid,
# fail, expect_grep (ERE), expect_no_grep and wait_port_file exist.
#
#   serve1 NAME prog...   accept1_start NAME (lib.sh) with prog (normally
#                         "env VAR=... tlsd ... app"), killed after
#                         $SERVE1_TIMEOUT s (default 20); sets $port;
#                         prog's stderr goes to $T/NAME.err
#   finish1               wait for it; its exit status in $srv_status
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
#   expect_status NAME WANT  $srv_status must be WANT (shows NAME.err)

cfg_helpers=$UTLS_TOP/tests/helpers
CFG_APP=$cfg_helpers/cfg-app.sh

serve1() {
  _s1_name=$1
  shift
  accept1_start "$_s1_name" "${SERVE1_TIMEOUT:-20}" "$@"
  eval "port=\$${_s1_name}_PORT"
}

finish1() {
  server_wait "$_s1_name"
  eval "srv_status=\$${_s1_name}_STATUS"
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
