# ISC license.
# shellcheck shell=sh disable=SC2034 # PORT, ST... are for the caller
#
# Sourced by the tests/e2e/2x-3x tlsd tests, after tests/lib.sh.
#
# srv NAME cmd...
#   tcpserver_start NAME cmd... (lib.sh), then PORT=$NAME_PORT for the
#   tests' convenience. Give tlsd its environment with
#   "env VAR=value ... tlsd ...".
# srv_stop
#   server_stop (lib.sh) of the last server srv started.
# wait_lines N FILE ERE
#   waits (10 s at most) until FILE has at least N lines matching ERE:
#   tlsd writes its -v2 line when it exits, a little after the client.
# count_lines FILE ERE
#   prints the number of lines of FILE matching ERE (0 if none).

srv ()
{
  SRV_NAME=$1
  tcpserver_start "$@"
  eval "PORT=\$${1}_PORT"
}

srv_stop ()
{
  server_stop "$SRV_NAME"
}

count_lines ()
{
  _n=$(grep -E -c -e "$2" "$1" 2>/dev/null) || _n=0
  echo "$_n"
}

wait_lines ()
{
  _i=0
  while [ "$(count_lines "$2" "$3")" -lt "$1" ]
  do
    _i=$((_i + 1))
    if [ "$_i" -gt 500 ]
    then
      echo "  --- $2:" >&2
      tail -n 20 "$2" | sed 's/^/  | /' >&2
      fail "$2: fewer than $1 lines matching /$3/ after 10 s"
    fi
    sleep 0.02
  done
}

# log_ok FILE ERE
#   FILE (tlsd's stderr for one connection) holds tlsd's -v2 line, ERE
#   being that line up to "end", then the end of a connection that tlsd
#   ended with -s (TCP half-close, no close_notify) and that an OpenSSL
#   client then closed: the client sends nothing more (end local-close),
#   or closes its side (eof-without-close_notify), or, since OpenSSL 3
#   treats the missing close_notify as an error, sends a decode_error
#   alert first, which tlsd takes as the peer's answer to its own end of
#   data (peer-alert-after-local-eof), not as a failure. Which one tlsd
#   sees depends on timing; the line is the only one in every case.
log_ok ()
{
  wait_lines 1 "$1" '^tlsd: info: '
  expect_grep "^$2 (local-close|eof-without-close_notify|peer-alert-after-local-eof)\$" "$1"
  [ "$(wc -l <"$1" | tr -d ' ')" = 1 ] || {
    sed 's/^/  | /' "$1" >&2
    fail "${1##*/}: unexpected lines on tlsd's stderr"
  }
}

# one_shot NAME cmd...
#   accept1_start NAME (lib.sh): serves one connection, cmd killed after
#   $ONE_SHOT_T seconds (default 30) (stderr, with cmd's, in
#   $T/NAME.err); sets PORT and ONE_NAME.
# one_shot_wait
#   server_wait: sets ST to cmd's exit status (128+signal if killed).
one_shot ()
{
  ONE_NAME=$1
  shift
  accept1_start "$ONE_NAME" "${ONE_SHOT_T:-30}" "$@"
  eval "PORT=\$${ONE_NAME}_PORT"
}

one_shot_wait ()
{
  server_wait "$ONE_NAME"
  eval "ST=\$${ONE_NAME}_STATUS"
}
