#!/bin/sh
# ISC license.
#
# tests/fuzz/run.sh [ target... ]: build the libFuzzer harnesses of
# tests/fuzz with clang (-fsanitize=fuzzer,address,undefined), then run
# each for FUZZ_SECONDS (default 60). Run by `make fuzz` from the top of
# the tree, after ./configure; not part of make check.
#
# Everything it builds or generates lives in tests/fuzz/build/ (objects,
# binaries, the test PKI) and tests/fuzz/corpus/<target>/ (the working
# corpus: the handmade seeds of tests/fuzz/seeds/<target>/, PKI files
# for the certificate and key targets, and what libFuzzer adds). None of
# it is committed. The library sources are compiled here, from src/,
# into build/obj: the normal build's objects are left alone.
#
# A crash, a leak, a sanitizer report, a failed harness assertion or a
# timeout (FUZZ_TIMEOUT s per input, default 10) stops that target; its
# input is kept as tests/fuzz/crashes/<target>-<kind>-<hash> and the
# script goes on with the next target, then exits 1.
#
# Inputs in tests/fuzz/regress/<target>/ once exposed a bug: each target
# runs them first, and is not fuzzed if one fails.
#
# The engine target (fuzz_engine.c) reads the test PKI's EC key and
# certificate from FUZZ_ENGINE_PKI, which this script sets.
#
# Variables: CLANG (clang), FUZZ_SECONDS, FUZZ_TIMEOUT, FUZZ_JOBS
# (targets built in parallel, default 2), FUZZ_FLAGS (more libFuzzer
# flags, e.g. -dict=...).

set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
fz=tests/fuzz
build=$fz/build
CLANG=${CLANG:-clang}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-10}
FUZZ_JOBS=${FUZZ_JOBS:-2}
FUZZ_FLAGS=${FUZZ_FLAGS:-}

all_targets="pem loadfile x509 hostname block getopt starttls engine proxy"
targets=${*:-$all_targets}

if ! command -v "$CLANG" >/dev/null 2>&1; then
  echo "fuzz: $CLANG not found (Debian: apt-get install clang libclang-rt-14-dev)" >&2
  exit 1
fi
if [ ! -f src/include/utls/config.h ]; then
  echo "fuzz: src/include/utls/config.h is missing: run ./configure first" >&2
  exit 1
fi

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-g -O1 -std=c99 -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -Wall -Wno-unused-function $SAN"
CPPFLAGS="-Isrc/include -Isrc/libutls -Isrc/tls"

mkdir -p "$build/obj" "$fz/crashes"
rm -f "$build/obj"/*.o "$build/libfuzz.a"

# 1. The library and the helpers of src/tls, instrumented for coverage,
# into one archive; each harness pulls what it uses.
echo "fuzz: building the library with $($CLANG --version | head -n 1)"
srcs="$(ls src/libutls/*.c) $(ls src/tls/tlsp_*.c)"
for s in $srcs; do echo "$s"; done |
  xargs -P "$FUZZ_JOBS" -I{} sh -c '
    s={}; o='"$build"'/obj/$(basename "$s" .c).o
    '"$CLANG"' '"$CPPFLAGS $CFLAGS"' -fsanitize=fuzzer-no-link -c -o "$o" "$s"'
ar rc "$build/libfuzz.a" "$build"/obj/*.o

# 2. The harnesses.
for t in $targets; do
  if [ ! -f "$fz/fuzz_$t.c" ]; then
    echo "fuzz: no such target: $t (targets: $all_targets)" >&2
    exit 100
  fi
  $CLANG $CPPFLAGS $CFLAGS -fsanitize=fuzzer -o "$build/fuzz_$t" "$fz/fuzz_$t.c" \
    "$build/libfuzz.a" -lbearssl -lskarnet
done

# 3. Seed corpora: the handmade seeds, and the test PKI for the
# certificate and key targets (PEM, DER certificates, DER keys).
pki=$build/pki
if [ ! -f "$pki/.done" ]; then
  echo "fuzz: generating the test PKI in $pki"
  sh tests/pki/gen.sh "$pki"
fi
for t in $targets; do
  c=$fz/corpus/$t
  mkdir -p "$c"
  if [ -d "$fz/seeds/$t" ]; then cp "$fz/seeds/$t"/* "$c"/ 2>/dev/null || : ; fi
  if [ -d "$fz/regress/$t" ]; then cp "$fz/regress/$t"/* "$c"/ 2>/dev/null || : ; fi
  case $t in
    pem|loadfile)
      for f in "$pki"/*.pem "$pki"/*.key "$pki"/*.der; do
        [ -f "$f" ] && cp "$f" "$c/pki-$(basename "$f")"
      done ;;
    x509)
      for f in "$pki"/*.pem; do
        case $f in *.chain.pem) continue ;; esac
        openssl x509 -in "$f" -outform DER -out "$c/pki-$(basename "$f" .pem).der" 2>/dev/null || :
      done ;;
  esac
done

# 4. Run each target.
failed=
for t in $targets; do
  echo "fuzz: $t: running for $FUZZ_SECONDS s"
  log=$build/fuzz_$t.log
  case $t in
    loadfile) maxlen=20000 ;;
    x509|pem) maxlen=8192 ;;
    getopt|hostname) maxlen=1024 ;;
    proxy) maxlen=8192 ;;
    *) maxlen=4096 ;;
  esac
  # Inputs that found a bug once must pass before the fuzzing starts.
  if [ -d "$fz/regress/$t" ] && ! FUZZ_ENGINE_PKI=$pki "$build/fuzz_$t" -timeout="$FUZZ_TIMEOUT" \
       "$fz/regress/$t"/* >"$log" 2>&1; then
    echo "fuzz: $t: a regression input of $fz/regress/$t fails, see $log" >&2
    grep -E '^(Running:|==[0-9]+==ERROR|SUMMARY|.*runtime error|fuzz: )' "$log" | head -n 5 >&2 || :
    failed="$failed $t"
    continue
  fi
  if FUZZ_ENGINE_PKI=$pki ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
     "$build/fuzz_$t" -max_total_time="$FUZZ_SECONDS" -timeout="$FUZZ_TIMEOUT" -rss_limit_mb=2048 \
       -max_len="$maxlen" -print_final_stats=1 -artifact_prefix="$fz/crashes/$t-" $FUZZ_FLAGS \
       "$fz/corpus/$t" >"$log" 2>&1; then
    sed -n 's/^\(#[0-9]*[[:space:]]*DONE.*\)$/  \1/p; s/^\(stat::number_of_executed_units.*\)$/  \1/p; s/^\(stat::peak_rss_mb.*\)$/  \1/p' "$log"
  else
    echo "fuzz: $t: FAILED, see $log and $fz/crashes/" >&2
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|fuzz: assertion)' "$log" | head -n 5 >&2 || :
    failed="$failed $t"
  fi
done

if [ -n "$failed" ]; then
  echo "fuzz: failed:$failed" >&2
  exit 1
fi
echo "fuzz: all targets ran $FUZZ_SECONDS s without a finding"
