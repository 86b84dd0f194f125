#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs the unit/lsp/db/django layers with mocha,
# then the VS Code layer in a real host.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure.sh node django django42 django52 django6 servers host
npx tsc -b
npm run --silent lint
node scripts/build.mjs
npx mocha "$@"
# The VS Code layer: the extension in a real host (code-server + Chromium, or MIGRATION_LENS_VSCODE).
node out/test/e2e/run.js
