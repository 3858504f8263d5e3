#!/bin/sh
# ISC license.
#
# tools/demo.sh (make demo): on a fresh Debian machine, install what is
# missing (as root), configure, build, then show a TLS server and a TLS
# client talking on 127.0.0.1 with a throwaway certificate, then STARTTLS
# for an SMTP server that knows nothing of TLS (smtpd-starttls).
#
# Part 1 (bootstrap: packages, configure, build) is below. Part 2, the
# demo itself, is the function run_demo.

set -eu

top=$(cd "${0%/*}/.." && pwd)
cd "$top"

say () {
  echo "demo: $*"
}

die () {
  echo "demo: fatal: $*" 1>&2
  exit 1
}

# --- Part 1: bootstrap ------------------------------------------------------

# Debian packages the demo needs, each with a file that proves it is there.
# package:file
DEMO_DEPS="
build-essential:/usr/bin/make
gcc:/usr/bin/cc
libc6-dev:/usr/include/stdio.h
skalibs-dev:/usr/include/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/skalibs/skalibs.h
libbearssl-dev:/usr/include/bearssl.h
ucspi-tcp:/usr/bin/tcpserver
openssl:/usr/bin/openssl
mailfront:/usr/sbin/smtpfront-echo
ca-certificates:/etc/ssl/certs/ca-certificates.crt
"

missing_packages () {
  for pf in $DEMO_DEPS ; do
    p=${pf%%:*}
    f=${pf#*:}
    if test ! -e "$f" ; then
      if command -v dpkg-query >/dev/null 2>&1 \
       && dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ; then
        continue
      fi
      printf '%s\n' "$p"
    fi
  done
}

bootstrap () {
  missing=$(missing_packages | tr '\n' ' ' | sed 's/ *$//')
  if test -n "$missing" ; then
    if test "$(id -u)" -eq 0 && command -v apt-get >/dev/null 2>&1 ; then
      say "installing missing packages: $missing"
      DEBIAN_FRONTEND=noninteractive
      export DEBIAN_FRONTEND
      apt-get update || die "apt-get update failed"
      # shellcheck disable=SC2086
      apt-get install -y --no-install-recommends $missing || die "apt-get install failed"
    else
      die "missing packages: $missing (run as root, or: apt-get install $missing)"
    fi
  fi
  if test ! -f config.mak || test ! -f src/include/utls/config.h ; then
    say "running ./configure"
    ./configure || die "./configure failed"
  fi
  say "building"
  make || die "the build failed"
}

# --- Part 2: the demo ---------------------------------------------------------
#
# A throwaway certificate in a temp dir, tlsserver on 127.0.0.1 with a
# port chosen by the kernel (tcpserver -1 prints it), then two clients:
# our own tlsclient (which verifies the certificate) and openssl s_client.
# The server is stopped by pid and the temp dir removed, whatever happens.

demo_dir=
server_pid=

cleanup () {
  if test -n "$server_pid" ; then kill "$server_pid" 2>/dev/null || : ; fi
  if test -n "$demo_dir" ; then rm -rf "$demo_dir" ; fi
}

run_demo () {
  demo_dir=$(mktemp -d "${TMPDIR:-/tmp}/utls-demo.XXXXXX")
  trap cleanup EXIT INT TERM
  say "making a throwaway ECDSA P-256 certificate for localhost and 127.0.0.1"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
    -keyout "$demo_dir/key.pem" -out "$demo_dir/cert.pem" 2>/dev/null \
    || die "openssl could not make the certificate"
  cat > "$demo_dir/app.sh" <<'APP'
#!/bin/sh
printf 'hello from the application behind tlsd: %s %s\n' "$SSL_PROTOCOL" "$SSL_CIPHER"
APP
  say "starting: tlsserver -1 -v 2 -S 127.0.0.1 0 sh app.sh (CERTFILE, KEYFILE in the environment; -S: close_notify when the app is done)"
  CERTFILE="$demo_dir/cert.pem" KEYFILE="$demo_dir/key.pem" \
    tlsserver -1 -v 2 -S 127.0.0.1 0 sh "$demo_dir/app.sh" > "$demo_dir/port" 2> "$demo_dir/server.log" &
  server_pid=$!
  i=0
  while test ! -s "$demo_dir/port" ; do
    i=$((i + 1))
    test $i -le 200 || die "the server did not start: $(cat "$demo_dir/server.log")"
    sleep 0.05
  done
  port=$(head -n 1 "$demo_dir/port")
  say "server listening on 127.0.0.1 port $port"
  echo
  say "client 1: tlsclient -k localhost 127.0.0.1 $port (verifies the certificate against CAFILE)"
  CAFILE="$demo_dir/cert.pem" tlsclient -k localhost 127.0.0.1 "$port" \
    sh -c 'exec 7>&- ; read -r line <&6 ; echo "  server says: $line" ; echo "  client sees: $SSL_PROTOCOL $SSL_CIPHER, server certificate $SSL_SERVER_S_DN"' \
    || die "tlsclient failed"
  echo
  say "client 2: openssl s_client -connect 127.0.0.1:$port"
  openssl s_client -connect "127.0.0.1:$port" -servername localhost -CAfile "$demo_dir/cert.pem" \
    -verify_return_error -brief -ign_eof < /dev/null > "$demo_dir/ossl.out" 2>&1 || die "openssl s_client failed: $(cat "$demo_dir/ossl.out")"
  grep -E 'Protocol version|Ciphersuite|Verification' "$demo_dir/ossl.out" | sed 's/^/  /'
  grep 'hello from' "$demo_dir/ossl.out" | sed 's/^/  server says: /'
  echo
  say "the server's log (tlsd -v 2: one line per connection):"
  i=0
  while test "$(grep -c 'info: peer' "$demo_dir/server.log")" -lt 2 && test $i -lt 100 ; do i=$((i + 1)) ; sleep 0.05 ; done
  sed 's/^/  /' "$demo_dir/server.log"
  echo
  kill "$server_pid" 2>/dev/null || :
  server_pid=
  demo_smtp
  say "done: the servers are stopped and the throwaway certificate deleted"
}

# Part 3: STARTTLS for an SMTP server that knows nothing of TLS, in one
# SMTP session. mailfront's smtpfront-echo, without its starttls plugin,
# behind ucspitlsd and smtpd-starttls. The client is ours: tcpclient +
# ucspitlsc and a small sh script that speaks the plaintext part itself
# on 6/7 (so that the STARTTLS line smtpd-starttls adds can be seen),
# then execs starttls -c for the handshake and sends a message inside
# TLS. (starttls -p smtp does the plaintext part for a client that only
# speaks SMTP: see doc/starttls.html.)
demo_smtp () {
  echo
  say "STARTTLS for a TLS-unaware smtpd: tcpserver ... ucspitlsd smtpd-starttls smtpfront-echo"
  CERTFILE="$demo_dir/cert.pem" KEYFILE="$demo_dir/key.pem" PLUGINS=accept \
    tcpserver -1 -R -H -l0 127.0.0.1 0 ucspitlsd smtpd-starttls -v 2 /usr/sbin/smtpfront-echo \
    > "$demo_dir/smtp.port" 2> "$demo_dir/smtp.log" &
  server_pid=$!
  i=0
  while test ! -s "$demo_dir/smtp.port" ; do
    i=$((i + 1))
    test $i -le 200 || die "the SMTP server did not start: $(cat "$demo_dir/smtp.log")"
    sleep 0.05
  done
  port=$(head -n 1 "$demo_dir/smtp.port")
  say "one SMTP session on 127.0.0.1 port $port: tcpclient ... ucspitlsc -k localhost, then starttls -c"
  # The client, in two halves: plain.sh runs on the raw connection (6/7)
  # and execs starttls -c, which asks ucspitlsc for TLS and execs tls.sh
  # with the TLS channel on 6/7. say writes a command on 7; hear prints
  # the reply read from 6 (every line of a multi-line one).
  cat > "$demo_dir/lib.sh" <<'LIB'
say () { printf '%s\r\n' "$1" >&7 ; echo "  client: $1" ; }
hear () {
  while IFS= read -r l <&6 ; do
    echo "  server: $l" | tr -d '\r'
    case "$l" in ???-*) ;; *) break ;; esac
  done
}
LIB
  cat > "$demo_dir/plain.sh" <<'PLAIN'
. "$DEMO_DIR/lib.sh"
echo "  -- plaintext: smtpd-starttls adds STARTTLS to the smtpd's EHLO reply"
hear
say "EHLO demo.client" ; hear
say "STARTTLS" ; hear
exec starttls -c sh "$DEMO_DIR/tls.sh"
PLAIN
  cat > "$demo_dir/tls.sh" <<'TLS'
. "$DEMO_DIR/lib.sh"
echo "  -- TLS: $SSL_PROTOCOL $SSL_CIPHER, server $SSL_SERVER_S_DN; a new smtpd, no second greeting"
say "EHLO demo.client" ; hear
say "MAIL FROM:<demo@example.org>" ; hear
say "RCPT TO:<you@example.net>" ; hear
say "DATA" ; hear
printf 'Subject: demo\r\n\r\nhello through STARTTLS\r\n.\r\n' >&7 ; hear
say "QUIT" ; hear
TLS
  CAFILE="$demo_dir/cert.pem" DEMO_DIR="$demo_dir" \
    tcpclient -R -H -l0 127.0.0.1 "$port" ucspitlsc -k localhost sh "$demo_dir/plain.sh" \
    || die "the STARTTLS client failed"
  i=0
  while test "$(grep -c 'session ended' "$demo_dir/smtp.log")" -lt 1 && test $i -lt 100 ; do i=$((i + 1)) ; sleep 0.05 ; done
  say "smtpd-starttls -v 2 said:"
  grep '^smtpd-starttls' "$demo_dir/smtp.log" | sed 's/^/  /'
}

bootstrap
PATH="$top/src/tls:$PATH"
export PATH
run_demo
