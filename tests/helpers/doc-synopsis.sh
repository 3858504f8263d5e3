#!/bin/sh
# ISC license.
#
# doc-synopsis.sh usage PROG     the synopsis PROG prints on a usage error
# doc-synopsis.sh html FILE      the <pre class="synopsis"> of an HTML page
# doc-synopsis.sh man FILE       the SYNOPSIS section of a man(7) page
#
# Prints the synopsis on one line, markup removed and blanks collapsed,
# so that the three can be compared as strings (tests/e2e/12-synopsis.sh).
# Prints nothing, and exits 1, when there is no synopsis to be found.
# POSIX sh, sed and awk only.

set -eu

# One line, single spaces, no leading or trailing blank.
squeeze () {
  printf '%s\n' "$(tr '\n\t' '  ' | sed -e 's/  */ /g' -e 's/^ //' -e 's/ $//')"
}

# PROG -@ x: no program of the suite knows -@, so each of them dies 100
# with "PROG: usage: SYNOPSIS" as its only line on stderr.
from_usage () {
  prog=$1
  name=${prog##*/}
  status=0
  "$prog" -@ x > /dev/null 2> "${TMPDIR:-/tmp}/doc-synopsis.$$" || status=$?
  text=$(sed -n "s/^$name: usage: //p" "${TMPDIR:-/tmp}/doc-synopsis.$$")
  rm -f "${TMPDIR:-/tmp}/doc-synopsis.$$"
  test "$status" = 100 || { echo "doc-synopsis: $prog -@ exited $status, not 100" 1>&2 ; exit 1 ; }
  test -n "$text" || exit 1
  printf '%s\n' "$text" | squeeze
}

# The text between <pre class="synopsis"> and </pre>, tags removed,
# the five usual entities decoded (&amp; last).
from_html () {
  text=$(awk '
    /<pre class="synopsis">/ { on = 1 ; sub(/.*<pre class="synopsis">/, "") }
    on {
      if (index($0, "</pre>")) { sub(/<\/pre>.*/, "") ; print ; exit }
      print
    }' "$1" | sed -e 's/<[^>]*>//g' -e 's/&lt;/</g' -e 's/&gt;/>/g' \
      -e 's/&quot;/"/g' -e "s/&#39;/'/g" -e 's/&amp;/\&/g')
  test -n "$text" || exit 1
  printf '%s\n' "$text" | squeeze
}

# The lines of the SYNOPSIS section. Text lines are kept; .B .I .R
# lines give their arguments separated by blanks; the alternating font
# macros (.BR .RB .BI .IB .IR .RI) give them run together; other
# requests and macros (.PP, .br, .ad, .nh...) and comments are dropped.
# Then the escapes a synopsis uses are undone: fonts (\fB \fI \fR \fP
# \f(XX \f[...]), \- \& \e and "\ ".
from_man () {
  text=$(awk '
    /^\.SH/ { if (on) exit ; if ($0 ~ /^\.SH "?SYNOPSIS"?[ \t]*$/) on = 1 ; next }
    !on { next }
    /^\.\\"/ || /^'"'"'\\"/ { next }
    /^\.(B|I|R)([ \t]|$)/ { sub(/^\.[BIR][ \t]*/, "") ; gsub(/"/, "") ; print ; next }
    /^\.(BR|RB|BI|IB|IR|RI)([ \t]|$)/ {
      sub(/^\.[BIR][BIR][ \t]*/, "")
      out = "" ; rest = $0
      while (length(rest)) {
        sub(/^[ \t]+/, "", rest)
        if (rest == "") break
        if (substr(rest, 1, 1) == "\"") {
          rest = substr(rest, 2) ; i = index(rest, "\"")
          if (!i) i = length(rest) + 1
          out = out substr(rest, 1, i - 1) ; rest = substr(rest, i + 1)
        } else {
          if (match(rest, /[ \t]/)) { out = out substr(rest, 1, RSTART - 1) ; rest = substr(rest, RSTART) }
          else { out = out rest ; rest = "" }
        }
      }
      print out ; next
    }
    /^[.'"'"']/ { next }
    { print }' "$1" | sed -e 's/\\f\[[^]]*\]//g' -e 's/\\f([A-Za-z][A-Za-z]//g' \
      -e 's/\\f[A-Za-z1-4]//g' -e 's/\\-/-/g' -e 's/\\&//g' -e 's/\\ / /g' -e 's/\\e/\\/g')
  test -n "$text" || exit 1
  printf '%s\n' "$text" | squeeze
}

case "${1-}" in
  usage) from_usage "$2" ;;
  html) from_html "$2" ;;
  man) from_man "$2" ;;
  *) echo "usage: doc-synopsis.sh usage|html|man PROG|FILE" 1>&2 ; exit 100 ;;
esac
