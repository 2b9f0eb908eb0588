#!/usr/bin/env bash
# Installs the real programs the test suite talks to, when they are missing.
# Debian packages: etcd-server (etcd 3.4), dnsmasq-base (DNS on loopback), wrk, nginx-light and
# nghttp2-client's h2load (benchmarks), chromium (the console's browser tests).
# kubectl 1.20 from Debian's kubernetes-client is unpacked under .cache/ so it never replaces
# the image's /usr/bin/kubectl.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
command -v dnsmasq >/dev/null 2>&1 || need+=(dnsmasq-base)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v chromium >/dev/null 2>&1 || need+=(chromium)   # the console's browser tests
[ -x /usr/sbin/nginx ] || need+=(nginx-light)            # the proxy benchmark's reference
command -v curl >/dev/null 2>&1 || need+=(curl)           # the proxy tests' real client
command -v openssl >/dev/null 2>&1 || need+=(openssl)     # certificates for kubectl create secret tls, s_client
command -v h2load >/dev/null 2>&1 || need+=(nghttp2-client)   # bench/edge: HTTP/2 load (h2load)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# kubectl 1.20 (best effort: the suite uses it when present)
k120=.cache/kubectl-1.20/usr/bin/kubectl
if [ ! -x "$k120" ]; then
  mkdir -p .cache/deb
  if (cd .cache/deb && apt-get download kubernetes-client >/dev/null 2>&1); then
    dpkg-deb -x .cache/deb/kubernetes-client_*.deb .cache/kubectl-1.20 || true
  else
    echo "note: kubernetes-client (kubectl 1.20) not downloadable; its suite will be skipped" >&2
  fi
fi
exit 0
