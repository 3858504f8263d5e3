#!/bin/sh
# timeout: 60
# ISC license.
#
# 76-tlsc-usage.sh: command-line validation of tlsc and tlsclient.
#
# Usage errors print exactly the usage line (golden files, which must
# also match USAGE in the sources) and exit 100. Each bad option value
# exits 100 with one message naming it, and nothing runs. Good values get
# past option parsing: with /dev/null as the network, tlsc then fails
# the handshake (98). tlsc without fds 6/7 (and without -6/-7) exits 100
# and says so; -6/-7 really move the network (a real connection to tlsd
# through fds 3/4). An option argument attached to its letter (-kNAME)
# must not change how the next word is parsed.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/cli-common.sh"

e2e=$(cd "$(dirname "$0")" && pwd)
need tlsc tlsclient
unset CERTFILE KEYFILE CAFILE CADIR TCPREMOTEIP 2>/dev/null || :
TC=$UTLS_TOP/src/tls/tlsclient
[ -x "$TC" ] || TC=$(command -v tlsclient)
FAKE=$UTLS_TOP/tests/helpers/cli-argv.sh

# net CMD...: CMD with /dev/null as fds 6 and 7 (a network that ends at once)
net () {
  "$@" 6</dev/null 7>/dev/null
}

# nonet CMD...: CMD with fds 6 and 7 closed
nonet () {
  "$@" 6<&- 7>&-
}

# only6 CMD...: CMD with /dev/null as fd 6 and fd 7 closed
only6 () {
  "$@" 6</dev/null 7>&-
}

# bad MESSAGE cmd...: exit 100, stderr is exactly "MESSAGE", stdout empty
bad () {
  _msg=$1
  shift
  run 100 "$@"
  err_is "$_msg"
  [ ! -s "$T/out" ] || fail "$*: wrote on stdout"
}

# good cmd...: past option parsing: the handshake on /dev/null fails (98)
eof='tlsc: fatal: TLS handshake failed: peer closed the connection without close_notify'
good () {
  run 98 net "$@"
  err_is "$eof"
}

# --- the golden files are the sources' USAGE strings
for p in tlsc tlsclient; do
  if [ -f "$UTLS_TOP/src/tls/$p.c" ]; then
    src=$(sed -n 's/^#define USAGE "\(.*\)"$/\1/p' "$UTLS_TOP/src/tls/$p.c")
    [ "$p: usage: $src" = "$(cat "$e2e/$p-usage.expected")" ] || fail "$p-usage.expected differs from USAGE in $p.c"
  fi
done

# --- tlsc: no program, unknown option, option without its argument
expect_usage tlsc-usage.expected net tlsc
expect_usage tlsc-usage.expected net tlsc -k localhost
expect_usage tlsc-usage.expected net tlsc -q prog
expect_usage tlsc-usage.expected net tlsc -k
expect_usage tlsc-usage.expected net tlsc --bogus prog
expect_usage tlsc-usage.expected net tlsc --insecure prog
expect_usage tlsc-usage.expected nonet tlsc
expect_usage tlsc-usage.expected net tlsc -n prog

# -6 / -7
bad 'tlsc: fatal: network read descriptor (-6) must be an unsigned integer, not: x' net tlsc -6 x prog
bad 'tlsc: fatal: network read descriptor (-6) must be an unsigned integer, not: -1' net tlsc -6 -1 prog
bad 'tlsc: fatal: network read descriptor (-6) is out of range: 5000' net tlsc -6 5000 prog
bad 'tlsc: fatal: network write descriptor (-7) must be an unsigned integer, not: y' net tlsc -7 y prog
# -v, -K
bad 'tlsc: fatal: verbosity (-v) must be an unsigned integer, not: x' net tlsc -v x prog
bad 'tlsc: fatal: handshake timeout (-K) must be an unsigned integer, not: -1' net tlsc -K -1 prog
bad 'tlsc: fatal: handshake timeout (-K) must be an unsigned integer, not: 1s' net tlsc -K 1s prog
bad 'tlsc: fatal: idle timeout (-I) must be an unsigned integer, not: 1s' net tlsc -I 1s prog
bad 'tlsc: fatal: write timeout (-L) must be an unsigned integer, not: x' net tlsc -L x prog
# -k
bad 'tlsc: fatal: invalid server name for -k: ' net tlsc -k '' prog
long=$(printf '%0254d' 0)
bad "tlsc: fatal: invalid server name for -k: $long" net tlsc -k "$long" prog
good tlsc -k "$(printf '%0253d' 0)" prog
# -a
bad 'tlsc: fatal: invalid ALPN list for -a: ' net tlsc -k localhost -a '' prog
bad 'tlsc: fatal: invalid ALPN list for -a: h2,,x (empty or too long name)' net tlsc -k localhost -a 'h2,,x' prog
bad 'tlsc: fatal: invalid ALPN list for -a: a b (non-printable character)' net tlsc -k localhost -a 'a b' prog
good tlsc -k localhost -a h2,http/1.1 prog
# --pin
pinerr='tlsc: fatal: invalid --pin value (want sha256//BASE64 or SHA256:HEX): '
bad "${pinerr}garbage" net tlsc --pin=garbage prog
bad "$pinerr" net tlsc --pin= prog
bad "${pinerr}sha256//AAAA" net tlsc --pin=sha256//AAAA prog
bad "${pinerr}SHA256:zz" net tlsc --pin=SHA256:zz prog
bad "${pinerr}SHA256:$(printf '%062d' 0)" net tlsc "--pin=SHA256:$(printf '%062d' 0)" prog
zero64=$(printf '%064d' 0)
zerob64=$(head -c 32 /dev/zero | openssl base64 -A 2>/dev/null) || zerob64=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
bad "${pinerr}md5//$zerob64" net tlsc "--pin=md5//$zerob64" prog
good tlsc "--pin=sha256//$zerob64" prog
good tlsc "--pin=SHA256:$zero64" -k localhost prog
# --pin and --insecure-no-verify exclude each other, in either order
bad 'tlsc: fatal: --insecure-no-verify and --pin exclude each other' net tlsc "--pin=SHA256:$zero64" --insecure-no-verify prog
bad 'tlsc: fatal: --insecure-no-verify and --pin exclude each other' net tlsc --insecure-no-verify "--pin=SHA256:$zero64" prog
# the insecure mode needs no name; verification does
good tlsc --insecure-no-verify prog
bad 'tlsc: fatal: no server name to verify: use -k name' net tlsc prog
bad 'tlsc: fatal: no server name to verify: use -k name' net env TCPREMOTEIP=not-an-ip tlsc prog
# flags without arguments, clustered, and a verbose good run
good tlsc -S -s -J -j -Y -Z -z -k localhost prog
good tlsc -SJZ -k localhost prog
run 98 net tlsc -v2 -K 0 -k localhost prog
expect_grep '^tlsc: fatal: TLS handshake failed: peer closed the connection without close_notify$' "$T/err"
expect_grep '^tlsc: info: peer -:- .* end handshake-failed$' "$T/err"
run 98 net tlsc -v0 -k localhost prog
err_is "$eof"

# --- tlsc without its network descriptors
nofd='not an open descriptor; run under tcpclient or give -6/-7): Bad file descriptor'
bad "tlsc: fatal: unable to use the network read descriptor ($nofd" nonet tlsc -k localhost prog
bad "tlsc: fatal: unable to use the network write descriptor ($nofd" only6 tlsc -k localhost prog
bad "tlsc: fatal: unable to use the network read descriptor ($nofd" net tlsc -6 8 -7 7 -k localhost prog
bad "tlsc: fatal: unable to use the network write descriptor ($nofd" net tlsc -6 6 -7 9 -k localhost prog
# with -6/-7 naming open descriptors, 6 and 7 need not be open
run 98 nonet tlsc -6 3 -7 4 -k localhost prog 3</dev/null 4>/dev/null
err_is "$eof"

# -6/-7 with a real connection: tcpclient's 6/7 moved to 3/4 (6/7 closed)
if command -v tcpserver >/dev/null 2>&1 && command -v tcpclient >/dev/null 2>&1 && command -v tlsd >/dev/null 2>&1; then
  pki
  P=$UTLS_PKI
  tcpserver_start s env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd sh -c 'echo hello from tlsd'
  run 0 tcli "$s_PORT" env CAFILE="$P/ca.pem" sh -c \
    'exec 3<&6 4>&7 6<&- 7>&-; exec tlsc -6 3 -7 4 -k localhost cli-app.sh "$0"' "$T/fd.app"
  expect_eq "$(cat "$T/out")" "hello from tlsd" "-6 3 -7 4: the reply"
  [ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "-6 3 -7 4: stderr not empty"; }
  expect_grep '^SSL_PROTOCOL=TLSv1\.2$' "$T/fd.app"
  server_stop s
fi

# --- tlsclient
expect_usage tlsclient-usage.expected "$TC"
expect_usage tlsclient-usage.expected "$TC" 127.0.0.1
expect_usage tlsclient-usage.expected "$TC" 127.0.0.1 443
expect_usage tlsclient-usage.expected "$TC" -q 127.0.0.1 443 prog
expect_usage tlsclient-usage.expected "$TC" -W
expect_usage tlsclient-usage.expected "$TC" -W "$FAKE" -k
bad 'tlsclient: fatal: option -v needs an unsigned integer, not: x' "$TC" -W "$FAKE" -v x 127.0.0.1 443 prog
bad 'tlsclient: fatal: option -K needs an unsigned integer, not: -5' "$TC" -W "$FAKE" -K -5 127.0.0.1 443 prog
bad 'tlsclient: fatal: option -I needs an unsigned integer, not: -5' "$TC" -W "$FAKE" -I -5 127.0.0.1 443 prog
bad 'tlsclient: fatal: option -L needs an unsigned integer, not: y' "$TC" -W "$FAKE" -L y 127.0.0.1 443 prog
bad 'tlsclient: fatal: option -p needs an unsigned integer, not: http' "$TC" -W "$FAKE" -p http 127.0.0.1 443 prog
# tlsclient's engine checks its options: a bad one reaches tlsc, which refuses it
run 0 "$TC" -W "$FAKE" -a 'a b' 127.0.0.1 443 prog
expect_grep '^a b$' "$T/out"

# --- the engine's part of tlsclient's command line can be longer than
# what tlsclient was given (-SSSSS is five words, -k host is added):
# tlsc takes 1023 words, so tlsclient passes 1023 and refuses 1024 at
# once, before any connection. The fake tcpclient runs the engine part
# with /dev/null as the network: tlsc then fails the handshake (98).
cat >"$T/exec-engine" <<'EOS'
#!/bin/sh
while [ $# -gt 0 ] && [ "${1##*/}" != tlsc ]; do shift; done
exec "$@" 6</dev/null 7>/dev/null
EOS
chmod +x "$T/exec-engine"
set --
i=1
while [ $i -le 1014 ]; do set -- "$@" "a$i"; i=$((i + 1)); done
# tlsc -k 127.0.0.1 -S -S -S -S -S prog a1..a1014: 1023 words
run 98 "$TC" -W "$T/exec-engine" -SSSSS 127.0.0.1 443 prog "$@"
expect_no_grep 'too many' "$T/err"
run 100 "$TC" -W "$T/exec-engine" -SSSSS 127.0.0.1 443 prog "$@" a1015
err_is 'tlsclient: fatal: too many arguments'

# --- an attached option argument whose last character is itself an
# option letter that takes an argument ("-kmail.example.ca": 'a' is -a)
# must not swallow the next word: the long option after it still counts
good tlsc -kmail.example.ca --insecure-no-verify prog
run 98 net tlsc -kmail.example.ca "--pin=SHA256:$zero64" prog
err_is "$eof"
run 0 "$TC" -W "$FAKE" -kwww.example.net --insecure-no-verify 127.0.0.1 443 prog
expect_grep '^--insecure-no-verify$' "$T/out"
exit 0
