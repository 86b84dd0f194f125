#!/usr/bin/env bash
# The main job: build the extension, package the .vsix, give examples/shop a SQLite database with
# history applied and risky migrations pending, run the checks on it, and open it in VS Code with
# the extension installed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure.sh node django django52
# Django 5.2 LTS (Debian's trixie-backports, unpacked under ~/.cache/migration-lens by ensure.sh):
# the shop's reviews app needs it; the system's Django (3.2) would run the shop without it.
python="${XDG_CACHE_HOME:-$HOME/.cache}/migration-lens/django-5.2/python"
npx tsc -b
node scripts/build.mjs
node scripts/package.mjs dist/migration-lens.vsix >/dev/null
echo "packaged dist/migration-lens.vsix"

shop=examples/shop
if [ ! -f "$shop/_data/db.sqlite3" ]; then
  # Apply the history up to the data migrations; the NOT NULL and drop-column steps stay pending.
  # Then add sample rows, so the live-data checks have something to count.
  (cd "$shop" && DB_ENGINE=sqlite "$python" manage.py migrate auth --noinput >/dev/null \
    && DB_ENGINE=sqlite "$python" manage.py migrate store 0002 --noinput >/dev/null \
    && DB_ENGINE=sqlite "$python" manage.py migrate orders 0003 --noinput >/dev/null \
    && DB_ENGINE=sqlite "$python" manage.py shell -c "$(cat ../../scripts/demo-data.py)")
fi
echo
echo "Applied and pending migrations of $shop (SQLite at $shop/_data/db.sqlite3):"
(cd "$shop" && DB_ENGINE=sqlite "$python" manage.py showmigrations store orders reviews)
echo
echo "migration-lens check --database $shop (applied history, drift, live counts for pending migrations):"
DB_ENGINE=sqlite node dist/cli.js check --database "$shop" || true
echo

# Open the example in VS Code with the packaged extension: a desktop `code` when there is one,
# otherwise code-server on 127.0.0.1 (scripts/vscode-host.sh installs it from npm and Debian).
# MIGRATION_LENS_DEMO_OPEN=0 stops here; PORT picks code-server's port (default 8765).
[ "${MIGRATION_LENS_DEMO_OPEN:-1}" = 0 ] && exit 0
if command -v code >/dev/null 2>&1; then
  code --install-extension dist/migration-lens.vsix --force
  code "$shop"
  echo "Opened $shop in VS Code. If the lenses ask for an interpreter, pick $python."
  exit 0
fi
cs="$(bash scripts/vscode-host.sh)"
home="${XDG_CACHE_HOME:-$HOME/.cache}/migration-lens/demo"
mkdir -p "$home/user-data/User" "$home/extensions"
cat >"$home/user-data/User/settings.json" <<JSON
{
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.ignoreRecommendations": true,
  "workbench.startupEditor": "none",
  "migrationLens.pythonPath": "$python"
}
JSON
printf 'auth: none\n' >"$home/config.yaml"
node "$cs/out/node/entry.js" --extensions-dir "$home/extensions" --user-data-dir "$home/user-data" --install-extension dist/migration-lens.vsix --force >/dev/null
port="${PORT:-8765}"
url="http://127.0.0.1:$port/?folder=$(cd "$shop" && pwd)"
echo "Migration Lens on $shop in code-server: open $url"
echo "(the Migration Lens icon in the activity bar shows the tree; Ctrl+C stops the server)"
exec node "$cs/out/node/entry.js" --auth none --bind-addr "127.0.0.1:$port" --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override --config "$home/config.yaml" \
  --user-data-dir "$home/user-data" --extensions-dir "$home/extensions" "$(cd "$shop" && pwd)" </dev/null
