#!/usr/bin/env bash
# Installs what the project needs and the machine lacks: Debian packages with apt-get, npm packages
# with `npm ci`. Safe to run again: it only installs what is missing. With --bench it also installs
# the engines the benchmarks measure us against (crun, runc, podman); tests do not need them.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(busybox-static nats-server protobuf-compiler iproute2 procps openssl skopeo docker-registry gcc make libc6-dev attr)
if [ "${1:-}" = --bench ]; then PACKAGES+=(crun runc podman); fi
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# npm ci when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
fi
