# ISC license.
#
# ts-fake.sh: sourced by the tests of tlsserver's command lines (60, 63).
# Sets TS (the tlsserver under test), TSDIR (where it finds the engines),
# FAKE and S6: a fake tcpserver and a fake s6-tcpserver that print their
# arguments one a line; argv_is EXPECTED... checks that $T/out is exactly
# those arguments, argv_same says so as a status.

TS=$UTLS_TOP/src/tls/tlsserver
[ -x "$TS" ] || TS=$(command -v tlsserver)
TSDIR=${TS%/*}

mkdir "$T/bin" "$T/s6"
cat >"$T/bin/fake-tcpserver" <<'EOS'
#!/bin/sh
for a; do printf '%s\n' "$a"; done
EOS
cp "$T/bin/fake-tcpserver" "$T/s6/s6-tcpserver"
chmod +x "$T/bin/fake-tcpserver" "$T/s6/s6-tcpserver"
FAKE=$T/bin/fake-tcpserver
S6=$T/s6/s6-tcpserver

argv_is() {
  printf '%s\n' "$@" >"$T/want"
  expect_file_eq "$T/out" "$T/want"
}
argv_same() {
  printf '%s\n' "$@" >"$T/want"
  cmp -s "$T/out" "$T/want"
}
