#!/usr/bin/env bash
# A scaled-out switchyard on loopback: 3 etcd members, 2 `switchyard apiserver` replicas on them and
# 2 `switchyard proxy` replicas (one elected status writer), like deploy/ but as local processes.
#
#   hack/local-cluster.sh            start everything, print the endpoints, run until Ctrl-C
#   hack/local-cluster.sh --check    start, verify (a write through one apiserver routed by both
#                                    proxies, one lease holder), stop: a smoke test
#
# Env: STATE_DIR (default .local-cluster), ETCD_BIN (default: etcd on PATH), BASE_PORT (default
# 23790: etcd clients BASE..BASE+2, peers BASE+10..BASE+12), API_PORT (6443: replicas API_PORT and
# API_PORT+1), PROXY_PORT (8080: proxies PROXY_PORT and PROXY_PORT+1), METRICS_PORT (9090),
# COMPACT_INTERVAL (5m), LOG_LEVEL (info). Logs go to $STATE_DIR/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."

CHECK=0
[ "${1:-}" = "--check" ] && CHECK=1
STATE_DIR=${STATE_DIR:-.local-cluster}
ETCD_BIN=${ETCD_BIN:-$(command -v etcd || true)}
BASE_PORT=${BASE_PORT:-23790}
API_PORT=${API_PORT:-6443}
PROXY_PORT=${PROXY_PORT:-8080}
METRICS_PORT=${METRICS_PORT:-9090}
COMPACT_INTERVAL=${COMPACT_INTERVAL:-5m}
LOG_LEVEL=${LOG_LEVEL:-info}
SWITCHYARD=(node bin/switchyard)

[ -n "$ETCD_BIN" ] || { echo "etcd not found: install etcd-server (hack/install-test-deps.sh) or set ETCD_BIN" >&2; exit 1; }
[ -f dist/cmd/switchyard.js ] || { echo "build first: make build" >&2; exit 1; }

mkdir -p "$STATE_DIR/logs"
PIDS=()
cleanup() {
  trap - EXIT INT TERM
  # stop only what this script started, newest first (proxies, apiservers, then etcd)
  for ((i=${#PIDS[@]}-1; i>=0; i--)); do kill -TERM "${PIDS[$i]}" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() { # pid description command... (fails at once if that process died)
  local pid=$1 what=$2; shift 2
  for _ in $(seq 1 300); do
    "$@" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { echo "$what exited; see $STATE_DIR/logs/:" >&2; tail -5 "$STATE_DIR/logs/$what.log" >&2 2>/dev/null || true; exit 1; }
    sleep 0.1
  done
  echo "timed out waiting for $what; see $STATE_DIR/logs/" >&2
  exit 1
}

# --- etcd: a static 3-member cluster
INITIAL=""
for i in 0 1 2; do INITIAL+="${INITIAL:+,}etcd-$i=http://127.0.0.1:$((BASE_PORT + 10 + i))"; done
ENDPOINTS=""
for i in 0 1 2; do
  client=$((BASE_PORT + i)); peer=$((BASE_PORT + 10 + i))
  ENDPOINTS+="${ENDPOINTS:+,}http://127.0.0.1:$client"
  state=new; [ -d "$STATE_DIR/etcd-$i/member" ] && state=existing
  ETCD_UNSUPPORTED_ARCH=$( [ "$(uname -m)" = aarch64 ] && echo arm64 || true ) \
  "$ETCD_BIN" --name "etcd-$i" --data-dir "$STATE_DIR/etcd-$i" \
    --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "$INITIAL" --initial-cluster-token switchyard-local --initial-cluster-state "$state" \
    >"$STATE_DIR/logs/etcd-$i.log" 2>&1 &
  PIDS+=($!)
done
for i in 0 1 2; do wait_for "${PIDS[$i]}" "etcd-$i" curl -fsS "http://127.0.0.1:$((BASE_PORT + i))/health"; done
echo "etcd:        $ENDPOINTS"

# --- two apiservers: replica 0 creates the CA, serving certificate and tokens; replica 1 shares them
COMMON=(--etcd-servers "$ENDPOINTS" --compact-interval "$COMPACT_INTERVAL" --log-level "$LOG_LEVEL")
"${SWITCHYARD[@]}" apiserver --data-dir "$STATE_DIR/apiserver-0" --api-listen "127.0.0.1:$API_PORT" "${COMMON[@]}" \
  >"$STATE_DIR/logs/apiserver-0.log" 2>&1 &
PIDS+=($!)
wait_for "${PIDS[-1]}" "apiserver-0" grep -q 'switchyard is ready' "$STATE_DIR/logs/apiserver-0.log"
A0="$STATE_DIR/apiserver-0"
"${SWITCHYARD[@]}" apiserver --data-dir "$STATE_DIR/apiserver-1" --api-listen "127.0.0.1:$((API_PORT + 1))" "${COMMON[@]}" \
  --tls-cert "$A0/serving.crt" --tls-key "$A0/serving.key" --token-auth-file "$A0/tokens.csv" \
  >"$STATE_DIR/logs/apiserver-1.log" 2>&1 &
PIDS+=($!)
wait_for "${PIDS[-1]}" "apiserver-1" grep -q 'switchyard is ready' "$STATE_DIR/logs/apiserver-1.log"
# one admin kubeconfig per replica (same CA and token)
sed "s#https://127.0.0.1:$API_PORT#https://127.0.0.1:$((API_PORT + 1))#" "$A0/kubeconfig" >"$STATE_DIR/kubeconfig-1"
cp "$A0/kubeconfig" "$STATE_DIR/kubeconfig-0"
chmod 600 "$STATE_DIR"/kubeconfig-*
echo "apiservers:  https://127.0.0.1:$API_PORT https://127.0.0.1:$((API_PORT + 1))"

# --- two proxies, each following one apiserver; they elect one status writer (Lease
#     switchyard-system/switchyard-controller, served by the apiservers)
for i in 0 1; do
  "${SWITCHYARD[@]}" proxy --kubeconfig "$STATE_DIR/kubeconfig-$i" --data-dir "$STATE_DIR/proxy-$i" \
    --proxy-listen "127.0.0.1:$((PROXY_PORT + i))" --metrics-listen "127.0.0.1:$((METRICS_PORT + i))" \
    --leader-elect-identity "proxy-$i" --log-level "$LOG_LEVEL" \
    >"$STATE_DIR/logs/proxy-$i.log" 2>&1 &
  PIDS+=($!)
done
for i in 0 1; do wait_for "${PIDS[$((5 + i))]}" "proxy-$i" grep -q 'switchyard is ready' "$STATE_DIR/logs/proxy-$i.log"; done
echo "proxies:     http://127.0.0.1:$PROXY_PORT http://127.0.0.1:$((PROXY_PORT + 1))  (metrics :$METRICS_PORT :$((METRICS_PORT + 1)))"
echo "kubectl:     kubectl --kubeconfig $STATE_DIR/kubeconfig-0 get backends"
echo "lease:       kubectl --kubeconfig $STATE_DIR/kubeconfig-0 get --raw /apis/coordination.k8s.io/v1/namespaces/switchyard-system/leases/switchyard-controller"

if [ "$CHECK" = 1 ]; then
  TOKEN=$(awk -F, '$2=="admin"{print $1}' "$A0/tokens.csv")
  api() { curl -fsS --cacert "$A0/ca.crt" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
  UP_PORT=$((PROXY_PORT + 100))
  node -e "require('http').createServer((q,s)=>s.end('local-cluster upstream '+q.url+'\n')).listen($UP_PORT,'127.0.0.1')" &
  PIDS+=($!)
  api -X POST "https://127.0.0.1:$API_PORT/apis/core.apoxy.dev/v1alpha2/backends" \
    -d "{\"apiVersion\":\"core.apoxy.dev/v1alpha2\",\"kind\":\"Backend\",\"metadata\":{\"name\":\"local-check\"},\"spec\":{\"endpoints\":[{\"ip\":\"127.0.0.1\",\"port\":$UP_PORT}]}}" >/dev/null
  api -X POST "https://127.0.0.1:$((API_PORT + 1))/apis/gateway.apoxy.dev/v1/httproutes" \
    -d '{"apiVersion":"gateway.apoxy.dev/v1","kind":"HTTPRoute","metadata":{"name":"local-check"},"spec":{"rules":[{"matches":[{"path":{"type":"PathPrefix","value":"/check"}}],"backendRefs":[{"kind":"Backend","name":"local-check"}]}]}}' >/dev/null
  for i in 0 1; do wait_for "${PIDS[$((5 + i))]}" "proxy-$i" sh -c "curl -fsS http://127.0.0.1:$((PROXY_PORT + i))/check | grep -q 'local-cluster upstream'"; done
  leaders=$(for i in 0 1; do curl -fsS "http://127.0.0.1:$((METRICS_PORT + i))/metrics" | grep -c '^leader_election_master_status{.*} 1' || true; done | paste -sd+ | bc)
  holder=$(api "https://127.0.0.1:$API_PORT/apis/coordination.k8s.io/v1/namespaces/switchyard-system/leases/switchyard-controller" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).spec.holderIdentity))')
  echo "check:       both proxies route /check; status writers: $leaders (lease holder: $holder)"
  [ "$leaders" = 1 ] || { echo "expected exactly one leader" >&2; exit 1; }
  echo "check passed"
  exit 0
fi

echo "running; Ctrl-C stops everything (state kept in $STATE_DIR)"
wait
