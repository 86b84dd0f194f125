#!/usr/bin/env bash
# Installs and starts what the tests and the demo need, idempotently and without prompts:
# npm packages (npm ci), Debian's Django and database drivers, and the local PostgreSQL and MariaDB.
# Django 4.2 comes from bookworm-backports, 5.2 from trixie-backports (with trixie's asgiref): their
# .debs are fetched with a private apt source list (the system's sources stay as they are) and
# unpacked under ~/.cache/migration-lens, used via PYTHONPATH.
# The VS Code host for the UI tests (code-server and Chromium) is scripts/vscode-host.sh, step `host`.
# Usage: scripts/ensure.sh [node] [django] [django42] [django52] [django6] [servers] [host]
set -euo pipefail
cd "$(dirname "$0")/.."

want() { [[ " $* " == *" $need "* ]]; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else echo "need root for: $*" >&2; return 1; fi; }
apt_updated=""
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing Debian packages: ${missing[*]}"
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# A Django from another Debian suite, unpacked under ~/.cache/migration-lens and used through
# PYTHONPATH: its .debs fetched with a private apt source list (the system's sources stay as they are).
# Usage: debian_django <version> <dest> <sources.list lines> <package/suite>...
debian_django() {
  local version="$1" dest="$2" sources="$3"
  shift 3
  [ -f "$dest/.complete" ] && return 0
  echo "fetching Django $version from Debian ($*)"
  local work
  work="$(mktemp -d)"
  mkdir -p "$work/lists/partial" "$work/debs" "$work/cache/archives/partial"
  echo "$sources" >"$work/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$work/lists" -o Debug::NoLocking=1 -o "Dir::Cache=$work/cache" -o APT::Sandbox::User="$(id -un)")
  apt-get "${opts[@]}" update -qq
  (cd "$work/debs" && apt-get "${opts[@]}" download -qq "$@" 2>&1 | grep -v 'unsandboxed' || true)
  rm -rf "$dest" && mkdir -p "$dest"
  for deb in "$work"/debs/*.deb; do dpkg -x "$deb" "$dest"; done
  rm -rf "$work"
  PYTHONPATH="$dest/usr/lib/python3/dist-packages" /usr/bin/python3 -c "import django; assert django.get_version().startswith('$version.'), django.get_version()"
  /usr/bin/python3 -m compileall -q "$dest/usr/lib/python3/dist-packages" >/dev/null || true
  touch "$dest/.complete"
}

steps=("$@"); [ ${#steps[@]} -gt 0 ] || steps=(node django django42 django52 servers)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/migration-lens"

for need in "${steps[@]}"; do
  case "$need" in
    node)
      # npm ci when node_modules is missing or older than the lock file.
      if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        npm ci --no-audit --no-fund
      fi
      ;;
    django)
      # Debian's Django (3.2) and drivers, importable by /usr/bin/python3. Not python3-psycopg (v3): see README.
      apt_install python3 python3-django python3-psycopg2 python3-mysqldb python3-dotenv
      ;;
    django42)
      debian_django 4.2 "$cache/django-4.2" "deb http://deb.debian.org/debian bookworm-backports main" python3-django/bookworm-backports
      ;;
    django52)
      # Django 5.2 needs asgiref >= 3.8: trixie's, ahead of bookworm's on PYTHONPATH. Both are arch `all`.
      debian_django 5.2 "$cache/django-5.2" "deb http://deb.debian.org/debian trixie-backports main
deb http://deb.debian.org/debian trixie main" python3-django/trixie-backports python3-asgiref/trixie
      # An interpreter to name in migrationLens.pythonPath: /usr/bin/python3 with this Django first.
      install -m 755 scripts/django52-python "$cache/django-5.2/python"
      ;;
    django6)
      # Django 6 needs Python >= 3.12, which bookworm lacks: a Debian sid root (debootstrap, with
      # python3 and the drivers from Debian) plus python3-django from experimental, run through a
      # `python` wrapper that uses bubblewrap (the host's /tmp, $HOME and the repository visible).
      dest="$cache/django-6"
      if [ ! -f "$dest/.complete" ]; then
        apt_install debootstrap bubblewrap
        echo "making a Debian sid root with Python 3.12+ for Django 6 (about a minute)"
        rm -rf "$dest" && mkdir -p "$dest"
        as_root debootstrap --variant=minbase --include=python3,python3-asgiref,python3-sqlparse,python3-psycopg2,python3-mysqldb,python3-pymysql sid "$dest/root" http://deb.debian.org/debian >"$dest/debootstrap.log" 2>&1 \
          || { tail -5 "$dest/debootstrap.log" >&2; exit 1; }
        work="$(mktemp -d)"
        mkdir -p "$work/lists/partial" "$work/debs" "$work/cache/archives/partial"
        echo "deb http://deb.debian.org/debian experimental main" >"$work/sources.list"
        opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$work/lists" -o Debug::NoLocking=1 -o "Dir::Cache=$work/cache" -o APT::Sandbox::User="$(id -un)")
        apt-get "${opts[@]}" update -qq
        (cd "$work/debs" && apt-get "${opts[@]}" download -qq python3-django/experimental 2>&1 | grep -v 'unsandboxed' || true)
        dpkg -x "$work"/debs/python3-django_*.deb "$dest/root"
        rm -rf "$work"
        # Debian's mysqlclient (1.4.6) is older than Django 6 accepts (2.2.1): PyMySQL, also Debian's,
        # stands in for it, loaded at start-up by a .pth file of the root's dist-packages.
        site="$dest/root/usr/lib/python3/dist-packages"
        printf '%s\n' '# Debian'"'"'s mysqlclient is older than Django 6 accepts: PyMySQL (Debian'"'"'s too) stands in for it.' \
          'import pymysql' 'pymysql.install_as_MySQLdb()' >"$site/migration_lens_mysqldb.py"
        echo 'import migration_lens_mysqldb' >"$site/migration_lens_mysqldb.pth"
        cp scripts/django6-python "$dest/python"
        chmod +x "$dest/python"
        (cd /tmp && "$dest/python" -c 'import django, psycopg2, MySQLdb; assert django.VERSION[0] == 6 and MySQLdb.version_info >= (2, 2, 1), (django.VERSION, MySQLdb.version_info)')
        touch "$dest/.complete"
      fi
      ;;
    host)
      bash scripts/vscode-host.sh >/dev/null
      ;;
    servers)
      if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ ! -x /usr/sbin/mariadbd ]; then
        apt_install postgresql mariadb-server
      fi
      if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
        echo "starting PostgreSQL"
        as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
      fi
      if ! mariadb-admin --protocol=tcp -h 127.0.0.1 -P 3306 -uroot ping >/dev/null 2>&1; then
        echo "starting MariaDB"
        as_root mkdir -p /run/mysqld && as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
        as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
      fi
      for _ in $(seq 1 60); do
        pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && mariadb-admin --protocol=tcp -h 127.0.0.1 -P 3306 -uroot ping >/dev/null 2>&1 && break
        sleep 0.5
      done
      ;;
    *) echo "unknown step $need" >&2; exit 2 ;;
  esac
done
