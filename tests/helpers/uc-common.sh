# ISC license.
#
# Sourced by the tests/e2e/8x UCSPI-TLS tests, after tests/lib.sh.
#
# uc_start NAME CMD...
#   tcpserver -v -1 -R -H -l0 127.0.0.1 0 CMD... in the background
#   (tcpserver_start from lib.sh); sets NAME_PORT, NAME_PID, NAME_ERR.
#   -v makes tcpserver log "end PID status WSTAT" for each connection,
#   which is how the tests see the engine's exit code.
# uc_wait_ends NAME N
#   waits (<= 10 s) until NAME's stderr holds N "end" lines.
# uc_status NAME [K]
#   prints the exit code of the K-th finished connection (default: the
#   last one) of server NAME, from tcpserver's raw wait status.
# uc_expect_status NAME N [K]
#   fails unless that exit code is N.
# uc_accept1 NAME SCRIPT [ARGS...]
#   runs "python3 SCRIPT ARGS... PORTFILE" (a scripted one-connection
#   server that writes its port to PORTFILE) in the background, waits for
#   the port; sets NAME_PORT, NAME_PID, NAME_ERR, NAME_OUT.
# uc_wait_pid PID
#   waits (<= 10 s) for that background process to end; sets UC_ST to
#   its exit status.
# uc_tcpclient PORT CMD...
#   tcpclient -R -H -l0 127.0.0.1 PORT CMD..., with a 20 s bound.

uc_start ()
{
  _ucn=$1
  shift
  tcpserver_start "$_ucn" -v -- "$@"
}

uc_ends ()
{
  eval "_ucf=\$$1_ERR"
  grep -c '^tcpserver: end [0-9]* status ' "$_ucf" 2>/dev/null || :
}

uc_wait_ends ()
{
  _uci=0
  while [ "$(uc_ends "$1")" -lt "$2" ]
  do
    _uci=$((_uci + 1))
    if [ "$_uci" -gt 500 ]
    then
      eval "_ucf=\$$1_ERR"
      _utls_show "$_ucf" "server $1 stderr"
      fail "server $1: fewer than $2 finished connections after 10 s"
    fi
    sleep 0.02
  done
}

uc_status ()
{
  eval "_ucf=\$$1_ERR"
  if [ -n "${2-}" ]
  then
    _ucw=$(sed -n 's/^tcpserver: end [0-9]* status \([0-9]*\)$/\1/p' "$_ucf" | sed -n "$2p")
  else
    _ucw=$(sed -n 's/^tcpserver: end [0-9]* status \([0-9]*\)$/\1/p' "$_ucf" | tail -n 1)
  fi
  [ -n "$_ucw" ] || { echo none ; return 0 ; }
  if [ $((_ucw & 127)) -ne 0 ] ; then echo "signal$((_ucw & 127))" ; else echo $((_ucw >> 8)) ; fi
}

uc_expect_status ()
{
  _ucs=$(uc_status "$1" "${3-}")
  if [ "$_ucs" != "$2" ]
  then
    eval "_ucf=\$$1_ERR"
    _utls_show "$_ucf" "server $1 stderr"
    fail "server $1: connection ${3:-last} exited $_ucs, expected $2"
  fi
}

uc_accept1 ()
{
  _ucn=$1
  shift
  rm -f "$T/$_ucn.port"
  python3 "$@" "$T/$_ucn.port" >"$T/$_ucn.out" 2>"$T/$_ucn.err" &
  _ucp=$!
  bg_pid "$_ucp"
  _ucport=$(wait_port_file "$T/$_ucn.port" "$_ucp") || {
    _utls_show "$T/$_ucn.err" "$_ucn stderr"
    fail "scripted server $_ucn did not start"
  }
  _utls_set "$_ucn" PORT "$_ucport"
  _utls_set "$_ucn" PID "$_ucp"
  _utls_set "$_ucn" ERR "$T/$_ucn.err"
  _utls_set "$_ucn" OUT "$T/$_ucn.out"
}

# uc_wait_pid PID: wait (<= 10 s) for a background process of ours to end;
# sets UC_ST to its exit status. (Not in $(...): a subshell cannot wait.)
uc_wait_pid ()
{
  _uci=0
  # a finished child stays a zombie until "wait": kill -0 still works on it
  while kill -0 "$1" 2>/dev/null && ! grep -q '^[^)]*) Z' "/proc/$1/stat" 2>/dev/null
  do
    _uci=$((_uci + 1))
    [ "$_uci" -le 500 ] || fail "process $1 still running after 10 s"
    sleep 0.02
  done
  if wait "$1" ; then UC_ST=0 ; else UC_ST=$? ; fi
}

uc_tcpclient ()
{
  _ucport=$1
  shift
  timeout -k 2 20 tcpclient -R -H -l0 127.0.0.1 "$_ucport" "$@"
}
