#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test layer with mocha.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure.sh node django servers
npx tsc -b
node scripts/build.mjs
npx mocha "$@"
