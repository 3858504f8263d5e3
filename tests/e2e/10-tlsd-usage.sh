#!/bin/sh
# ISC license.
# timeout: 60
#
# 10-tlsd-usage: command-line validation of tlsd and tlsserver.
# Usage errors print exactly the usage line (golden files) and exit 100;
# each bad option value exits 100 with a message naming the option; good
# values get past option parsing (to the "no certificate" check, which is
# the next thing tlsd looks at when CERTFILE is unset).

. "${0%/*}/../lib.sh"

e2e=$(cd "$(dirname "$0")" && pwd)
need tlsd tlsserver
unset CERTFILE KEYFILE CAFILE CADIR TLS_UID TLS_GID 2>/dev/null || :

# bad MESSAGE cmd...: exit 100, stderr is exactly "MESSAGE" (one line)
bad() {
  _msg=$1
  shift
  run 100 "$@"
  printf '%s\n' "$_msg" >"$T/want"
  cmp -s "$T/want" "$T/err" || {
    diff "$T/want" "$T/err" >&2 || :
    fail "$*: wrong message"
  }
  [ ! -s "$T/out" ] || fail "$*: wrote on stdout"
}

nocert='tlsd: fatal: no certificate: set CERTFILE and KEYFILE (or CERTFILE:name and KEYFILE:name with -k 1 or -k 2)'

# tlsd: no program, unknown option, option without its argument
expect_usage tlsd-usage.expected tlsd
expect_usage tlsd-usage.expected tlsd -v 2
expect_usage tlsd-usage.expected tlsd -q prog
expect_usage tlsd-usage.expected tlsd -6 3 prog
expect_usage tlsd-usage.expected tlsd -K

# The golden file is the USAGE string of the source, when the source is here.
if [ -f "$e2e/../../src/tls/tlsd.c" ]; then
  src=$(sed -n 's/^#define USAGE "\(.*\)"$/\1/p' "$e2e/../../src/tls/tlsd.c")
  [ "tlsd: usage: $src" = "$(cat "$e2e/tlsd-usage.expected")" ] || fail "tlsd-usage.expected differs from USAGE in tlsd.c"
fi

# -v
bad 'tlsd: fatal: verbosity (-v) must be an unsigned integer, not: x' tlsd -v x prog
bad 'tlsd: fatal: verbosity (-v) must be an unsigned integer, not: -1' tlsd -v -1 prog
bad 'tlsd: fatal: verbosity (-v) must be an unsigned integer, not: 99999999999' tlsd -v 99999999999 prog
bad "$nocert" tlsd -v 3 prog
bad "$nocert" tlsd -v0 prog

# -K
bad 'tlsd: fatal: handshake timeout (-K) must be an unsigned integer, not: -1' tlsd -K -1 prog
bad 'tlsd: fatal: handshake timeout (-K) must be an unsigned integer, not: 1x' tlsd -K 1x prog
bad 'tlsd: fatal: handshake timeout (-K) must be an unsigned integer, not: 4294967296' tlsd -K 4294967296 prog
bad "$nocert" tlsd -K 0 prog
bad "$nocert" tlsd -K 500 prog
# -I, -L: checked like -K; good values get past option parsing
bad 'tlsd: fatal: idle timeout (-I) must be an unsigned integer, not: 1m' tlsd -I 1m prog
bad 'tlsd: fatal: write timeout (-L) must be an unsigned integer, not: -1' tlsd -L -1 prog
bad "$nocert" tlsd -I 0 -L 0 prog
bad "$nocert" tlsd -I 30000 -L 1000 prog

# -k
bad 'tlsd: fatal: SNI level (-k) must be 0, 1 or 2, not: 3' tlsd -k 3 prog
bad 'tlsd: fatal: SNI level (-k) must be an unsigned integer, not: x' tlsd -k x prog
bad "$nocert" tlsd -k 0 prog
bad "$nocert" tlsd -k 2 prog

# -a
bad 'tlsd: fatal: invalid ALPN list for -a: ' tlsd -a '' prog
bad 'tlsd: fatal: invalid ALPN list for -a: a,,b (empty or too long name)' tlsd -a 'a,,b' prog
bad 'tlsd: fatal: invalid ALPN list for -a: h2, (empty or too long name)' tlsd -a 'h2,' prog
bad 'tlsd: fatal: invalid ALPN list for -a: a b (non-printable character)' tlsd -a 'a b' prog
long=$(printf '%0256d' 0)
bad "tlsd: fatal: invalid ALPN list for -a: $long (empty or too long name)" tlsd -a "$long" prog
seventeen=a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q
bad "tlsd: fatal: too many ALPN names for -a: $seventeen" tlsd -a "$seventeen" prog
bad "$nocert" tlsd -a a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p prog
bad "$nocert" tlsd -a "$(printf '%0255d' 0),http/1.1" prog

# flags without arguments
bad "$nocert" tlsd -S -s -J -j -Y -y -Z -z prog
bad "$nocert" tlsd -SJYZ prog

# tlsserver: missing host, port or program; unknown option
expect_usage tlsserver-usage.expected tlsserver
expect_usage tlsserver-usage.expected tlsserver 127.0.0.1
expect_usage tlsserver-usage.expected tlsserver 127.0.0.1 0
expect_usage tlsserver-usage.expected tlsserver -q 127.0.0.1 0 prog
expect_usage tlsserver-usage.expected tlsserver -W
if [ -f "$e2e/../../src/tls/tlsserver.c" ]; then
  src=$(sed -n 's/^#define USAGE "\(.*\)"$/\1/p' "$e2e/../../src/tls/tlsserver.c")
  [ "tlsserver: usage: $src" = "$(cat "$e2e/tlsserver-usage.expected")" ] || fail "tlsserver-usage.expected differs from USAGE in tlsserver.c"
fi
bad 'tlsserver: fatal: option -c needs an unsigned integer, not: many' tlsserver -c many 127.0.0.1 0 prog
bad 'tlsserver: fatal: option -K needs an unsigned integer, not: -5' tlsserver -K -5 127.0.0.1 0 prog
bad 'tlsserver: fatal: option -I needs an unsigned integer, not: x' tlsserver -I x 127.0.0.1 0 prog
bad 'tlsserver: fatal: option -L needs an unsigned integer, not: 5s' tlsserver -L 5s 127.0.0.1 0 prog
bad 'tlsserver: fatal: option -x is not supported with s6-tcpserver' tlsserver -W s6-tcpserver -x rules.cdb 127.0.0.1 0 prog

exit 0
