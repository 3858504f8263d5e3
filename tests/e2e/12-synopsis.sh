#!/bin/sh
# ISC license.
# timeout: 60
#
# 12-synopsis: for every program of package/targets.mak, the synopsis is
# the same in the three places a user may read it: what the program
# prints on a usage error (its USAGE string), the Interface section of
# doc/<prog>.html and the SYNOPSIS section of doc/man1/<prog>.1.
# tests/helpers/doc-synopsis.sh takes each out and removes the markup
# (HTML tags and entities, roff font escapes and macros) and the line
# breaks; the strings left must be equal. A failure names the program
# and the two places that differ, and shows both texts.
# Then every option of the USAGE line must be described in both pages
# (the man page is written by hand beside the HTML: see CONTRIBUTING),
# so that a new option cannot land in one of them only.

. "${0%/*}/../lib.sh"

top=$UTLS_TOP
progs=$(sed -n 's/^BIN_TARGETS *:= *//p' "$top/package/targets.mak")
[ -n "$progs" ] || fail "no BIN_TARGETS in package/targets.mak"

bad=0
# options USAGE: the option words of a usage line (-x, --long), once each.
options () {
  printf ' %s\n' "$1" | grep -o '[ [|]--*[A-Za-z0-9][A-Za-z0-9-]*' | sed 's/^.//' | sort -u
}
# described PROG OPTION MAN HTML: is OPTION written in the OPTIONS
# section of both pages? (Options a wrapper passes on may be described
# together, "as in tlsd": the word must be there, not an item of its own.)
described () {
  roff=$(printf '%s' "$2" | sed 's/-/\\\\-/g')
  sed -n '/^\.SH OPTIONS/,/^\.SH [^O]/p' "$3" | grep -q -- "$roff\([^A-Za-z0-9-]\|\$\)" \
    || { echo "$TEST: $1: option $2 is not in the OPTIONS of doc/man1/$1.1" 1>&2 ; bad=$((bad + 1)) ; }
  awk '/<h2/ { on = ($0 ~ /id="options"/) } on' "$4" | grep -q -- "<code>[^<]*$2\([^A-Za-z0-9-]\|\$\)" \
    || { echo "$TEST: $1: option $2 is not in the Options of doc/$1.html" 1>&2 ; bad=$((bad + 1)) ; }
}
# differ PROG WHAT1 TEXT1 WHAT2 TEXT2: report one difference, go on.
differ () {
  echo "$TEST: $1: $2 and $4 differ" 1>&2
  echo "  $2: $3" 1>&2
  echo "  $4: $5" 1>&2
  bad=$((bad + 1))
}

n=0
for p in $progs
do
  exe=$top/src/tls/$p
  html=$top/doc/$p.html
  man=$top/doc/man1/$p.1
  [ -x "$exe" ] || fail "$p: $exe is not built"
  [ -f "$html" ] || fail "$p: no HTML page doc/$p.html"
  [ -f "$man" ] || fail "$p: no man page doc/man1/$p.1"
  u=$(doc-synopsis.sh usage "$exe") || fail "$p: no usage line from $p -@"
  h=$(doc-synopsis.sh html "$html") || fail "$p: no <pre class=\"synopsis\"> in doc/$p.html"
  m=$(doc-synopsis.sh man "$man") || fail "$p: no SYNOPSIS section in doc/man1/$p.1"
  case "$u" in
    "$p "*) ;;
    *) fail "$p: the usage line does not start with the program's name: $u" ;;
  esac
  [ "$u" = "$h" ] || differ "$p" "USAGE ($p -@)" "$u" "doc/$p.html" "$h"
  [ "$u" = "$m" ] || differ "$p" "USAGE ($p -@)" "$u" "doc/man1/$p.1" "$m"
  [ "$h" = "$m" ] || differ "$p" "doc/$p.html" "$h" "doc/man1/$p.1" "$m"
  for o in $(options "$u") ; do described "$p" "$o" "$man" "$html" ; done
  n=$((n + 1))
done

# The comparison itself must be able to see a difference: the same man
# page with one option letter changed in a copy.
sed 's/\\fB\\-v\\fR/\\fB\\-V\\fR/' "$top/doc/man1/tlsd.1" > "$T/tlsd.1"
[ "$(doc-synopsis.sh man "$T/tlsd.1")" != "$(doc-synopsis.sh man "$top/doc/man1/tlsd.1")" ] \
  || fail "doc-synopsis.sh does not see a changed option in a man page"

# The same for the option check: a man page without -v's item, and a
# program name with a hyphen in it that is not an option.
[ "$(options 'smtpd-starttls [ -r ] [ --pin=x ] prog...')" = "$(printf '%s\n' --pin -r)" ] \
  || fail "options() does not take the option words of a usage line"
sed '/^\.SH OPTIONS/,/^\.SH [^O]/s/\\-v/-V/g' "$top/doc/man1/tlsd.1" > "$T/tlsd-nov.1"
was=$bad
described tlsd -v "$T/tlsd-nov.1" "$top/doc/tlsd.html" 2>/dev/null
[ "$bad" = $((was + 1)) ] || fail "described() does not see a man page without -v"
bad=$was

[ "$bad" = 0 ] || fail "$bad difference(s) between USAGE, HTML and man pages"
[ "$n" -ge 9 ] || fail "only $n programs checked"
exit 0
