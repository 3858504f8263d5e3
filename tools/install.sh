#!/bin/sh
# ISC license.
#
# install.sh [-D] [-m MODE] SRC DST   copy SRC to DST (atomically), mode MODE
# install.sh [-D] -l TARGET DST       make DST a symlink to TARGET
# -D creates the parent directories of DST.

usage () {
  echo "usage: $0 [-D] [-l] [-m mode] src dst" 1>&2
  exit 1
}

mkdirp=false
symlink=false
mode=0755

while getopts Dlm: name ; do
  case "$name" in
    D) mkdirp=true ;;
    l) symlink=true ;;
    m) mode=$OPTARG ;;
    ?) usage ;;
  esac
done
shift $((OPTIND - 1))
test "$#" -eq 2 || usage
src=$1
dst=$2
tmp="$dst.tmp.$$"

case "$dst" in
  */*) dir=${dst%/*} ;;
  *) dir=. ;;
esac
if $mkdirp || $symlink ; then
  test -n "$dir" || dir=/
  mkdir -p "$dir" || exit 1
fi

echo "  INSTALL $dst"
if $symlink ; then
  ln -s "$src" "$tmp" || exit 1
else
  cp -f "$src" "$tmp" || { rm -f "$tmp" ; exit 1 ; }
  chmod "$mode" "$tmp" || { rm -f "$tmp" ; exit 1 ; }
fi
# mv -f onto an existing file replaces it atomically (rename(2)), so a
# running binary is never half-written.
mv -f "$tmp" "$dst" || { rm -f "$tmp" ; exit 1 ; }
