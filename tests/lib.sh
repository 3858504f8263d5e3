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
#   utls_python              set $UTLS_PYTHON: the interpreter itself, to
#                            run helpers without pyenv's slow shims
#   free_port                print a port that was free a moment ago
#                            (for server_start_free; never use it directly)
#
# Servers: every server a test runs is started by server_start (or
# server_start_free), which runs it in the background (stdout in
# $T/NAME.out, stderr in $T/NAME.err), registers it with bg_pid, waits
# for its port, and sets NAME_PORT NAME_PID NAME_OUT NAME_ERR:
#   server_start NAME out|file|/ERE/ CMD...
#                            CMD binds port 0 and tells the port on its
#                            first stdout line (out), in $T/NAME.port
#                            (file), or at the end of its first stdout
#                            line matching ERE
#   server_start_free NAME READY CMD...
#                            for peers that cannot bind port 0: $PORT
#                            from freeport, retried on another port if
#                            it was taken
#   server_stop NAME         SIGTERM it and reap it
#   server_wait NAME [SECONDS] wait for it to end by itself (bounded if
#                            SECONDS is given); its status in NAME_STATUS
# and the servers the tests use, on top of them:
#   tcpserver_start NAME [TCPSERVER-OPTS... --] CMD...  Debian's tcpserver
#   tcplisten_start NAME [-1] [-c N] CMD...    tests/helpers/tcplisten
#   accept1_start NAME SECONDS CMD...          one connection, CMD's own
#                            exit status by server_wait (e2e-accept1.py)
#   ossl_start NAME OPTS...  openssl s_server
#   gnutls_start NAME OPTS... gnutls-serv (free port)
#   haproxy_start NAME SERVER-LINE...  HAProxy, mode tcp (free port)
#
# How ports are obtained: never guessed. Servers bind port 0 and report
# the port; the few peers that cannot (gnutls-serv, haproxy) get a port
# from freeport (bind 127.0.0.1:0, close) and are restarted on another
# one if the port was taken in between.
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

# server_start NAME HOW CMD...: the one way the tests start a server.
# CMD runs in the background, stdout in $T/NAME.out (but see "out"), stderr in
# $T/NAME.err, registered with bg_pid; it binds port 0 (the kernel
# chooses) and tells the port as HOW says:
#   out    the first line of its stdout (tcpserver -1, tlsserver -1,
#          e2e-accept1.py -), which then goes to $T/NAME.port: a
#          server's children get the socket as stdout, so the test may
#          use $T/NAME.out for a client of the same name
#   file   it writes it to $T/NAME.port (put that path in CMD)
#   /ERE/  its first stdout line that matches ERE ends with the port
#          (openssl s_server's "ACCEPT 127.0.0.1:PORT")
# Waits (<= 10 s) for the port, fails showing CMD's stderr if CMD died
# first, and sets NAME_PORT NAME_PID NAME_OUT NAME_ERR.
server_start () {
  _ss_name=$1
  _ss_how=$2
  shift 2
  rm -f "$T/$_ss_name.port"
  _ss_out=$T/$_ss_name.out
  test "$_ss_how" != out || _ss_out=$T/$_ss_name.port
  "$@" >"$_ss_out" 2>"$T/$_ss_name.err" &
  _ss_pid=$!
  bg_pid "$_ss_pid"
  case "$_ss_how" in
    out) _ss_file=$_ss_out ;;
    file) _ss_file=$T/$_ss_name.port ;;
    /*/)
      _ss_file=$T/$_ss_name.port
      _ss_re=${_ss_how#/}
      _ss_re=${_ss_re%/}
      _i=0
      until grep -E -e "$_ss_re" "$T/$_ss_name.out" 2>/dev/null | head -n 1 |
          sed -n 's/^.*[^0-9]\([0-9][0-9]*\)$/\1/p' >"$_ss_file" && test -s "$_ss_file"
      do
        kill -0 "$_ss_pid" 2>/dev/null && test "$_i" -lt 500 || break
        sleep 0.02
        _i=$((_i + 1))
      done
      ;;
    *) echo "$TEST: harness error: server_start: bad HOW '$_ss_how'" 1>&2 ; exit 99 ;;
  esac
  _port=$(wait_port_file "$_ss_file" "$_ss_pid") || {
    echo "$TEST: FAIL: server $_ss_name did not start: $*" 1>&2
    _utls_show "$T/$_ss_name.err" "$_ss_name stderr"
    exit 1
  }
  _utls_set "$_ss_name" PORT "$_port"
  _utls_set "$_ss_name" PID "$_ss_pid"
  _utls_set "$_ss_name" OUT "$_ss_out"
  _utls_set "$_ss_name" ERR "$T/$_ss_name.err"
}

# server_start_free NAME READY CMD...: the same for a peer that cannot
# bind port 0 and report it (gnutls-serv, haproxy): CMD gets a port from
# freeport as $PORT (exported; its args may use it through sh -c), and
# is ready when READY succeeds (eval'd, may use $PORT; empty: the port
# accepts a connection). READY exits 2 when the start failed for good
# (the port was taken); then, or if CMD died, CMD is restarted on
# another port, 5 times at most. Sets the same variables.
server_start_free () {
  _name=$1
  _ready=$2
  shift 2
  test -n "$_ready" || _ready='tcpprobe "$PORT"'
  _try=0
  while test "$_try" -lt 5 ; do
    _try=$((_try + 1))
    PORT=$(free_port)
    export PORT
    "$@" >"$T/$_name.out" 2>"$T/$_name.err" &
    _pid=$!
    _i=0
    _ok=
    while test "$_i" -lt 500 ; do
      if ! kill -0 "$_pid" 2>/dev/null ; then break ; fi
      if (eval "$_ready") >/dev/null 2>&1 ; then _ok=1 ; break ; else _st=$? ; fi
      test "$_st" != 2 || break
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
  _utls_show "$T/$_name.out" "stdout"
  exit 1
}

# server_stop NAME: SIGTERM NAME_PID and reap it.
server_stop () {
  eval "_p=\${$1_PID}"
  kill -TERM "$_p" 2>/dev/null || :
  wait "$_p" 2>/dev/null || :
}

# server_wait NAME [SECONDS]: wait for server NAME to end by itself (a
# one-connection server), at most SECONDS if given (fail after that);
# set NAME_STATUS to its exit status (128+signal if killed).
# (Not in $(...): a subshell cannot wait for the test's children.)
server_wait () {
  eval "_p=\${$1_PID}"
  if test -n "${2-}" ; then
    _i=0
    # a finished child stays a zombie until "wait": kill -0 still works on it
    while kill -0 "$_p" 2>/dev/null && ! grep -q '^[^)]*) Z' "/proc/$_p/stat" 2>/dev/null ; do
      _i=$((_i + 1))
      test "$_i" -le $(($2 * 50)) || fail "server $1 (pid $_p) still running after $2 s"
      sleep 0.02
    done
  fi
  if wait "$_p" ; then _st=0 ; else _st=$? ; fi
  _utls_set "$1" STATUS "$_st"
}

# The servers the tests use, all started by server_start(_free):

# tcpserver_start NAME [TCPSERVER-OPTS... --] CMD...: the real Debian
# tcpserver -1 -R -H -l0 on 127.0.0.1 port 0; its stderr file (NAME_ERR)
# also gets CMD's stderr.
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
  # -1: tcpserver prints the port it bound on stdout once it listens.
  # Its children get the socket as stdout, so NAME.out holds nothing else.
  # shellcheck disable=SC2086
  server_start "$_name" out tcpserver -1 -R -H -l0 $_opts 127.0.0.1 0 "$@"
}

# tcplisten_start NAME [-1] [-c N] CMD...: the same with tests/helpers/tcplisten.
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
  # shellcheck disable=SC2086
  server_start "$_name" file tcplisten $_opts "$T/$_name.port" "$@"
}

# accept1_start NAME SECONDS CMD...: CMD serves one connection
# (tests/helpers/e2e-accept1.py), with the socket as fds 0 and 1, and is
# killed after SECONDS; server_wait NAME then gives CMD's own exit status
# (tlsd's, which tcpserver does not report). NAME_ERR gets CMD's stderr.
accept1_start () {
  _name=$1
  _secs=$2
  shift 2
  utls_python
  server_start "$_name" out "$UTLS_PYTHON" "$UTLS_TOP/tests/helpers/e2e-accept1.py" -t "$_secs" - "$@"
}

# utls_python: set UTLS_PYTHON to the Python interpreter itself, not a
# wrapper script in PATH: pyenv's shims cost from 0.3 s to seconds per
# start under load, which timing checks and "# timeout:" lines count.
utls_python () {
  test -n "${UTLS_PYTHON-}" ||
    UTLS_PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || UTLS_PYTHON=python3
}

# ossl_start NAME S_SERVER-OPTS...: openssl s_server on 127.0.0.1 port 0.
ossl_start () {
  need openssl
  _name=$1
  shift
  server_start "$_name" '/^ACCEPT 127\.0\.0\.1:[0-9]+$/' openssl s_server -accept 127.0.0.1:0 "$@"
}

# gnutls_start NAME GNUTLS-SERV-OPTS...: gnutls-serv -p PORT on a port
# from freeport. It has no bind-address option and does not exit when
# the IPv4 bind fails (it goes on with IPv6): ready is its own "IPv4
# ... port PORT...done" line, "...bind" means the port was taken. Its
# "listening" lines go to stdout or stderr, depending on the version.
# Stop it as soon as it is no longer needed (server_stop): it listens on
# 0.0.0.0.
gnutls_start () {
  need gnutls-serv
  _name=$1
  shift
  # shellcheck disable=SC2016 # $PORT is for the inner sh
  server_start_free "$_name" "_utls_gnutls_ready $_name" sh -c 'exec gnutls-serv -p "$PORT" "$@"' gnutls-serv "$@"
}

_utls_gnutls_ready () {
  grep -E -q -e "IPv4 .*port $PORT\\.\\.\\.done" "$T/$1.out" "$T/$1.err" && return 0
  grep -E -q -e "IPv4 .*port $PORT\\.\\.\\.bind" "$T/$1.out" "$T/$1.err" && return 2
  return 1
}

# haproxy_start NAME SERVER-LINE...: an HAProxy in mode tcp on a free
# port of 127.0.0.1, round robin over a backend whose lines are the
# arguments ("server s1 127.0.0.1:PORT send-proxy-v2 ..."); its
# configuration is checked first.
haproxy_start () {
  need haproxy
  _ha=$1
  shift
  {
    printf '%s\n' global '    maxconn 200' defaults '    mode tcp' '    timeout connect 10s' \
      '    timeout client 60s' '    timeout server 60s' frontend\ fe '    bind "127.0.0.1:${PORT}"' \
      '    default_backend be' backend\ be '    balance roundrobin'
    for _l ; do printf '    %s\n' "$_l" ; done
  } >"$T/$_ha.cfg"
  PORT=1 haproxy -c -f "$T/$_ha.cfg" >"$T/$_ha.check" 2>&1 || fail "haproxy rejects its configuration: $(cat "$T/$_ha.check")"
  server_start_free "$_ha" '' haproxy -db -f "$T/$_ha.cfg"
}
