# ISC license.
#
# Sourced by the tlsc/tlsclient tests (tests/e2e/7x-tlsc-*.sh), after
# tests/lib.sh. All servers listen on 127.0.0.1 on a port the kernel
# chose (or, for gnutls-serv, that freeport got from the kernel).
#
# Servers: ossl_start, gnutls_start, tcpserver_start, server_stop (lib.sh).
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
