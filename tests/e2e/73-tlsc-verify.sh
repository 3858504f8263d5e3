#!/bin/sh
# timeout: 60
# ISC license.
#
# 73-tlsc-verify.sh: tlsc's verification of the server, against tlsd
# servers (tcpserver -1, port 0) with good and broken certificates.
#
# Every rejection exits 98 with one exact message on stderr, writes
# nothing on stdout, and the application never runs (it would create a
# marker file first thing): expired, not yet valid, wrong host name (the
# message lists the certificate's names), self-signed, untrusted root,
# missing intermediate, wildcard too deep or not matching, IP host
# without a matching IP SAN, wrong pin, no CAFILE/CADIR (system store).
# Every acceptance runs the application and gets the server's reply:
# wildcard, case-insensitive names, IP SANs (v4, v6, -k or TCPREMOTEIP),
# no SNI for an address, pinned key (both notations), insecure mode
# (with its warning, every connection), CADIR, CAFILE=cafile.pem, the
# system bundle with the test CA last, a CAFILE spoiled after start.

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/cli-common.sh"

need tcpserver tcpclient tlsd tlsc openssl python3
pki
P=$UTLS_PKI
CAFILE=$P/ca.pem
export CAFILE
unset CADIR CERTFILE KEYFILE 2>/dev/null || :

# the server application: says which SNI name tlsd got
cat >"$T/srv.sh" <<'EOF'
#!/bin/sh
echo "sni=${SSL_TLS_SNI_SERVERNAME-none}"
EOF
chmod +x "$T/srv.sh"

# srv NAME CERTFILE KEYFILE: a tlsd server (many connections)
srv () {
  tcpserver_start "$1" env CERTFILE="$P/$2" KEYFILE="$P/$3" tlsd "$T/srv.sh"
}

srv ok rsa.chain.pem rsa.key
srv okec ec.chain.pem ec.key
srv expired expired.chain.pem expired.key
srv notyet notyet.chain.pem notyet.key
srv wrong wronghost.chain.pem wronghost.key
srv self selfsigned.pem selfsigned.key
srv leafonly rsa.pem rsa.key
srv deep deep-wild.chain.pem deep-wild.key

n=0
# accepted SNI PORT [env VAR=value...] tlsc-args...: the app ran, got the
# reply; the server saw SNI (none: no SNI). Stderr is left in $T/err.
accepted () {
  _sni=$1 _port=$2
  shift 2
  n=$((n + 1))
  run 0 tcli "$_port" "$@" cli-app.sh "$T/app.$n"
  expect_eq "$(cat "$T/out")" "sni=$_sni" "case $n ($*): the server's reply"
  [ -f "$T/app.$n" ] || fail "case $n ($*): the application did not run"
}

notrusted='server certificate chain not trusted: no known CA signed it (CAFILE/CADIR, or the system store)'
names='localhost, *.wild.test, 127.0.0.1, ::1'

# --- rejections
rejected 'server certificate expired on Jan  1 00:00:00 2021 GMT' "$expired_PORT" tlsc -k localhost
rejected 'server certificate not valid before Jan  1 00:00:00 2090 GMT' "$notyet_PORT" tlsc -k localhost
rejected 'host name mismatch: wanted localhost, certificate has other.test' "$wrong_PORT" tlsc -k localhost
rejected "host name mismatch: wanted other.test.example, certificate has $names" "$ok_PORT" tlsc -k other.test.example
rejected "$notrusted" "$self_PORT" tlsc -k localhost
rejected "$notrusted" "$ok_PORT" env CAFILE="$P/rogue-ca.pem" tlsc -k localhost
# the server sends its leaf without the intermediate
rejected "$notrusted" "$leafonly_PORT" tlsc -k localhost
# wildcards: one label only, never the bare domain, no partial label
rejected 'host name mismatch: wanted a.b.wild.test, certificate has *.*.wild.test' "$deep_PORT" tlsc -k a.b.wild.test
rejected 'host name mismatch: wanted deep.wild.test, certificate has *.*.wild.test' "$deep_PORT" tlsc -k deep.wild.test
rejected "host name mismatch: wanted a.b.wild.test, certificate has $names" "$ok_PORT" tlsc -k a.b.wild.test
rejected "host name mismatch: wanted wild.test, certificate has $names" "$ok_PORT" tlsc -k wild.test
rejected "host name mismatch: wanted .wild.test, certificate has $names" "$ok_PORT" tlsc -k .wild.test
# an IP host is checked against IP SANs only: by TCPREMOTEIP (no -k) or -k
rejected 'host name mismatch: wanted 127.0.0.1, certificate has other.test' "$wrong_PORT" tlsc
rejected 'host name mismatch: wanted 127.0.0.1, certificate has other.test' "$wrong_PORT" tlsc -k 127.0.0.1
rejected 'host name mismatch: wanted ::1, certificate has other.test' "$wrong_PORT" tlsc -k ::1
rejected "host name mismatch: wanted 10.1.2.3, certificate has $names" "$ok_PORT" env TCPREMOTEIP=10.1.2.3 tlsc
# the test CA is not in the system store: no CAFILE, no CADIR => rejected
rejected "$notrusted" "$ok_PORT" env -u CAFILE -u CADIR tlsc -k localhost
# CADIR with another CA only
mkdir "$T/roguedir"
cp "$P/rogue-ca.pem" "$T/roguedir/"
rejected "$notrusted" "$ok_PORT" env -u CAFILE CADIR="$T/roguedir" tlsc -k localhost

# --- acceptances
accepted localhost "$ok_PORT" tlsc -k localhost
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "tlsc wrote on stderr"; }
# the application's view of the verified server
for v in 'SSL_TLS_SNI_SERVERNAME=localhost' 'SSL_SERVER_S_DN_CN=localhost' 'SSL_PROTOCOL=TLSv1.2'; do
  grep -q -x -F -e "$v" "$T/app.$n" || { cat "$T/app.$n" >&2; fail "$v not in the application's environment"; }
done
accepted localhost "$okec_PORT" tlsc -k localhost
accepted x.wild.test "$ok_PORT" tlsc -k x.wild.test
expect_grep '^SSL_TLS_SNI_SERVERNAME=x\.wild\.test$' "$T/app.$n"
accepted X.Wild.TEST "$ok_PORT" tlsc -k X.Wild.TEST
accepted LocalHost "$okec_PORT" tlsc -k LocalHost
# IP SANs; no SNI is sent for an address (RFC 6066), none exported
accepted none "$ok_PORT" tlsc -k 127.0.0.1
expect_no_grep '^SSL_TLS_SNI_SERVERNAME=' "$T/app.$n"
accepted none "$ok_PORT" tlsc
accepted none "$okec_PORT" tlsc -k ::1
# CAFILE=cafile.pem, CADIR=cadir (without CAFILE), both
accepted localhost "$ok_PORT" env CAFILE="$P/cafile.pem" tlsc -k localhost
accepted localhost "$ok_PORT" env -u CAFILE CADIR="$P/cadir" tlsc -k localhost
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "CADIR: tlsc wrote on stderr"; }
accepted localhost "$okec_PORT" env CAFILE="$P/rogue-ca.pem" CADIR="$P/cadir" tlsc -k localhost

# --- CAFILE is read once, at start, and the anchors picked from memory.
# A big bundle whose last block is the right CA (the system store plus
# the test CA); the same with another CA: not trusted.
if [ -r /etc/ssl/certs/ca-certificates.crt ]; then
  cat /etc/ssl/certs/ca-certificates.crt "$P/ca.pem" >"$T/system+ca.pem"
  accepted localhost "$ok_PORT" env CAFILE="$T/system+ca.pem" tlsc -k localhost
  [ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "system bundle + CA: tlsc wrote on stderr"; }
  cat /etc/ssl/certs/ca-certificates.crt "$P/rogue-ca.pem" >"$T/system+rogue.pem"
  rejected "$notrusted" "$ok_PORT" env CAFILE="$T/system+rogue.pem" tlsc -k localhost
fi
# CAFILE spoiled between start and handshake: the gate waits until the
# ClientHello is there (unread: tlsd gets it), so tlsc has read CAFILE,
# then overwrites CAFILE with garbage or removes it, then runs tlsd.
# tlsc must not read it again: accepted, nothing on stderr.
cat >"$T/gate.sh" <<GATE
#!/bin/sh
python3 -c 'import select; select.select([0], [], [], 10)'
case "\$(cat "$T/gate.action")" in
  garbage) cat "$P/garbage.key" >"$T/spoiled.pem" ;;
  remove) rm -f "$T/spoiled.pem" ;;
esac
exec env CERTFILE="$P/rsa.chain.pem" KEYFILE="$P/rsa.key" tlsd "$T/srv.sh"
GATE
tcpserver_start gate sh "$T/gate.sh"
for action in garbage remove; do
  echo "$action" >"$T/gate.action"
  cp "$P/cafile.pem" "$T/spoiled.pem"
  accepted localhost "$gate_PORT" env CAFILE="$T/spoiled.pem" tlsc -k localhost
  [ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "CAFILE spoiled ($action): tlsc wrote on stderr"; }
  case $action in
    garbage) cmp -s "$T/spoiled.pem" "$P/garbage.key" || fail "the gate did not spoil CAFILE" ;;
    remove) [ ! -e "$T/spoiled.pem" ] || fail "the gate did not remove CAFILE" ;;
  esac
done

# --- pinned key: the self-signed server, by its SPKI's SHA-256
b64=$(spki_b64 "$P/selfsigned.pem")
hex=$(spki_hex "$P/selfsigned.pem")
if [ ${#b64} != 44 ] || [ ${#hex} != 64 ]; then fail "cannot compute the SPKI hashes"; fi
accepted localhost "$self_PORT" tlsc -k localhost "--pin=sha256//$b64"
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "pin: tlsc wrote on stderr"; }
accepted none "$self_PORT" tlsc "--pin=SHA256:$hex"
accepted none "$self_PORT" tlsc "--pin=SHA256:$(echo "$hex" | tr a-f A-F)"
rejected 'peer public key does not match the pinned key' "$self_PORT" tlsc -k localhost "--pin=sha256//$(spki_b64 "$P/rsa.pem")"
rejected 'peer public key does not match the pinned key' "$ok_PORT" tlsc -k localhost "--pin=SHA256:$hex"

# --- insecure mode: anything goes, with a warning at every connection
warn='tlsc: warning: server certificate NOT verified (--insecure-no-verify): this connection can be intercepted'
accepted localhost "$expired_PORT" tlsc --insecure-no-verify -k localhost
err_is "$warn"
accepted localhost "$wrong_PORT" tlsc --insecure-no-verify -k localhost
err_is "$warn"
accepted localhost "$self_PORT" env -u CAFILE tlsc --insecure-no-verify -k localhost
err_is "$warn"
accepted none "$notyet_PORT" tlsc --insecure-no-verify
err_is "$warn"

# --- a CA file that is readable but holds no certificate is a
# configuration error (96) that names the file, not an untrusted server
n=$((n + 1))
run 96 tcli "$ok_PORT" env CAFILE=/nonexistent/ca.pem tlsc -k localhost cli-app.sh "$T/app.$n"
err_is 'tlsc: fatal: unable to read CA file /nonexistent/ca.pem: No such file or directory'
no_app "$T/app.$n" "missing CAFILE"
n=$((n + 1))
run 96 tcli "$ok_PORT" env CAFILE="$P/garbage.key" tlsc -k localhost cli-app.sh "$T/app.$n"
expect_grep "^tlsc: fatal: .*$P/garbage\\.key" "$T/err"
no_app "$T/app.$n" "CAFILE without certificates"
exit 0
