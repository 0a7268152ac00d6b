#!/usr/bin/env bash
# Make the TLS material of deploy/compose: a CA, one PKCS12 keystore per Kafka node (its
# hostname in the certificate), a truststore holding the CA, and the password files the
# apache/kafka image reads. Idempotent: whatever exists already is kept.
set -euo pipefail

usage() {
  cat <<USAGE
Usage: $(basename "$0") [--out DIR] [--nodes "kafka-1 kafka-2 kafka-3"] [--days N]

Writes into DIR (default: ./tls beside this script, i.e. KCR_TLS_DIR of .env):
  ca.key, ca.crt                 the certificate authority (clients trust ca.crt)
  <node>.keystore.p12            each node's key and certificate (CN and SAN = node name)
  truststore.p12                 the CA, for the nodes' own client connections
  keystore.password, truststore.password
Needs openssl and keytool. Files that exist are not made again.
USAGE
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/tls"
nodes="kafka-1 kafka-2 kafka-3"
days=825
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --out) out="$2"; shift 2 ;;
    --nodes) nodes="$2"; shift 2 ;;
    --days) days="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for tool in openssl keytool; do
  command -v "$tool" > /dev/null || { echo "$tool is needed but not on PATH" >&2; exit 1; }
done

umask 077
mkdir -p "$out"
cd "$out"

password_file() {  # a random password, made once
  [[ -s "$1" ]] || openssl rand -hex 24 > "$1"
}
password_file keystore.password
password_file truststore.password
store_pw="$(cat keystore.password)"
trust_pw="$(cat truststore.password)"

if [[ ! -s ca.key || ! -s ca.crt ]]; then
  openssl req -x509 -newkey rsa:4096 -sha256 -nodes -days "$days" \
    -subj "/CN=KCR hub CA" -keyout ca.key -out ca.crt
  echo "made the CA (ca.crt)"
fi

if [[ ! -s truststore.p12 ]]; then
  keytool -importcert -noprompt -alias kcr-ca -file ca.crt \
    -keystore truststore.p12 -storetype PKCS12 -storepass "$trust_pw"
  echo "made truststore.p12"
fi

for node in $nodes; do
  [[ -s "$node.keystore.p12" ]] && continue
  openssl req -newkey rsa:2048 -sha256 -nodes -subj "/CN=$node" \
    -keyout "$node.key" -out "$node.csr"
  printf 'subjectAltName=DNS:%s,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' \
    "$node" > "$node.ext"
  openssl x509 -req -sha256 -days "$days" -in "$node.csr" -CA ca.crt -CAkey ca.key \
    -CAcreateserial -extfile "$node.ext" -out "$node.crt"
  openssl pkcs12 -export -name "$node" -inkey "$node.key" -in "$node.crt" -certfile ca.crt \
    -out "$node.keystore.p12" -passout "pass:$store_pw"
  rm -f "$node.csr" "$node.ext" "$node.key"
  echo "made $node.keystore.p12"
done

# the containers (uid 1000) read these; the CA key stays private
chmod 0644 ca.crt truststore.p12 ./*.keystore.p12 ./*.password ./*.crt
chmod 0600 ca.key
echo "TLS material in $out"
