#!/usr/bin/env bash
# Prints the two Secrets deploy/ needs (apply with: deploy/gen-secrets.sh | kubectl apply -f -):
# - switchyard-apiserver: a CA, a serving certificate for the apiserver Service's names, and the
#   static token file (an admin and a read-only token), shared by every apiserver replica;
# - switchyard-proxy-kubeconfig: an admin kubeconfig for the proxies (and for you: it is also
#   written to $OUT/kubeconfig, with the Service's in-cluster address).
# Needs openssl. Env: NAMESPACE (switchyard-system), OUT (./switchyard-secrets, kept: it holds
# the CA key; re-running reuses what is there so tokens and certificates stay valid).
set -euo pipefail
NAMESPACE=${NAMESPACE:-switchyard-system}
OUT=${OUT:-./switchyard-secrets}
SVC=switchyard-apiserver
mkdir -p "$OUT"
chmod 700 "$OUT"
cd "$OUT"

if [ ! -f ca.key ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout ca.key -out ca.crt \
    -subj "/CN=switchyard-ca" >/dev/null 2>&1
fi
if [ ! -f tls.key ]; then
  cat >san.cnf <<CNF
[req]
distinguished_name = dn
[dn]
[ext]
subjectAltName = DNS:$SVC,DNS:$SVC.$NAMESPACE,DNS:$SVC.$NAMESPACE.svc,DNS:$SVC.$NAMESPACE.svc.cluster.local,DNS:localhost,IP:127.0.0.1
extendedKeyUsage = serverAuth
keyUsage = digitalSignature,keyEncipherment
CNF
  openssl req -newkey rsa:2048 -nodes -keyout tls.key -out tls.csr -subj "/CN=$SVC" >/dev/null 2>&1
  openssl x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 -sha256 \
    -extfile san.cnf -extensions ext -out tls.crt >/dev/null 2>&1
  rm -f tls.csr
fi
if [ ! -f tokens.csv ]; then
  admin=$(openssl rand -base64 24 | tr '+/' '-_' | tr -d '=')
  viewer=$(openssl rand -base64 24 | tr '+/' '-_' | tr -d '=')
  printf '# token,user,uid,"groups"\n%s,admin,admin,"switchyard:admins"\n%s,viewer,viewer,"switchyard:viewers"\n' "$admin" "$viewer" >tokens.csv
fi
admin=$(awk -F, '$2=="admin"{print $1}' tokens.csv)
cat >kubeconfig <<KC
apiVersion: v1
kind: Config
clusters:
  - name: switchyard
    cluster:
      server: https://$SVC.$NAMESPACE.svc:443
      certificate-authority-data: $(base64 -w0 <ca.crt)
users:
  - name: admin
    user:
      token: $admin
contexts:
  - name: switchyard
    context: {cluster: switchyard, user: admin}
current-context: switchyard
KC
chmod 600 ./*

b64() { base64 -w0 <"$1"; }
cat <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: $NAMESPACE
---
apiVersion: v1
kind: Secret
metadata:
  name: switchyard-apiserver
  namespace: $NAMESPACE
type: Opaque
data:
  ca.crt: $(b64 ca.crt)
  tls.crt: $(b64 tls.crt)
  tls.key: $(b64 tls.key)
  tokens.csv: $(b64 tokens.csv)
---
apiVersion: v1
kind: Secret
metadata:
  name: switchyard-proxy-kubeconfig
  namespace: $NAMESPACE
type: Opaque
data:
  kubeconfig: $(b64 kubeconfig)
YAML
