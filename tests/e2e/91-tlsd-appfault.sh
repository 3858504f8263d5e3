#!/bin/sh
# timeout: 60
# ISC license.
#
# 91-tlsd-appfault.sh: the application fails (tests/helpers/rb-fault.py).
#
#  early-exit  the application writes "bye" and exits 7 without reading
#              its input, while the client goes on sending (8 MiB):
#              tlsd exits 7 (the application's status) within 1 s, the
#              client gets "bye" and then the end of the connection (EOF
#              or a reset), the -v2 line says "end local-close"; at -v1
#              tlsd says nothing.
#  crash       the application writes "partial" and kills itself with
#              SIGSEGV: tlsd exits 139 (128+11) within 1 s, the client
#              gets "partial" then EOF; -v2: "end local-close" (bytes_in 8,
#              or 0 when the application died before tlsd read it); -v1:
#              silent.
#  app-killed  the application's process is killed (SIGKILL) while it
#              waits for the handshake's facts: tlsd exits 98 and says
#              "the application exited before the handshake facts could
#              reach it" (it once said "too many certificates or trust
#              anchors").
# In every case the application is gone afterwards (no zombie).

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/rb-common.sh"

need python3
pki
P=$UTLS_PKI
LINE='tlsd: info: peer 127\.0\.0\.1:[0-9]+ protocol TLSv1\.2 cipher ECDHE-ECDSA-AES128-GCM-SHA256 sni localhost alpn - peer_subject "-" resumed Initial'

printf '#!/bin/sh\nprintf "bye\\n"\nexit 7\n' >"$T/early.sh"
# shellcheck disable=SC2016 # the script's own $$
printf '#!/bin/sh\nprintf "partial\\n"\nkill -SEGV $$\nexit 3\n' >"$T/crash.sh"
chmod +x "$T/early.sh" "$T/crash.sh"

for v in 2 1
do
  n=early_v$v
  fault "$n" early-exit -- env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v$v "$T/early.sh"
  expect_fact "$n" status 7
  expect_le "$n" exit_after 1.0
  expect_fact "$n" recv_text 'bye\|'
  expect_fact "$n" client_end 'eof|reset'
  expect_gone "$n"
  if [ "$v" = 2 ]
  then
    expect_grep "^$LINE bytes_in [0-9]+ bytes_out 4 end local-close\$" "$T/$n.err"
    expect_err_lines "$n" 1
  else
    expect_err_lines "$n" 0
  fi

  n=crash_v$v
  fault "$n" crash -- env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v$v "$T/crash.sh"
  expect_fact "$n" status 139
  expect_le "$n" exit_after 1.0
  expect_fact "$n" recv_text 'partial\|'
  expect_fact "$n" client_end eof
  expect_gone "$n"
  if [ "$v" = 2 ]
  then
    # the application may be gone before tlsd has read the request
    expect_grep "^$LINE bytes_in (0|8) bytes_out 8 end local-close\$" "$T/$n.err"
    expect_err_lines "$n" 1
  else
    expect_err_lines "$n" 0
  fi
done
n=appkilled
fault "$n" app-killed -- env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd "$T/early.sh"
expect_fact "$n" app_found 1
expect_fact "$n" status 98
expect_gone "$n"
expect_grep '^tlsd: fatal: TLS handshake failed: the application exited before the handshake facts could reach it$' "$T/$n.err"
expect_err_lines "$n" 1
exit 0
