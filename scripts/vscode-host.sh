#!/usr/bin/env bash
# Installs a real VS Code host where no desktop VS Code can be downloaded: code-server 4.100.3
# (VS Code 1.100.3, the newest that runs on Node 20) from the npm registry, plus Debian's Chromium to
# drive its workbench. Everything comes from npm and Debian; nothing else is downloaded.
# Cached under ~/.cache/migration-lens/code-server-<version> with a marker file; prints its path.
# Usage: scripts/vscode-host.sh   (idempotent; ~40 s the first time)
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.100.3
cache="${XDG_CACHE_HOME:-$HOME/.cache}/migration-lens"
dest="$cache/code-server-$VERSION"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else echo "need root for: $*" >&2; return 1; fi; }
missing=()
for p in chromium ripgrep libkrb5-dev libsecret-1-dev libxkbfile-dev libx11-dev build-essential pkg-config python3; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}" >&2
  as_root apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f "$dest/.complete" ]; then
  echo "installing code-server $VERSION into $dest" >&2
  rm -rf "$dest" && mkdir -p "$dest"
  (
    cd "$dest"
    export npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
    echo '{"name":"ml-vscode-host","private":true}' >package.json
    # Its install scripts fail here (root guard, ripgrep and prebuilt downloads): run the parts that work.
    npm install --ignore-scripts --no-save "code-server@$VERSION" >&2
    npm rebuild argon2 >&2
    (cd node_modules/code-server/lib/vscode && npm install --omit=dev --ignore-scripts >&2)
    rg_bin=node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin
    mkdir -p "$rg_bin" && ln -sf /usr/bin/rg "$rg_bin/rg"
    (cd node_modules/code-server/lib/vscode && npm rebuild >&2)
    cs=node_modules/code-server
    (cd "$cs/lib/vscode" && ln -sfn node_modules node_modules.asar)
    (cd "$cs/lib/vscode/bin/remote-cli" && ln -sf code-linux.sh code-server)
    (cd "$cs/lib/vscode/bin/helpers" && ln -sf browser-linux.sh browser.sh)
    (cd "$cs/lib/vscode/extensions" && npm install --omit=dev >&2)
  )
  touch "$dest/.complete"
fi
echo "$dest/node_modules/code-server"
