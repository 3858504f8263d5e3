#!/bin/sh
# ISC license.
#
# tests/run.sh: the test runner behind `make check` (POSIX sh).
#
# Tests: every tests/unit/<name> program (built from tests/unit/<name>.c)
# and every tests/e2e/*.sh script, in that order, sorted by name.
# TESTS='unit/dn e2e/10-foo.sh' runs a subset (a leading "tests/" and a
# missing ".sh" are accepted). JOBS=N runs up to N tests at a time.
#
# Each test runs from the top directory with a timeout (120 s, or what an
# e2e script declares in a "# timeout: N" line near its top), with:
#   PATH      src/tls and tests/helpers first
#   UTLS_TOP  top directory
#   UTLS_PKI  the test PKI, generated once here by tests/pki/gen.sh;
#             $UTLS_PKI/.ok when it worked, .failed when gen.sh failed.
#             Unit tests also get it as their first argument.
#   CI        passed through: when non-empty, a skip counts as a failure
# Output: one line per test, PASS / FAIL (with the last 30 lines of its
# output) / SKIP (with the reason), then "N passed, N failed, N skipped".
# Exit 1 if a test failed or if no test ran.

LC_ALL=C
export LC_ALL

top=$(cd "${0%/*}/.." && pwd) || exit 99
cd "$top" || exit 99

UTLS_TOP=$top
PATH="$top/src/tls:$top/tests/helpers:$PATH"
export UTLS_TOP PATH
CI=${CI-}
export CI

W=$(mktemp -d "${TMPDIR:-/tmp}/utls-check.XXXXXX") || exit 99
mkdir -p "$W/logs" "$W/res" || exit 99
cleanup () {
  if test -n "${UTLS_KEEP-}" ; then
    echo "test logs kept in $W" 1>&2
  else
    rm -rf "$W"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# --- the list of tests

list=
if test -n "${TESTS-}" ; then
  for t in $TESTS ; do
    t=${t#./}
    t=${t#tests/}
    case "$t" in
      unit/*.c) t=${t%.c} ;;
      e2e/*.sh) ;;
      e2e/*) t=$t.sh ;;
      */*) ;;
      *)
        # a bare name: unit test or e2e script
        if test -f "tests/unit/$t.c" ; then t=unit/$t
        elif test -f "tests/e2e/$t" ; then t=e2e/$t
        elif test -f "tests/e2e/$t.sh" ; then t=e2e/$t.sh
        fi
        ;;
    esac
    list="$list $t"
  done
else
  for f in tests/unit/*.c ; do
    test -f "$f" || continue
    t=${f#tests/}
    list="$list ${t%.c}"
  done
  for f in tests/e2e/*.sh ; do
    test -f "$f" || continue
    list="$list ${f#tests/}"
  done
fi

# --- the PKI, once for the whole run (about 2 s)

UTLS_PKI=$W/pki
export UTLS_PKI
mkdir -p "$UTLS_PKI"
if test -n "$list" && test -f tests/pki/gen.sh ; then
  if sh tests/pki/gen.sh "$UTLS_PKI" >"$W/pki.log" 2>&1 ; then
    : > "$UTLS_PKI/.ok"
  else
    : > "$UTLS_PKI/.failed"
    echo "warning: tests/pki/gen.sh failed; tests that need the PKI will fail:" 1>&2
    tail -n 30 "$W/pki.log" | sed 's/^/    /' 1>&2
  fi
fi

# --- running one test

# timeout_of FILE: the script's "# timeout: N" (first 10 lines), or 120
timeout_of () {
  n=
  if test -f "$1" ; then
    n=$(head -n 10 "$1" | sed -n 's/^#[[:space:]]*timeout:[[:space:]]*\([0-9][0-9]*\).*/\1/p' | head -n 1)
  fi
  echo "${n:-120}"
}

have_timeout=
if command -v timeout >/dev/null 2>&1 ; then have_timeout=1 ; fi

# run_one INDEX NAME: run a test, write "STATUS" to $W/res/INDEX.
run_one () {
  idx=$1
  name=$2
  log=$W/logs/$idx.log
  case "$name" in
    unit/*)
      cmd=tests/$name
      tmo=$(timeout_of "tests/$name.c")
      if test ! -f "tests/$name.c" && test ! -x "$cmd" ; then
        echo "no such test: tests/$name.c" > "$log" ; echo 99 > "$W/res/$idx" ; return
      fi
      if test ! -x "$cmd" ; then
        echo "$cmd was not built (run make check, or make unit-tests)" > "$log" ; echo 99 > "$W/res/$idx" ; return
      fi
      # A unit test gets the PKI directory as its argument (and in
      # $UTLS_PKI); those that do not need it ignore it.
      set -- "./$cmd" "$UTLS_PKI"
      ;;
    e2e/*)
      cmd=tests/$name
      if test ! -f "$cmd" ; then
        echo "no such test: $cmd" > "$log" ; echo 99 > "$W/res/$idx" ; return
      fi
      tmo=$(timeout_of "$cmd")
      set -- sh "$cmd"
      ;;
    *)
      echo "no such test: $name (use unit/NAME or e2e/NAME.sh)" > "$log" ; echo 99 > "$W/res/$idx" ; return
      ;;
  esac
  if test -n "$have_timeout" ; then
    set -- timeout -k 5 "$tmo" "$@"
  fi
  # stdin from /dev/null: a test never waits on the terminal.
  "$@" </dev/null >"$log" 2>&1
  st=$?
  if test -n "$have_timeout" && test "$st" -eq 124 ; then st=timeout:$tmo ; fi
  echo "$st" > "$W/res/$idx"
}

passed=0
failed=0
skipped=0

# report INDEX NAME: print the result line of a finished test.
report () {
  st=$(cat "$W/res/$1" 2>/dev/null) || st=99
  log=$W/logs/$1.log
  case "$st" in
    0)
      echo "PASS $2"
      passed=$((passed + 1))
      return
      ;;
    77)
      why=$(sed -n 's/^.*: skip: //p' "$log" | tail -n 1)
      test -n "$why" || why=$(tail -n 1 "$log")
      if test -z "$CI" ; then
        echo "SKIP $2 (${why:-no reason given})"
        skipped=$((skipped + 1))
        return
      fi
      echo "FAIL $2 (skipped, but CI is set: ${why:-no reason given})"
      ;;
    timeout:*) echo "FAIL $2 (timed out after ${st#timeout:} s)" ;;
    99) echo "FAIL $2 (status 99, harness error)" ;;
    *) echo "FAIL $2 (status $st)" ;;
  esac
  failed=$((failed + 1))
  if test -s "$log" ; then
    tail -n 30 "$log" | sed 's/^/    /'
  fi
}

jobs=${JOBS:-1}
case "$jobs" in
  ''|*[!0-9]*|0) jobs=1 ;;
esac

i=0
batch=
bn=0
for name in $list ; do
  i=$((i + 1))
  if test "$jobs" -le 1 ; then
    run_one "$i" "$name"
    report "$i" "$name"
    continue
  fi
  # Parallel: run a batch of $jobs tests, report them in order.
  run_one "$i" "$name" &
  batch="$batch $i:$name"
  bn=$((bn + 1))
  if test "$bn" -ge "$jobs" ; then
    wait
    for b in $batch ; do report "${b%%:*}" "${b#*:}" ; done
    batch=
    bn=0
  fi
done
if test -n "$batch" ; then
  wait
  for b in $batch ; do report "${b%%:*}" "${b#*:}" ; done
fi

echo "$passed passed, $failed failed, $skipped skipped"
if test "$failed" -gt 0 ; then exit 1 ; fi
if test "$((passed + skipped))" -eq 0 ; then
  echo "no test ran" 1>&2
  exit 1
fi
exit 0
