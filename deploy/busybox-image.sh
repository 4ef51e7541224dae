#!/usr/bin/env bash
# Imports the quick start's `busybox` starter image, built from Debian's busybox-static, into the
# image store (the same import path as `tdocker import`). Needs the build (npm run build).
#   deploy/busybox-image.sh [--root DIR] [--tag NAME[:TAG]] [--busybox PATH]
#   deploy/busybox-image.sh --stdout | tdocker import - busybox     (through a running daemon)
# Running it again changes nothing: the same binary gives the same image id.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node build/services/images/busybox-image.js "$@"
