#!/bin/sh
# ISC license.
#
# tests/testssl/run.sh: testssl.sh (Debian package testssl.sh) against
# tlsd in its default configuration: the real tcpserver on 127.0.0.1,
# a kernel-chosen port (tcpserver -1), tlsd with no option, once with
# the ECDSA P-256 leaf and once with the RSA-2048 leaf of the test PKI
# (tests/pki/gen.sh), each with its intermediate. The application is
# tests/helpers/e2e-http.sh, a tiny HTTP responder, so that the HTTP
# checks have something to talk to.
#
# Offline and bounded: --ip 127.0.0.1 and --nodns none (no DNS), no
# --phone-out (no OCSP/CRL fetches), --warnings off (no prompts),
# --connect-timeout/--openssl-timeout, and `timeout` around each scan
# (TESTSSL_TIMEOUT, default 1200 s). The two scans run in parallel.
#
# Output in tests/testssl/out/ (not committed): the full logs, the JSON
# files, and summary.txt, every finding rated LOW or above plus the
# verdicts of the vulnerability checks. Exit status 1 if a vulnerability
# check is rated anything but OK/INFO, or a scan failed; tests/testssl/
# SUMMARY.md keeps the last reviewed summary with its analysis.
# Run with `make testssl` (after make), not part of make check.

set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
out=tests/testssl/out
TESTSSL=${TESTSSL:-testssl}
TESTSSL_TIMEOUT=${TESTSSL_TIMEOUT:-1200}
command -v "$TESTSSL" >/dev/null 2>&1 || { echo "testssl: $TESTSSL not found (Debian: apt-get install testssl.sh)" >&2 ; exit 1 ; }
command -v tcpserver >/dev/null 2>&1 || { echo "testssl: tcpserver not found (Debian: ucspi-tcp)" >&2 ; exit 1 ; }
[ -x src/tls/tlsd ] || { echo "testssl: src/tls/tlsd is not built: run make" >&2 ; exit 1 ; }

rm -rf "$out"
mkdir -p "$out"
pki=$out/pki
sh tests/pki/gen.sh "$pki"
head -c 1000 /dev/zero | tr '\0' x >"$out/payload"

pids=
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null || : ; done
  for p in $pids; do wait "$p" 2>/dev/null || : ; done
}
trap cleanup EXIT INT TERM

# scan NAME CERT KEY: tcpserver + tlsd, then testssl
scan() {
  name=$1
  tcpserver -1 -R -H -l0 127.0.0.1 0 env CERTFILE="$2" KEYFILE="$3" \
    "$top/src/tls/tlsd" sh "$top/tests/helpers/e2e-http.sh" "$out/payload" \
    >"$out/$name.port" 2>"$out/$name.tcpserver.err" &
  pids="$pids $!"
  n=0
  while ! grep -q '^[0-9][0-9]*$' "$out/$name.port" 2>/dev/null; do
    n=$((n + 1))
    [ "$n" -lt 500 ] || { echo "testssl: tcpserver did not start" >&2 ; cat "$out/$name.tcpserver.err" >&2 ; return 1 ; }
    sleep 0.02
  done
  port=$(cat "$out/$name.port")
  cmd="$TESTSSL --quiet --color 0 --warnings off --nodns none --ip 127.0.0.1 --connect-timeout 10 --openssl-timeout 10 --jsonfile $out/$name.json localhost:$port"
  echo "$cmd" >"$out/$name.cmd"
  # shellcheck disable=SC2086
  timeout "$TESTSSL_TIMEOUT" $cmd >"$out/$name.log" 2>&1 || echo $? >"$out/$name.status"
}

t0=$(date +%s)
scan ecdsa "$pki/ec.chain.pem" "$pki/ec.key" &
s1=$!
scan rsa "$pki/rsa.chain.pem" "$pki/rsa.key" &
s2=$!
wait "$s1" || : ; wait "$s2" || :
t1=$(date +%s)

python3 - "$out" "$((t1 - t0))" <<'PYEOF'
import json, sys, os
out, secs = sys.argv[1], sys.argv[2]
vuln_ids = ("heartbleed", "CCS", "ticketbleed", "ROBOT", "secure_renego", "secure_client_renego",
            "CRIME_TLS", "BREACH", "POODLE_SSL", "fallback_SCSV", "SWEET32", "FREAK", "DROWN",
            "LOGJAM", "LOGJAM-common_primes", "BEAST", "BEAST_CBC_TLS1", "LUCKY13", "RC4")
rank = {"OK": 0, "INFO": 1, "LOW": 2, "MEDIUM": 3, "HIGH": 4, "CRITICAL": 5, "WARN": 1, "DEBUG": 0}
bad = 0
lines = ["testssl scan of tlsd, %s s" % secs]
for name in ("ecdsa", "rsa"):
    lines.append("")
    lines.append("== %s: %s" % (name, open(os.path.join(out, name + ".cmd")).read().strip()))
    st = os.path.join(out, name + ".status")
    if os.path.exists(st):
        lines.append("   testssl exit status %s" % open(st).read().strip())
    try:
        data = json.load(open(os.path.join(out, name + ".json")))
    except Exception as e:
        lines.append("   no JSON output: %s" % e)
        bad += 1
        continue
    for f in data:
        fid, sev, text = f.get("id", ""), f.get("severity", ""), f.get("finding", "")
        if fid.startswith(vuln_ids) or (fid == "BEAST" or fid.startswith("BEAST")):
            lines.append("   vuln  %-28s %-8s %s" % (fid, sev, text))
            if rank.get(sev, 5) >= 2:
                bad += 1
        elif rank.get(sev, 0) >= 2 or sev == "WARN":
            lines.append("   find  %-28s %-8s %s" % (fid, sev, text))
lines.append("")
lines.append("vulnerability checks rated LOW or worse (or missing scans): %d" % bad)
open(os.path.join(out, "summary.txt"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
sys.exit(1 if bad else 0)
PYEOF
