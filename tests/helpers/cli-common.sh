# ISC license.
#
# Sourced by the tlsc/tlsclient tests (tests/e2e/7x-tlsc-*.sh), after
# tests/lib.sh. All servers listen on 127.0.0.1 on a port the kernel
# chose (or, for gnutls-serv, that freeport got from the kernel).
#
# ossl_start NAME s_server-options...
#   openssl s_server -accept 127.0.0.1:0 OPTIONS, stdin /dev/null; waits
#   (<= 10 s) for its "ACCEPT 127.0.0.1:PORT" line. Sets NAME_PORT,
#   NAME_PID, NAME_OUT, NAME_ERR. Registered with bg_pid.
# gnutls_start NAME gnutls-serv-options...
#   gnutls-serv -p PORT OPTIONS on a port from freeport. gnutls-serv has
#   no bind-address option and does not exit when the IPv4 bind fails
#   (it keeps going on IPv6), so readiness is its own "IPv4 ... port
#   PORT...done" line; on "bind() failed" it is killed and restarted on
#   another port (5 tries). Sets the same variables. Stop it as soon as
#   it is no longer needed (srv_kill): it listens on 0.0.0.0.
# srv_kill NAME
#   SIGTERM NAME_PID and reap it.
# tlsd_start NAME [env VAR=value...] tlsd ...
#   tcpserver_start (lib.sh) with tlsd: sets NAME_PORT NAME_PID NAME_ERR.
# tcli PORT tlsc-or-tlsclient-args...
#   tcpclient -H -R -l0 127.0.0.1 PORT ARGS, bounded by a 20 s timeout.
# der_sha256 CERT.pem   hex SHA-256 of the certificate's DER form
# spki_b64 CERT.pem     base64 SHA-256 of its SubjectPublicKeyInfo
# spki_hex CERT.pem     the same in hex
# no_app MARKER WHAT    fail unless MARKER is absent (the app did not run)
# err_is LINE...        fail unless $T/err holds exactly these lines
# rejected MESSAGE PORT [env VAR=value...] tlsc-args...
#   case number $n+1 (n is the caller's counter): tcli PORT ARGS
#   cli-app.sh $T/app.$n must exit 98 with exactly "tlsc: fatal: TLS
#   handshake failed: MESSAGE" on stderr, no output and no app run

_cli_wait_line () {
  # _cli_wait_line FILE ERE PID: 0 when FILE has a line matching ERE,
  # 1 if PID died first or 10 s passed.
  _k=0
  while [ "$_k" -lt 500 ]; do
    if grep -E -q -e "$2" "$1" 2>/dev/null; then return 0; fi
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.02
    _k=$((_k + 1))
  done
  return 1
}

ossl_start () {
  _n=$1
  shift
  need openssl
  openssl s_server -accept 127.0.0.1:0 "$@" </dev/null >"$T/$_n.out" 2>"$T/$_n.err" &
  _p=$!
  bg_pid "$_p"
  if ! _cli_wait_line "$T/$_n.out" '^ACCEPT 127\.0\.0\.1:[0-9]+$' "$_p"; then
    _utls_show "$T/$_n.err" "s_server stderr"
    fail "openssl s_server ($_n) did not start"
  fi
  _utls_set "$_n" PORT "$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$T/$_n.out" | head -n 1)"
  _utls_set "$_n" PID "$_p"
  _utls_set "$_n" OUT "$T/$_n.out"
  _utls_set "$_n" ERR "$T/$_n.err"
}

gnutls_start () {
  _n=$1
  shift
  need gnutls-serv
  _try=0
  while [ "$_try" -lt 5 ]; do
    _try=$((_try + 1))
    _port=$(free_port)
    # it prints its "listening" lines on stdout or stderr, depending on
    # the version: both go to NAME.out (NAME_ERR is the same file)
    gnutls-serv -p "$_port" "$@" </dev/null >"$T/$_n.out" 2>&1 &
    _p=$!
    if _cli_wait_line "$T/$_n.out" "IPv4 .*port $_port\\.\\.\\.(done|bind)" "$_p" &&
      grep -E -q -e "IPv4 .*port $_port\\.\\.\\.done" "$T/$_n.out"; then
      bg_pid "$_p"
      _utls_set "$_n" PORT "$_port"
      _utls_set "$_n" PID "$_p"
      _utls_set "$_n" OUT "$T/$_n.out"
      _utls_set "$_n" ERR "$T/$_n.out"
      return 0
    fi
    kill -TERM "$_p" 2>/dev/null || :
    wait "$_p" 2>/dev/null || :
  done
  _utls_show "$T/$_n.out" "gnutls-serv output"
  fail "gnutls-serv ($_n) did not start on a free port (5 tries)"
}

srv_kill () {
  eval "_p=\${$1_PID}"
  kill -TERM "$_p" 2>/dev/null || :
  wait "$_p" 2>/dev/null || :
}

tlsd_start () {
  _n=$1
  shift
  tcpserver_start "$_n" "$@"
}

tcli () {
  _port=$1
  shift
  timeout 20 tcpclient -H -R -l0 127.0.0.1 "$_port" "$@"
}

der_sha256 () {
  openssl x509 -in "$1" -outform DER | openssl dgst -sha256 -r | cut -d ' ' -f 1
}

spki_b64 () {
  openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform DER |
    openssl dgst -sha256 -binary | openssl base64 -A
}

spki_hex () {
  openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform DER |
    openssl dgst -sha256 -r | cut -d ' ' -f 1
}

no_app () {
  [ ! -e "$1" ] || fail "$2: the application ran although it must not"
}

err_is () {
  printf '%s\n' "$@" >"$T/err.want"
  if ! cmp -s "$T/err.want" "$T/err"; then
    echo "$TEST: stderr differs (- wanted, + got):" >&2
    diff -u "$T/err.want" "$T/err" | sed 's/^/  | /' >&2 || :
    fail "unexpected stderr"
  fi
}

rejected () {
  _msg=$1 _port=$2
  shift 2
  n=$((n + 1))
  run 98 tcli "$_port" "$@" cli-app.sh "$T/app.$n"
  err_is "tlsc: fatal: TLS handshake failed: $_msg"
  [ ! -s "$T/out" ] || fail "case $n ($*): output although verification failed"
  no_app "$T/app.$n" "case $n ($*)"
}

# argv_like FILE SUPER-OPTS... -- HOST PORT ENGINE -- ENGINE-OPTS... -- PROG...
#   FILE (a fake client's argv, one per line) is: the client's options,
#   host, port, engine, the engine's options, then the program. The
#   order of the options within each group does not matter (an option and
#   its argument stay together); everything else must be exactly as given.
argv_like () {
  _f=$1
  shift
  if ! python3 - "$_f" "$@" >"$T/argv.diff" 2>&1 <<'PYEOF'
import sys
got = open(sys.argv[1]).read().split("\n")[:-1]
want = sys.argv[2:]
segs, cur = [], []
for w in want:
    if w == "--" and len(segs) < 3:
        segs.append(cur); cur = []
    else:
        cur.append(w)
segs.append(cur)
sup, mid, eng, prog = segs
ARG = set("iplTtWvKka67")
def units(toks):
    out, i = [], 0
    while i < len(toks):
        t = toks[i]
        if len(t) == 2 and t[0] == "-" and t[1] in ARG and i + 1 < len(toks):
            out.append(t + " " + toks[i + 1]); i += 2
        else:
            out.append(t); i += 1
    return sorted(out)
n1, n2 = len(sup), len(eng)
g_sup, g_mid = got[:n1], got[n1:n1 + 3]
g_eng, g_prog = got[n1 + 3:n1 + 3 + n2], got[n1 + 3 + n2:]
bad = []
if units(g_sup) != units(sup): bad.append("client options: got %r, want %r" % (g_sup, sup))
if g_mid != mid: bad.append("host port engine: got %r, want %r" % (g_mid, mid))
if units(g_eng) != units(eng): bad.append("engine options: got %r, want %r" % (g_eng, eng))
if g_prog != prog: bad.append("program: got %r, want %r" % (g_prog, prog))
if bad:
    print("\n".join(bad)); print("whole argv: %r" % got); sys.exit(1)
PYEOF
  then
    sed 's/^/  | /' "$T/argv.diff" >&2
    fail "unexpected command line"
  fi
}
