#!/usr/bin/env bash
# Quick start on a fresh Debian 12 machine, as root, in a clone: installs what is missing, builds,
# puts `tdocker` and `tdockerd` on the PATH, imports the `busybox` starter image (from Debian's
# busybox-static, through the same import path as `tdocker import`), and runs tdockerd in the
# foreground with its embedded defaults. Then, in another terminal: tdocker run --rm -it busybox sh
#   deploy/quickstart.sh [tdockerd flags…]      (TDOCKER_ROOT picks the state root)
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
npm run -s build
chmod +x build/services/cli/bin.cjs build/services/daemon/main.js
ln -sf "$PWD/build/services/cli/bin.cjs" /usr/local/bin/tdocker
ln -sf "$PWD/build/services/daemon/main.js" /usr/local/bin/tdockerd

ROOT=${TDOCKER_ROOT:-/var/lib/tinydocker}
deploy/busybox-image.sh --root "$ROOT"
echo "starting tdockerd (root $ROOT); in another terminal: tdocker run --rm -it busybox sh"
exec node --max-semi-space-size=8 --heap-growing-percent=100 build/services/daemon/main.js --root "$ROOT" "$@"
