# ISC license.
#
# Sourced by the tests/e2e/8x UCSPI-TLS tests, after tests/lib.sh.
#
# Servers: "tcpserver_start NAME -v -- CMD..." (lib.sh). -v makes
#   tcpserver log "end PID status WSTAT" for each connection, which is
#   how the tests see the engine's exit code, with:
# uc_wait_ends NAME N
#   waits (<= 10 s) until NAME's stderr holds N "end" lines.
# uc_status NAME [K]
#   prints the exit code of the K-th finished connection (default: the
#   last one) of server NAME, from tcpserver's raw wait status.
# uc_expect_status NAME N [K]
#   fails unless that exit code is N.
# uc_tcpclient PORT CMD...
#   tcpclient -R -H -l0 127.0.0.1 PORT CMD..., with a 20 s bound.

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



uc_tcpclient ()
{
  _ucport=$1
  shift
  timeout -k 2 20 tcpclient -R -H -l0 127.0.0.1 "$_ucport" "$@"
}
