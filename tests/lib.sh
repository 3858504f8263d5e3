# ISC license.
#
# tests/lib.sh: helpers for the end-to-end tests. POSIX sh (dash).
# An e2e test is tests/e2e/NN-topic.sh; it starts with
#
#     #!/bin/sh
#     # timeout: 60        (optional: the runner's limit, default 120 s)
#     . "${0%/*}/../lib.sh"
#
# and then uses the helpers below. Exit codes (automake convention):
# 0 pass, 77 skip, 99 harness error, anything else fail. With $CI set to
# anything non-empty a skip is a failure: CI installs every peer.
#
# What it sets up:
#   set -eu
#   $T          a fresh temp dir for this test, removed at exit
#   $TEST       the test's name (e.g. 10-basic)
#   $UTLS_TOP   the top of the source tree
#   PATH        built programs (src/tls), then test helpers (tests/helpers)
#
# Helpers:
#   fail MSG...              print "TEST: FAIL: MSG" on stderr, exit 1
#   skip WHY...              exit 77 (exit 1 under CI)
#   need PROG...             skip unless every PROG is in PATH
#   run STATUS CMD...        run CMD, stdout to $T/out, stderr to $T/err;
#                            fail (showing stderr) unless it exits STATUS
#   expect_grep PAT FILE     fail unless the ERE PAT matches a line of FILE
#   expect_no_grep PAT FILE  fail if the ERE PAT matches a line of FILE
#   expect_eq GOT WANT [WHAT] fail unless the two strings are equal
#   expect_file_eq FILE EXPECTED_FILE   compare files, show a diff
#   bg_pid PID               register a background process: killed
#                            (SIGTERM, then SIGKILL) and reaped at exit
#   wait_port_file FILE [PID] wait (<= 10 s) until FILE holds a port
#                            number, print it; fail early if PID died
#   wait_tcp PORT            wait (<= 10 s) until 127.0.0.1:PORT accepts
#                            a connection (it opens one and closes it!)
#   wait_for CMD...          retry CMD (<= 10 s) until it succeeds
#   pki                      make sure the test PKI exists, in $UTLS_PKI
#   tcpserver_start NAME [TCPSERVER-OPTS... --] CMD...
#                            run the real Debian tcpserver on 127.0.0.1,
#                            kernel-chosen port (tcpserver -1 prints it);
#                            sets NAME_PORT NAME_PID NAME_ERR (its stderr
#                            file, which also gets CMD's stderr)
#   tcplisten_start NAME [-1] [-c N] CMD...
#                            the same with tests/helpers/tcplisten
#   free_port                print a port that was free a moment ago, for
#                            peers that cannot bind port 0 and report it;
#                            start them with start_on_free_port instead of
#                            using it directly.
#   start_on_free_port NAME READY_CMD CMD...
#                            pick a free port, export it as $PORT, run
#                            CMD (its args may use '$PORT' via sh -c) in
#                            the background, wait until READY_CMD succeeds
#                            (it may use $PORT; default: wait_tcp), retry
#                            with a new port up to 5 times if CMD died
#                            (the port was taken). Sets NAME_PORT,
#                            NAME_PID, NAME_ERR, NAME_OUT.
#
# How ports are obtained: never guessed. tcpserver binds port 0 and
# prints the port (-1); tcplisten writes it to a file; other peers get a
# port from freeport (bind 127.0.0.1:0, close) and are restarted on
# another one if the port was taken in between.
#
# Do not use `sleep 1` to wait for something: use the wait_* helpers,
# which poll every 20 ms with a bound.

set -eu

TEST=${0##*/}
TEST=${TEST%.sh}

if test -z "${UTLS_TOP-}" ; then
  case "$0" in
    */*) UTLS_TOP=${0%/*}/../.. ;;
    *) UTLS_TOP=../.. ;;
  esac
  UTLS_TOP=$(cd "$UTLS_TOP" && pwd)
fi
export UTLS_TOP
case ":$PATH:" in
  *":$UTLS_TOP/src/tls:"*) ;;
  *) PATH="$UTLS_TOP/src/tls:$UTLS_TOP/tests/helpers:$PATH" ; export PATH ;;
esac

T=$(mktemp -d "${TMPDIR:-/tmp}/utls-$TEST.XXXXXX")
_utls_bg=

bg_pid () {
  _utls_bg="$_utls_bg $1"
}

# Kill registered processes by pid (never by name), wait at most ~2 s
# for them to go, then SIGKILL the stubborn ones, then reap.
_utls_cleanup () {
  _st=$?
  set +e
  if test -n "$_utls_bg" ; then
    for _p in $_utls_bg ; do kill -TERM "$_p" 2>/dev/null ; done
    _i=0
    while test "$_i" -lt 100 ; do
      _alive=
      for _p in $_utls_bg ; do
        if kill -0 "$_p" 2>/dev/null ; then _alive=1 ; break ; fi
      done
      test -n "$_alive" || break
      sleep 0.02
      _i=$((_i + 1))
    done
    for _p in $_utls_bg ; do kill -KILL "$_p" 2>/dev/null ; done
    for _p in $_utls_bg ; do wait "$_p" 2>/dev/null ; done
  fi
  if test -n "${UTLS_KEEP-}" ; then
    echo "$TEST: temp dir kept: $T" 1>&2
  else
    rm -rf "$T"
  fi
  exit "$_st"
}
trap _utls_cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

fail () {
  echo "$TEST: FAIL: $*" 1>&2
  exit 1
}

skip () {
  if test -n "${CI-}" ; then
    echo "$TEST: FAIL: would skip, but CI is set: $*" 1>&2
    exit 1
  fi
  echo "$TEST: skip: $*" 1>&2
  exit 77
}

need () {
  for _p in "$@" ; do
    command -v "$_p" >/dev/null 2>&1 || skip "$_p not installed"
  done
}

# _utls_show FILE LABEL: print the last 20 lines of FILE, indented.
_utls_show () {
  if test -s "$1" ; then
    echo "  --- $2 (last 20 lines):" 1>&2
    tail -n 20 "$1" | sed 's/^/  | /' 1>&2
  else
    echo "  --- $2: (empty)" 1>&2
  fi
}

run () {
  _want=$1
  shift
  if "$@" >"$T/out" 2>"$T/err" ; then _got=0 ; else _got=$? ; fi
  if test "$_got" != "$_want" ; then
    echo "$TEST: FAIL: expected exit status $_want, got $_got from: $*" 1>&2
    _utls_show "$T/err" stderr
    _utls_show "$T/out" stdout
    exit 1
  fi
  return 0
}

expect_grep () {
  if grep -E -q -e "$1" "$2" 2>/dev/null ; then return 0 ; fi
  echo "$TEST: FAIL: expected /$1/ in $2" 1>&2
  _utls_show "$2" "${2##*/}"
  exit 1
}

expect_no_grep () {
  if grep -E -q -e "$1" "$2" 2>/dev/null ; then
    echo "$TEST: FAIL: unexpected /$1/ in $2" 1>&2
    _utls_show "$2" "${2##*/}"
    exit 1
  fi
  return 0
}

expect_eq () {
  test "$1" = "$2" || fail "${3:-value}: expected '$2', got '$1'"
}

expect_file_eq () {
  if cmp -s "$1" "$2" ; then return 0 ; fi
  echo "$TEST: FAIL: $1 differs from $2:" 1>&2
  diff -u "$2" "$1" | head -n 40 | sed 's/^/  | /' 1>&2 || :
  exit 1
}

# expect_usage GOLDEN cmd...: cmd exits 100, its stderr is exactly
# tests/e2e/GOLDEN (the usage line), its stdout is empty.
expect_usage () {
  _golden=$1
  shift
  run 100 "$@"
  expect_file_eq "$T/err" "$UTLS_TOP/tests/e2e/$_golden"
  test ! -s "$T/out" || fail "$*: wrote on stdout"
}

# expect_refused MESSAGE cmd...: cmd exits 100, its stderr is exactly the
# line MESSAGE, its stdout is empty, and the program it would start
# (which creates $T/ran) never ran.
expect_refused () {
  _msg=$1
  shift
  rm -f "$T/ran"
  run 100 "$@"
  printf '%s\n' "$_msg" >"$T/want"
  expect_file_eq "$T/err" "$T/want"
  test ! -s "$T/out" || fail "$*: wrote on stdout"
  test ! -e "$T/ran" || fail "$*: the program ran"
}

# wait_for CMD...: retry CMD every 20 ms for at most 10 s.
wait_for () {
  _i=0
  while test "$_i" -lt 500 ; do
    if "$@" >/dev/null 2>&1 ; then return 0 ; fi
    sleep 0.02
    _i=$((_i + 1))
  done
  fail "timed out waiting for: $*"
}

wait_port_file () {
  _i=0
  while test "$_i" -lt 500 ; do
    if test -s "$1" ; then
      _port=$(head -n 1 "$1")
      case "$_port" in
        ''|*[!0-9]*) ;;
        *) echo "$_port" ; return 0 ;;
      esac
    fi
    if test -n "${2-}" && ! kill -0 "$2" 2>/dev/null ; then
      fail "process $2 died before writing a port to $1"
    fi
    sleep 0.02
    _i=$((_i + 1))
  done
  fail "timed out waiting for a port number in $1"
}

wait_tcp () {
  wait_for tcpprobe "$1"
}

free_port () {
  freeport || fail "freeport failed"
}

pki () {
  if test -n "${UTLS_PKI-}" && test -f "$UTLS_PKI/.ok" ; then return 0 ; fi
  if test -n "${UTLS_PKI-}" && test -f "$UTLS_PKI/.failed" ; then
    fail "PKI generation failed (tests/pki/gen.sh; see the runner's output)"
  fi
  test -f "$UTLS_TOP/tests/pki/gen.sh" || skip "tests/pki/gen.sh does not exist yet"
  # Run by hand, outside tests/run.sh: generate a private PKI in $T.
  UTLS_PKI=$T/pki
  export UTLS_PKI
  mkdir -p "$UTLS_PKI"
  if sh "$UTLS_TOP/tests/pki/gen.sh" "$UTLS_PKI" >"$T/pki.log" 2>&1 ; then
    : > "$UTLS_PKI/.ok"
  else
    echo "$TEST: FAIL: tests/pki/gen.sh failed" 1>&2
    _utls_show "$T/pki.log" "gen.sh output"
    exit 1
  fi
}

# _utls_set NAME SUFFIX VALUE: NAME_SUFFIX=VALUE
_utls_set () {
  case "$1" in
    ''|*[!A-Za-z0-9_]*|[0-9]*) echo "$TEST: harness error: bad name '$1'" 1>&2 ; exit 99 ;;
  esac
  eval "$1_$2=\$3"
}

tcpserver_start () {
  _name=$1
  shift
  need tcpserver
  _opts=
  case "${1-}" in
    -*)
      # tcpserver options up to "--" (none of them contains spaces)
      while test "$#" -gt 0 && test "$1" != -- ; do _opts="$_opts $1" ; shift ; done
      test "$#" -gt 0 || { echo "$TEST: harness error: tcpserver_start: missing --" 1>&2 ; exit 99 ; }
      shift
      ;;
  esac
  # -1: tcpserver prints the port it bound (port 0: chosen by the kernel)
  # on stdout once it listens. Its children get the socket as stdout, so
  # the port file holds nothing else.
  # shellcheck disable=SC2086
  tcpserver -1 -R -H -l0 $_opts 127.0.0.1 0 "$@" >"$T/$_name.port" 2>"$T/$_name.err" &
  _pid=$!
  bg_pid "$_pid"
  _port=$(wait_port_file "$T/$_name.port" "$_pid") || {
    echo "$TEST: FAIL: tcpserver did not start" 1>&2
    _utls_show "$T/$_name.err" "tcpserver stderr"
    exit 1
  }
  _utls_set "$_name" PORT "$_port"
  _utls_set "$_name" PID "$_pid"
  _utls_set "$_name" ERR "$T/$_name.err"
}

tcplisten_start () {
  _name=$1
  shift
  _opts=
  while test "$#" -gt 0 ; do
    case "$1" in
      -1) _opts="$_opts -1" ; shift ;;
      -c) _opts="$_opts -c $2" ; shift 2 ;;
      *) break ;;
    esac
  done
  rm -f "$T/$_name.port"
  # shellcheck disable=SC2086
  tcplisten $_opts "$T/$_name.port" "$@" 2>"$T/$_name.err" &
  _pid=$!
  bg_pid "$_pid"
  _port=$(wait_port_file "$T/$_name.port" "$_pid") || {
    echo "$TEST: FAIL: tcplisten did not start" 1>&2
    _utls_show "$T/$_name.err" "tcplisten stderr"
    exit 1
  }
  _utls_set "$_name" PORT "$_port"
  _utls_set "$_name" PID "$_pid"
  _utls_set "$_name" ERR "$T/$_name.err"
}

start_on_free_port () {
  _name=$1
  _ready=$2
  shift 2
  test -n "$_ready" || _ready='wait_tcp "$PORT"'
  _try=0
  while test "$_try" -lt 5 ; do
    _try=$((_try + 1))
    PORT=$(free_port)
    export PORT
    "$@" >"$T/$_name.out" 2>"$T/$_name.err" &
    _pid=$!
    # Ready when READY_CMD succeeds; if CMD died first (port taken
    # between freeport and its bind), try again on another port.
    _i=0
    _ok=
    while test "$_i" -lt 500 ; do
      if ! kill -0 "$_pid" 2>/dev/null ; then break ; fi
      if (eval "$_ready") >/dev/null 2>&1 ; then _ok=1 ; break ; fi
      sleep 0.02
      _i=$((_i + 1))
    done
    if test -n "$_ok" ; then
      bg_pid "$_pid"
      _utls_set "$_name" PORT "$PORT"
      _utls_set "$_name" PID "$_pid"
      _utls_set "$_name" ERR "$T/$_name.err"
      _utls_set "$_name" OUT "$T/$_name.out"
      return 0
    fi
    kill -TERM "$_pid" 2>/dev/null || :
    wait "$_pid" 2>/dev/null || :
  done
  echo "$TEST: FAIL: could not start $* on a free port (5 tries)" 1>&2
  _utls_show "$T/$_name.err" "stderr"
  exit 1
}
