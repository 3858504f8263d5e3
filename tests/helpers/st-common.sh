# ISC license.
#
# Sourced by the tests/e2e/8[6-9] smtpd-starttls tests, after tests/lib.sh
# and tests/helpers/uc-common.sh.
#
# st_start NAME [smtpd-starttls options...] -- SMTPD...
#   tcpserver + ucspitlsd -v2 (the test PKI's EC certificate for
#   localhost) + smtpd-starttls OPTIONS + SMTPD, via tcpserver_start -v: sets
#   NAME_PORT, NAME_PID, NAME_ERR (tcpserver's, ucspitlsd's,
#   smtpd-starttls' and the smtpd's stderr).
# st_smtpd [st-smtpd.py options...]
#   prints the command line of the scripted smtpd, logging to $T/smtpd.log
# st_run NAME PORT STATUS < SCRIPT
#   runs tests/helpers/st-client.py on PORT with SCRIPT; its transcript
#   goes to $T/NAME.out, its stderr to $T/NAME.err; fails unless it
#   exits STATUS (0: every step worked).
# st_pids
#   the pids of the st-smtpd processes, in the order they started
# st_cmds PID
#   the command lines that st-smtpd process received ($T/PID.cmds)

st_start ()
{
  _stn=$1
  shift
  _sto=
  while [ "$#" -gt 0 ] && [ "$1" != -- ] ; do _sto="$_sto $1" ; shift ; done
  [ "$#" -gt 0 ] || { echo "$TEST: harness error: st_start: missing --" 1>&2 ; exit 99 ; }
  shift
  # shellcheck disable=SC2086
  tcpserver_start "$_stn" -v -- env CERTFILE="$UTLS_PKI/ec.chain.pem" KEYFILE="$UTLS_PKI/ec.key" \
    ucspitlsd -v2 smtpd-starttls $_sto "$@"
}

# The interpreter itself (utls_python, lib.sh), not a wrapper script in
# PATH: pyenv's shims cost a few hundred ms per start, twice per session,
# which -t 2 would count.
utls_python

st_smtpd ()
{
  echo "$UTLS_PYTHON $UTLS_TOP/tests/helpers/st-smtpd.py $* $T/smtpd.log"
}

st_run ()
{
  _stn=$1
  if timeout -k 2 40 python3 "$UTLS_TOP/tests/helpers/st-client.py" "$2" "$UTLS_PKI/ca.pem" >"$T/$_stn.out" 2>"$T/$_stn.err"
  then _sts=0
  else _sts=$?
  fi
  if [ "$_sts" != "$3" ]
  then
    _utls_show "$T/$_stn.out" "client $_stn transcript"
    _utls_show "$T/$_stn.err" "client $_stn stderr"
    fail "client $_stn exited $_sts, expected $3"
  fi
}

st_pids ()
{
  sed -n 's/^\([0-9]*\) start .*/\1/p' "$T/smtpd.log" 2>/dev/null
}

st_cmds ()
{
  sed -n "s/^$1 cmd: //p" "$T/smtpd.log" > "$T/$1.cmds"
  cat "$T/$1.cmds"
}
