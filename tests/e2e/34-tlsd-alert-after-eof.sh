#!/bin/sh
# timeout: 60
# ISC license.
#
# 34-tlsd-alert-after-eof.sh: what a fatal alert from the client means
# after tlsd has half-closed (-s, the default).
#
# The application writes "hello" and closes its output (it keeps
# reading); tlsd sends the record and half-closes. openssl s_client is
# the client, through tests/helpers/e2e-tamper.py:
#  pass  the record arrives intact: tlsd exits 0 (OpenSSL 3 may answer
#        the half-close with decode_error, which is a normal end);
#  flip  a man in the middle flips a bit of that record: the client
#        cannot authenticate it and answers bad_record_mac. What tlsd
#        sent never arrived: tlsd exits 98 and says "received alert
#        bad_record_mac" (it once took any alert after its half-close
#        for a normal end, and logged nothing at -v 1).

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/e2e-common.sh"

need python3 openssl
pki
P=$UTLS_PKI
# shellcheck disable=SC2034 # read by one_shot (e2e-common.sh)
ONE_SHOT_T=20
printf '#!/bin/sh\nprintf hello\nexec cat >/dev/null\n' >"$T/app.sh"
chmod +x "$T/app.sh"

for mode in pass flip
do
  one_shot "$mode" env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd "$T/app.sh"
  server_start "${mode}_mitm" file e2e-tamper.py "$mode" "$T/${mode}_mitm.port" "$PORT"
  eval "mport=\$${mode}_mitm_PORT"
  timeout 15 openssl s_client -connect "127.0.0.1:$mport" -CAfile "$P/ca.pem" \
    -servername localhost -ign_eof </dev/null >"$T/$mode.out" 2>"$T/$mode.cerr" || :
  one_shot_wait
  server_wait "${mode}_mitm"
  eval "_st=\$${mode}_mitm_STATUS"
  [ "$_st" = 0 ] || fail "$mode: the man in the middle failed: $(cat "$T/${mode}_mitm.out" "$T/${mode}_mitm.err")"
  case $mode in
    pass)
      expect_grep '^records: [0-9]+ tampered: 0$' "$T/${mode}_mitm.out"
      expect_grep '^hello' "$T/$mode.out"
      expect_eq "$ST" 0 "pass: tlsd's exit status"
      expect_no_grep 'fatal|warning' "$T/$mode.err"
      ;;
    flip)
      expect_grep '^records: [0-9]+ tampered: 1$' "$T/${mode}_mitm.out"
      expect_no_grep '^hello' "$T/$mode.out"
      expect_eq "$ST" 98 "flip: tlsd's exit status"
      expect_grep '^tlsd: fatal: connection failed after the handshake: .*bad_record_mac' "$T/$mode.err"
      expect_eq "$(wc -l <"$T/$mode.err" | tr -d ' ')" 1 "flip: lines on tlsd's stderr"
      ;;
  esac
done
