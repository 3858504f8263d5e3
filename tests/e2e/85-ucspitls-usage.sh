#!/bin/sh
# ISC license.
# timeout: 60
#
# 85-ucspitls-usage: command-line and environment validation of
# ucspitlsd, ucspitlsc and starttls. Usage errors print exactly the usage
# line (golden files *-usage.expected, which must also match the USAGE
# string of the source) and exit 100; a bad option value or environment
# exits 100 with a message naming it; the program never runs.

. "${0%/*}/../lib.sh"

e2e=$(cd "$(dirname "$0")" && pwd)
need ucspitlsd ucspitlsc starttls
pki
P=$UTLS_PKI
unset CERTFILE KEYFILE CAFILE CADIR TLS_UID TLS_GID SSLCTLFD SSLREADFD SSLWRITEFD 2>/dev/null || :


# the golden files are the USAGE strings of the sources, when they are here
for p in ucspitlsd ucspitlsc starttls
do
  if [ -f "$e2e/../../src/tls/$p.c" ]
  then
    src=$(sed -n 's/^#define USAGE "\(.*\)"$/\1/p' "$e2e/../../src/tls/$p.c")
    [ "$p: usage: $src" = "$(cat "$e2e/$p-usage.expected")" ] || fail "$p-usage.expected differs from USAGE in $p.c"
  fi
done

# ---- ucspitlsd
expect_usage ucspitlsd-usage.expected ucspitlsd
expect_usage ucspitlsd-usage.expected ucspitlsd -v 2
expect_usage ucspitlsd-usage.expected ucspitlsd -q prog
expect_usage ucspitlsd-usage.expected ucspitlsd -6 3 prog
expect_usage ucspitlsd-usage.expected ucspitlsd -K
expect_usage ucspitlsd-usage.expected ucspitlsd --pin=sha256//AAAA prog
expect_refused 'ucspitlsd: fatal: verbosity (-v) must be an unsigned integer, not: x' ucspitlsd -v x sh -c ": >$T/ran"
expect_refused 'ucspitlsd: fatal: handshake timeout (-K) must be an unsigned integer, not: -5' ucspitlsd -K -5 sh -c ": >$T/ran"
expect_refused 'ucspitlsd: fatal: idle timeout (-I) must be an unsigned integer, not: z' ucspitlsd -I z sh -c ": >$T/ran"
expect_refused 'ucspitlsd: fatal: write timeout (-L) must be an unsigned integer, not: -5' ucspitlsd -L -5 sh -c ": >$T/ran"
expect_refused 'ucspitlsd: fatal: SNI level (-k) must be 0, 1 or 2, not: 3' ucspitlsd -k 3 sh -c ": >$T/ran"
expect_refused 'ucspitlsd: fatal: invalid ALPN list for -a: ' ucspitlsd -a '' sh -c ": >$T/ran"
expect_refused 'ucspitlsd: fatal: no certificate: set CERTFILE and KEYFILE (or CERTFILE:name and KEYFILE:name with -k 1 or -k 2)' \
  ucspitlsd sh -c ": >$T/ran"
# a configuration error is 96, and the application never starts either
rm -f "$T/ran"
run 96 env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/rsa.key" ucspitlsd sh -c ": >$T/ran"
expect_grep '^ucspitlsd: fatal: key .*rsa\.key does not match certificate .*ec\.chain\.pem' "$T/err"
[ ! -e "$T/ran" ] || fail "ucspitlsd: the application ran with a bad key"
# good values get past option parsing (to a working start: EOF on the
# control descriptor at once, exit with the application's status)
run 3 env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" CAFILE="$P/ca.pem" ucspitlsd -v 0 -K 5000 -I 600000 -L 1000 -S -J -Y -Z -k 0 -a smtp \
  sh -c 'exit 3' </dev/null
[ ! -s "$T/err" ] || { cat "$T/err" >&2 ; fail "ucspitlsd: good options: stderr not empty"; }
expect_refused 'ucspitlsd: fatal: client certificates (-Y or -y) need CAFILE or CADIR' \
  env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" ucspitlsd -Y sh -c ": >$T/ran"

# ---- ucspitlsc
expect_usage ucspitlsc-usage.expected ucspitlsc
expect_usage ucspitlsc-usage.expected ucspitlsc -k localhost
expect_usage ucspitlsc-usage.expected ucspitlsc -q prog
expect_usage ucspitlsc-usage.expected ucspitlsc -7
expect_refused 'ucspitlsc: fatal: verbosity (-v) must be an unsigned integer, not: x' ucspitlsc -6 0 -7 1 -v x sh -c ": >$T/ran"
expect_refused 'ucspitlsc: fatal: idle timeout (-I) must be an unsigned integer, not: x' ucspitlsc -6 0 -7 1 -I x sh -c ": >$T/ran"
expect_refused 'ucspitlsc: fatal: write timeout (-L) must be an unsigned integer, not: 1.5' ucspitlsc -6 0 -7 1 -L 1.5 sh -c ": >$T/ran"
expect_refused 'ucspitlsc: fatal: --insecure-no-verify and --pin exclude each other' \
  ucspitlsc -6 0 -7 1 -k localhost --pin=sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU= --insecure-no-verify sh -c ": >$T/ran"
expect_refused 'ucspitlsc: fatal: no server name to verify: use -k name' ucspitlsc -6 0 -7 1 sh -c ": >$T/ran"
# no network descriptors: not under tcpclient
expect_refused 'ucspitlsc: fatal: unable to use the network read descriptor (not an open descriptor; run under tcpclient or give -6/-7): Bad file descriptor' \
  sh -c 'exec 6<&- 7>&- ; exec "$@"' x ucspitlsc -k localhost sh -c ": >$T/ran"

# TLS_UID/TLS_GID are checked before the application starts: a bad value
# must not leave it running in plaintext (it once did: the drop came
# after the fork).
expect_refused 'ucspitlsd: fatal: TLS_UID must be a numeric uid: abc' \
  env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" TLS_UID=abc TLS_GID=0 ucspitlsd sh -c ": >$T/ran"
expect_refused 'ucspitlsd: fatal: TLS_UID is set but TLS_GID is not' \
  env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" TLS_UID=0 ucspitlsd sh -c ": >$T/ran"

# ---- starttls
expect_usage starttls-usage.expected starttls
expect_usage starttls-usage.expected starttls -c
expect_usage starttls-usage.expected starttls -x prog
expect_usage starttls-usage.expected starttls -p
expect_usage starttls-usage.expected starttls -h
expect_refused 'starttls: fatal: SSLCTLFD is not set: run starttls under ucspitlsd or ucspitlsc' starttls sh -c ": >$T/ran"
expect_refused 'starttls: fatal: SSLCTLFD is not set: run starttls under ucspitlsd or ucspitlsc' starttls -p smtp sh -c ": >$T/ran"
expect_refused 'starttls: fatal: SSLREADFD is not set: run starttls under ucspitlsd or ucspitlsc' \
  env SSLCTLFD=3 starttls sh -c ": >$T/ran"
expect_refused 'starttls: fatal: invalid SSLCTLFD: x' env SSLCTLFD=x SSLREADFD=4 SSLWRITEFD=5 starttls sh -c ": >$T/ran"
expect_refused 'starttls: fatal: invalid SSLWRITEFD: 99999999' env SSLCTLFD=3 SSLREADFD=4 SSLWRITEFD=99999999 starttls sh -c ": >$T/ran"
expect_refused 'starttls: fatal: unknown protocol for -p (smtp, lmtp, pop3 or imap): ftp' starttls -p ftp sh -c ": >$T/ran"
expect_refused 'starttls: fatal: unknown protocol for -p (smtp, lmtp, pop3 or imap): SMTP' \
  env SSLCTLFD=3 SSLREADFD=4 SSLWRITEFD=5 starttls -p SMTP sh -c ": >$T/ran"
expect_refused 'starttls: fatal: invalid HELO name for -h: a b' starttls -p smtp -h 'a b' sh -c ": >$T/ran"
expect_refused 'starttls: fatal: verbosity (-v) must be an unsigned integer, not: x' starttls -v x sh -c ": >$T/ran"
expect_refused 'starttls: fatal: timeout (-t) must be an unsigned integer, not: 1s' starttls -t 1s sh -c ": >$T/ran"
expect_refused 'starttls: fatal: network read descriptor (-6) must be a descriptor number, not: x' starttls -6 x sh -c ": >$T/ran"
expect_refused 'starttls: fatal: network write descriptor (-7) must be a descriptor number, not: 5000' starttls -7 5000 sh -c ": >$T/ran"
# the three UCSPI-TLS descriptors: distinct and open, or nothing runs
expect_refused 'starttls: fatal: SSLCTLFD, SSLREADFD and SSLWRITEFD must be three different descriptors' \
  env SSLCTLFD=3 SSLREADFD=4 SSLWRITEFD=4 starttls sh -c ": >$T/ran"
expect_refused 'starttls: fatal: SSLCTLFD, SSLREADFD or SSLWRITEFD is not an open descriptor: run starttls under ucspitlsd or ucspitlsc' \
  sh -c 'exec 3<&- 4<&- 5<&-; exec "$@"' x env SSLCTLFD=3 SSLREADFD=4 SSLWRITEFD=5 starttls sh -c ": >$T/ran"

exit 0
