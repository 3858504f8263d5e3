#!/bin/sh
# timeout: 60
# ISC license.
#
# 92-tlsd-backpressure.sh: a side that stops reading blocks the other,
# and the blocked tlsd neither grows nor spins (rb-fault.py).
#
#  backpressure  the client sends 64 MiB; the application reads nothing
#                for 5 s, then counts its input (wc -c). While the
#                client's sending is stalled, tlsd's VmRSS stays below
#                2 MiB and grows by at most 128 KiB, and it uses at most
#                5 clock ticks (50 ms) of CPU over 2 s and is not woken
#                once (the RSS limits are not checked in a sanitizer
#                build). Then everything
#                arrives: the reply is "67108864", tlsd exits 0.
#  no-read       the application writes 64 MiB of zeros; the client
#                reads nothing for 2.5 s (the same limits on tlsd), then
#                reads all of it: 67108864 zero bytes, tlsd exits 0.
#  notify        the same application; the client reads nothing for
#                0.5 s, then sends close_notify: tlsd warns that the
#                application's output was not delivered, with the count
#                of bytes discarded; the application dies of SIGPIPE.
# In every case the application is gone afterwards (no zombie).

. "${0%/*}/../lib.sh"
. "${0%/*}/../helpers/rb-common.sh"

need python3
pki
P=$UTLS_PKI
LINE='tlsd: info: peer 127\.0\.0\.1:[0-9]+ protocol TLSv1\.2 cipher ECDHE-ECDSA-AES128-GCM-SHA256 sni localhost alpn - peer_subject "-" resumed Initial'

printf '#!/bin/sh\nsleep 5\nexec wc -c\n' >"$T/slow.sh"
printf '#!/bin/sh\nexec head -c 67108864 /dev/zero\n' >"$T/gen.sh"
chmod +x "$T/slow.sh" "$T/gen.sh"

# A sanitizer build (make check-asan) has shadow memory and a quarantine:
# its RSS says nothing about ours; the CPU limits still hold.
asan=
if grep -a -q __asan_init "$(command -v tlsd)" 2>/dev/null ; then asan=1 ; fi

# stalled NAME: the limits on tlsd while it was blocked
stalled ()
{
  if [ -z "$asan" ]
  then
    expect_le "$1" stall_rss_max_kb 2047
    _g=$(( $(fact "$1" stall_rss_max_kb) - $(fact "$1" stall_rss_start_kb) ))
    [ "$_g" -le 128 ] || { _rb_show "$1" ; fail "$1: tlsd's RSS grew by $_g KiB while blocked" ; }
  fi
  expect_fact "$1" stall_cpu_ticks '[0-9]+'
  expect_le "$1" stall_cpu_ticks 5
  expect_fact "$1" stall_states S
  # blocked is not idle: no timer may wake it (the idle release waits
  # for empty buffers)
  expect_fact "$1" stall_wakeups 0
}

n=backpressure
fault "$n" backpressure -- env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 "$T/slow.sh"
expect_fact "$n" stalled_after_sent '[0-9]+'
stalled "$n"
expect_fact "$n" client_sent 67108864
expect_fact "$n" status 0
expect_fact "$n" recv_text ' *67108864\|'
expect_fact "$n" client_end eof
expect_gone "$n"
expect_grep "^$LINE bytes_in 67108864 bytes_out [0-9]+ end eof-without-close_notify\$" "$T/$n.err"
expect_err_lines "$n" 1

n=noread
fault "$n" no-read -- env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 "$T/gen.sh"
stalled "$n"
expect_fact "$n" status 0
expect_fact "$n" recv_bytes 67108864
expect_fact "$n" recv_zero 1
expect_fact "$n" client_end eof
expect_gone "$n"
expect_grep "^$LINE bytes_in 0 bytes_out 67108864 end local-close\$" "$T/$n.err"
expect_err_lines "$n" 1

# The same application, and a client that sends close_notify after
# 0.5 s without reading: what the application had written and tlsd had
# not sent yet is dropped (TLS 1.2 allows nothing after it), and tlsd
# says so, with the count; the application then dies of SIGPIPE.
n=notify
fault "$n" notify-unread -- env CERTFILE="$P/ec.chain.pem" KEYFILE="$P/ec.key" tlsd -v2 "$T/gen.sh"
expect_fact "$n" status 141
expect_fact "$n" client_end close_notify
expect_gone "$n"
expect_grep "^tlsd: warning: the application's output was not delivered: the peer closed the TLS session \(close_notify\) first, and TLS 1\.2 allows no data after it \(at least [1-9][0-9]* bytes discarded; the application was killed by SIGPIPE when it wrote more\)\$" "$T/$n.err"
expect_grep "^$LINE bytes_in 0 bytes_out [1-9][0-9]* end close_notify\$" "$T/$n.err"
expect_err_lines "$n" 2
exit 0
