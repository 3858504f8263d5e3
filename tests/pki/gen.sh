#!/bin/sh
# ISC license.
#
# tests/pki/gen.sh DIR: generate the test PKI into DIR with the openssl
# command line. Run at test time; nothing it writes is ever committed.
# Quiet on success; on failure, prints the failing command's output and
# exits 1. DIR/.done is written last, so a half-made DIR is recognisable.
#
# EC P-256 keys wherever the key type does not matter (they are fast to
# make); RSA-2048 only for the root CA and the rsa leaf; RSA-1024 only
# for the keys that must be refused as too short.

set -eu

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: gen.sh DIR" >&2
  exit 100
fi

dir=$1
mkdir -p "$dir"
cd "$dir"
rm -f .done
work=.work
rm -rf "$work"
mkdir "$work"
log=$work/log
cnf=$work/openssl.cnf
serial=4096

# Never read the system openssl.cnf: its defaults vary between hosts.
OPENSSL_CONF=$cnf
export OPENSSL_CONF

run() {
  if ! "$@" >"$log" 2>&1; then
    echo "gen.sh: failed: $*" >&2
    cat "$log" >&2
    exit 1
  fi
}

cat >"$cnf" <<'EOF'
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
[ ca ]
default_ca = test_ca
[ test_ca ]
database = .work/index.txt
new_certs_dir = .work
serial = .work/serial
default_md = sha256
policy = policy_any
unique_subject = no
[ policy_any ]
commonName = supplied
[ root_ext ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ int_ext ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ server_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:localhost, DNS:*.wild.test, IP:127.0.0.1, IP:::1
[ server_ec_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyAgreement
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:localhost, DNS:*.wild.test, IP:127.0.0.1, IP:::1
[ client_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = email:client@example.test
[ sni_a_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:a.sni.test
[ sni_b_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:b.sni.test
[ sni_wild_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:*.wild.sni.test
[ wronghost_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:other.test
[ eku_server_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
[ eku_client_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
[ eku_any_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = anyExtendedKeyUsage
subjectAltName = DNS:localhost, IP:127.0.0.1
[ noeku_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
subjectAltName = DNS:localhost, IP:127.0.0.1
[ eku_bad_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
subjectAltName = DNS:localhost, IP:127.0.0.1
# an empty SEQUENCE: ExtKeyUsageSyntax has SIZE (1..MAX)
2.5.29.37 = DER:30:00
[ int_server_ext ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ deepwild_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:*.*.wild.test
EOF
: >"$work/index.txt"
echo 1000 >"$work/serial"

# newkey NAME TYPE: NAME.key (PKCS#8 PEM) and the request $work/NAME.csr
newkey() {
  case $2 in
    rsa) keyopt="-newkey rsa:2048" ;;
    rsa1024) keyopt="-newkey rsa:1024" ;;
    p256) keyopt="-newkey ec -pkeyopt ec_paramgen_curve:P-256" ;;
    p384) keyopt="-newkey ec -pkeyopt ec_paramgen_curve:P-384" ;;
    p521) keyopt="-newkey ec -pkeyopt ec_paramgen_curve:P-521" ;;
  esac
  # $keyopt is split on purpose.
  run openssl req -new $keyopt -nodes -keyout "$1.key" -subj "$3" -out "$work/$1.csr"
}

# sign NAME ISSUER EXTENSIONS [DIGEST]: NAME.pem, valid from now for
# 30 days, signed with DIGEST (default sha256)
sign() {
  serial=$((serial + 1))
  run openssl x509 -req -in "$work/$1.csr" -CA "$2.pem" -CAkey "$2.key" \
    -set_serial "$serial" -days 30 "-${4:-sha256}" -extfile "$cnf" -extensions "$3" -out "$1.pem"
}

# casign NAME START END: NAME.pem signed by int with explicit dates
casign() {
  run openssl ca -batch -notext -config "$cnf" -cert int.pem -keyfile int.key \
    -startdate "$2" -enddate "$3" -extfile "$cnf" -extensions server_ec_ext \
    -in "$work/$1.csr" -out "$1.pem"
}

chain() {
  cat "$1.pem" int.pem >"$1.chain.pem"
}

# leaf NAME TYPE SUBJECT EXTENSIONS: key, certificate signed by int, chain
leaf() {
  newkey "$1" "$2" "$3"
  sign "$1" int "$4"
  chain "$1"
}

# Root and intermediate
run openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -subj "/CN=ucspi-tls Test Root CA" \
  -days 3650 -sha256 -set_serial 1 -extensions root_ext -out ca.pem
newkey int p256 "/CN=ucspi-tls Test Intermediate CA"
sign int ca int_ext

# RSA leaf in every key and certificate form
leaf rsa rsa "/CN=localhost" server_ext
run openssl pkey -in rsa.key -traditional -out rsa.pkcs1.key
run openssl pkey -in rsa.key -outform DER -out rsa.key.der
run openssl pkey -in rsa.key -traditional -outform DER -out rsa.pkcs1.key.der
run openssl x509 -in rsa.pem -outform DER -out rsa.der

# EC leaves: ec.key is SEC1, ec.pkcs8.key is PKCS#8
leaf ec p256 "/CN=localhost" server_ec_ext
mv ec.key ec.pkcs8.key
run openssl pkey -in ec.pkcs8.key -traditional -out ec.key
run openssl pkey -in ec.pkcs8.key -traditional -outform DER -out ec.key.der
run openssl pkey -in ec.pkcs8.key -outform DER -out ec.pkcs8.key.der
run openssl x509 -in ec.pem -outform DER -out ec.der
leaf ec384 p384 "/CN=localhost" server_ec_ext
leaf ec521 p521 "/CN=localhost" server_ec_ext
# A curve BearSSL cannot use for certificates: must be refused at load time.
run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 -out secp256k1.key

# SNI
leaf sni-a p256 "/CN=a.sni.test" sni_a_ext
leaf sni-b p256 "/CN=b.sni.test" sni_b_ext
leaf sni-wild p256 "/CN=*.wild.sni.test" sni_wild_ext

# Client certificates, one from our PKI and one from an unrelated root
leaf client p256 "/CN=Test Client/O=ucspi-tls/emailAddress=client@example.test" client_ext
run openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout rogue-ca.key \
  -subj "/CN=Rogue Root CA" -days 3650 -sha256 -set_serial 1 -extensions root_ext -out rogue-ca.pem
newkey rogue-client p256 "/CN=Rogue Client"
sign rogue-client rogue-ca client_ext

# Broken server certificates
newkey expired p256 "/CN=localhost"
casign expired 20200101000000Z 20210101000000Z
chain expired
newkey notyet p256 "/CN=localhost"
casign notyet 20900101000000Z 20910101000000Z
chain notyet
leaf wronghost p256 "/CN=other.test" wronghost_ext
leaf deep-wild p256 "/CN=deep.wild.test" deepwild_ext
newkey selfsigned p256 "/CN=localhost"
run openssl x509 -req -in "$work/selfsigned.csr" -key selfsigned.key -set_serial 2 -days 30 -sha256 \
  -extfile "$cnf" -extensions server_ec_ext -out selfsigned.pem
cat selfsigned.pem int.pem >selfsigned.chain.pem

# Chains that BearSSL accepts by default and our policy refuses, each
# next to its positive control (ec.chain.pem and client.chain.pem are
# the controls for the EKU cases):
# a leaf signed with SHA-1; an intermediate signed with SHA-1
newkey sha1 p256 "/CN=localhost"
sign sha1 int server_ec_ext sha1
chain sha1
newkey int-sha1 p256 "/CN=ucspi-tls SHA-1 Intermediate CA"
sign int-sha1 ca int_ext sha1
newkey sha1int p256 "/CN=localhost"
sign sha1int int-sha1 server_ec_ext
cat sha1int.pem int-sha1.pem >sha1int.chain.pem
# a root that signs itself with SHA-1 is fine: that signature is never
# checked (the chain sent includes the root, which must be ignored)
run openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout sha1root.key \
  -subj "/CN=ucspi-tls SHA-1 Root CA" -days 3650 -sha1 -set_serial 1 -extensions root_ext -out sha1root.pem
newkey sha1root-leaf p256 "/CN=localhost"
sign sha1root-leaf sha1root server_ec_ext
cat sha1root-leaf.pem sha1root.pem >sha1root-leaf.chain.pem
# RSA-1024: as the leaf's key, as the intermediate's key
leaf rsa1024 rsa1024 "/CN=localhost" server_ext
newkey int-rsa1024 rsa1024 "/CN=ucspi-tls RSA-1024 Intermediate CA"
sign int-rsa1024 ca int_ext
newkey rsa1024int p256 "/CN=localhost"
sign rsa1024int int-rsa1024 server_ec_ext
cat rsa1024int.pem int-rsa1024.pem >rsa1024int.chain.pem
# Extended Key Usage: server only, client only, any, none, malformed;
# an intermediate restricted to serverAuth over a leaf with both
leaf eku-server p256 "/CN=localhost" eku_server_ext
leaf eku-client p256 "/CN=localhost" eku_client_ext
leaf eku-any p256 "/CN=localhost" eku_any_ext
leaf noeku p256 "/CN=localhost" noeku_ext
leaf eku-bad p256 "/CN=localhost" eku_bad_ext
newkey int-ekuserver p256 "/CN=ucspi-tls serverAuth Intermediate CA"
sign int-ekuserver ca int_server_ext
newkey ekuint p256 "/CN=localhost"
sign ekuint int-ekuserver server_ec_ext
cat ekuint.pem int-ekuserver.pem >ekuint.chain.pem

# A key type BearSSL does not support at all
run openssl req -x509 -newkey ed25519 -nodes -keyout ed25519.key -subj "/CN=Ed25519 Root" \
  -days 30 -set_serial 3 -extensions root_ext -out ed25519.pem

# Odds and ends
run dd if=/dev/urandom of=garbage.key bs=1024 count=2
cp ca.pem cafile.pem
rm -rf cadir
mkdir cadir
cp ca.pem cadir/ca.pem

rm -rf "$work"
: >.done
