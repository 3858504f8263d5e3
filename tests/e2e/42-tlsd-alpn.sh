#!/bin/sh
# ISC license.
# timeout: 60
#
# 42-tlsd-alpn: ALPN in tlsd (-a) with openssl s_client -alpn.
# A common protocol is chosen in the server's order and exported as
# SSL_ALPN_PROTOCOL; a client offering only unknown protocols is refused
# with no_application_protocol (98, the application never runs: the
# ALPACA defence); a client offering none is served without the variable;
# without -a, the client's ALPN is ignored.

. "${0%/*}/../lib.sh"
. "$UTLS_TOP/tests/helpers/cfg-common.sh"

need tlsd openssl python3 timeout
pki
K=$UTLS_PKI
unset CERTFILE KEYFILE CAFILE CADIR TLS_UID TLS_GID 2>/dev/null || :

n=0
# alpn_ok CLIENT_ARGS TLSD_OPTS WANT: WANT is the negotiated protocol, or "-" for none
alpn_ok() {
  n=$((n + 1))
  d=$T/app$n
  mkdir "$d"
  # $2 is split on purpose.
  tls_ok "ok$n" "$1" env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" tlsd -v 2 $2 "$CFG_APP" "$d"
  if [ "$3" = - ]; then
    expect_no_grep '^SSL_ALPN_PROTOCOL=' "$d/env"
    expect_grep '^No ALPN negotiated' "$T/ok$n.out"
    expect_grep ' alpn - ' "$T/ok$n.err"
  else
    expect_eq "$(sed -n 's/^SSL_ALPN_PROTOCOL=//p' "$d/env")" "$3" "SSL_ALPN_PROTOCOL ($1, tlsd $2)"
    expect_grep "^ALPN protocol: $3\$" "$T/ok$n.out"
    expect_grep " alpn $3 " "$T/ok$n.err"
  fi
}

# alpn_refused CLIENT_ARGS TLSD_OPTS
alpn_refused() {
  n=$((n + 1))
  mkdir "$T/app$n"
  tls_refused "no$n" "$T/app$n" "$1" env CERTFILE="$K/ec.pem" KEYFILE="$K/ec.key" tlsd $2 "$CFG_APP" "$T/app$n"
  expect_grep '^tlsd: fatal: TLS handshake failed: sent alert no_application_protocol$' "$T/no$n.err"
  [ "$cli_status" != 0 ] || fail "no$n ($1, tlsd $2): the client succeeded"
  expect_grep 'alert no application protocol' "$T/no$n.cerr"
}

alpn_ok "-alpn http/1.1" "-a h2,http/1.1" http/1.1
alpn_ok "-alpn h2" "-a h2,http/1.1" h2
# the server's preference wins
alpn_ok "-alpn http/1.1,h2" "-a h2,http/1.1" h2
alpn_ok "-alpn foo,http/1.1" "-a h2,http/1.1" http/1.1
# no ALPN from the client: served, nothing exported
alpn_ok "" "-a h2,http/1.1" -
# no -a: the client's ALPN is not answered
alpn_ok "-alpn foo" "" -
# the last -a wins
alpn_ok "-alpn smtp" "-a foo -a smtp" smtp

alpn_refused "-alpn foo" "-a h2,http/1.1"
alpn_refused "-alpn foo,bar" "-a h2"
# protocol names are compared exactly
alpn_refused "-alpn H2" "-a h2"
alpn_refused "-alpn http/1.1" "-a http/1.0"
alpn_refused "-alpn foo" "-a foo -a smtp"

exit 0
