# ISC license.
# shellcheck shell=sh
#
# Sourced by the fault tests tests/e2e/90-94, after tests/lib.sh.
#
# fault NAME SCENARIO cmd...
#   runs tests/helpers/rb-fault.py SCENARIO with cmd as the server (one
#   connection; see rb-fault.py for the scenarios); its facts go to
#   $T/NAME.facts, the server's stderr to $T/NAME.err. Fails if the
#   driver itself failed or the server outlived the driver's bound.
# fact NAME KEY
#   prints the value of KEY in $T/NAME.facts (empty if absent).
# expect_fact NAME KEY ERE
#   fails unless the whole value of KEY matches ERE.
# expect_le NAME KEY MAX
#   fails unless KEY is a number <= MAX (decimals allowed).
# expect_gone NAME
#   the application the server had forked is gone (not even a zombie).
# expect_err_lines NAME N
#   the server's stderr has exactly N lines.

fault ()
{
  _fname=$1
  shift
  if rb-fault.py --timeout "${RB_TIMEOUT:-20}" --cafile "$UTLS_PKI/ca.pem" \
    --err "$T/$_fname.err" "$@" >"$T/$_fname.facts" 2>"$T/$_fname.drv"
  then :
  else
    _st=$?
    echo "  --- facts:" >&2 ; sed 's/^/  | /' "$T/$_fname.facts" >&2
    echo "  --- server's stderr:" >&2 ; sed 's/^/  | /' "$T/$_fname.err" >&2
    echo "  --- driver's stderr:" >&2 ; sed 's/^/  | /' "$T/$_fname.drv" >&2
    fail "$_fname: rb-fault.py exited $_st (3: the server did not end within ${RB_TIMEOUT:-20} s)"
  fi
}

fact ()
{
  sed -n "s/^$2=//p" "$T/$1.facts" | head -n 1
}

_rb_show ()
{
  echo "  --- $1 facts:" >&2 ; sed 's/^/  | /' "$T/$1.facts" >&2
  echo "  --- $1 server stderr:" >&2 ; sed 's/^/  | /' "$T/$1.err" >&2
}

expect_fact ()
{
  _v=$(fact "$1" "$2")
  if printf '%s\n' "$_v" | grep -E -q -x -e "$3" ; then return 0 ; fi
  _rb_show "$1"
  fail "$1: $2 is '$_v', expected /$3/"
}

expect_le ()
{
  _v=$(fact "$1" "$2")
  case "$_v" in
    ''|*[!0-9.]*) _rb_show "$1" ; fail "$1: $2 is '$_v', not a number" ;;
  esac
  if awk -v v="$_v" -v m="$3" 'BEGIN { exit !(v + 0 <= m + 0) }' ; then return 0 ; fi
  _rb_show "$1"
  fail "$1: $2 is $_v, expected at most $3"
}

expect_gone ()
{
  _p=$(fact "$1" app_pid)
  case "$_p" in
    ''|0) _rb_show "$1" ; fail "$1: the application's pid was never seen" ;;
  esac
  expect_fact "$1" app_gone 1
}

expect_err_lines ()
{
  _n=$(wc -l <"$T/$1.err" | tr -d ' ')
  [ "$_n" = "$2" ] || { _rb_show "$1" ; fail "$1: $_n lines on the server's stderr, expected $2" ; }
}

# expect_idle NAME SERVER_FDS APP_FDS: the facts of an "idle" run: the
# echo both ways, the exact descriptor sets of the engine and of the
# application, both asleep at ~0 CPU while idle, a clean end within 1 s,
# no process left, and one -v2 line ($LINE) on stderr.
expect_idle ()
{
  expect_fact "$1" echo1 ping
  expect_fact "$1" echo2 pong
  expect_fact "$1" server_fds "$2"
  expect_fact "$1" server_net_same 1
  expect_fact "$1" app_fds "$3"
  for _w in idle idle_app
  do
    expect_fact "$1" ${_w}_cpu_ticks '[0-9]+'
    expect_le "$1" ${_w}_cpu_ticks 2
    expect_fact "$1" ${_w}_states S
  done
  expect_fact "$1" status 0
  expect_le "$1" exit_after 1.0
  expect_fact "$1" client_end eof
  expect_gone "$1"
  expect_grep "^$LINE bytes_in 10 bytes_out 10 end eof-without-close_notify\$" "$T/$1.err"
  expect_err_lines "$1" 1
}
