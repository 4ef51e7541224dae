#!/usr/bin/env bash
# The one test command: on a fresh Debian 12 machine, as root, in a clone of the repository, it
# installs what is missing (Debian packages, npm packages), builds, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
npm run build
npm run --if-present proto:check
node test/run.mjs "$@"
