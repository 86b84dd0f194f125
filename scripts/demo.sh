#!/usr/bin/env bash
# The main job: build the extension, package the .vsix, give examples/shop a SQLite database with
# history applied and risky migrations pending, and run the checks on it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure.sh node django
npx tsc -b
node scripts/build.mjs
node scripts/package.mjs dist/migration-lens.vsix >/dev/null
echo "packaged dist/migration-lens.vsix"

shop=examples/shop
if [ ! -f "$shop/_data/db.sqlite3" ]; then
  # Apply the history up to the data migrations; the NOT NULL and drop-column steps stay pending.
  # Then add sample rows, so the live-data checks have something to count.
  (cd "$shop" && DB_ENGINE=sqlite /usr/bin/python3 manage.py migrate auth --noinput >/dev/null \
    && DB_ENGINE=sqlite /usr/bin/python3 manage.py migrate store 0002 --noinput >/dev/null \
    && DB_ENGINE=sqlite /usr/bin/python3 manage.py migrate orders 0003 --noinput >/dev/null \
    && DB_ENGINE=sqlite /usr/bin/python3 manage.py shell -c "$(cat ../../scripts/demo-data.py)")
fi
echo
echo "Applied and pending migrations of $shop (SQLite at $shop/_data/db.sqlite3):"
(cd "$shop" && DB_ENGINE=sqlite /usr/bin/python3 manage.py showmigrations store orders)
echo
echo "migration-lens check --database $shop (applied history, drift, live counts for pending migrations):"
DB_ENGINE=sqlite node dist/cli.js check --database "$shop" || true
echo
echo "Install in VS Code:  code --install-extension dist/migration-lens.vsix   then open $shop"
