// Which database a project uses: settings, then DB_* from the environment and .env, then SQLite.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { describeConnection, isUnconfigured, resolveConnection } from '../../core/src/config/connection';
import { writeProject } from '../helpers/project';

describe('database connection resolution', () => {
  it('defaults to SQLite at _data/db.sqlite3', () => {
    const root = writeProject({});
    const c = resolveConnection({ projectRoot: root, env: {} });
    assert.deepStrictEqual([c.engine, c.file, c.source], ['sqlite', path.join(root, '_data', 'db.sqlite3'), 'default SQLite path']);
  });

  it('reads DB_* from .env, with the process environment winning, and never shows the password', () => {
    const root = writeProject({ '.env': 'DB_ENGINE=postgresql\nDB_NAME="shop_dev"\nDB_USER=app # the app user\nDB_PASSWORD=from-dotenv\nDB_PORT=5433\n' });
    const c = resolveConnection({ projectRoot: root, env: { DB_HOST: 'db.internal', DB_PASSWORD: 'from-env' } });
    assert.deepStrictEqual([c.engine, c.host, c.port, c.database, c.user, c.password], ['postgres', 'db.internal', 5433, 'shop_dev', 'app', 'from-env']);
    const shown = describeConnection(c, root);
    assert.match(shown, /^PostgreSQL app@db\.internal:5433\/shop_dev \(from DB_\* variables \(.*\.env, environment\)\)$/);
    assert.ok(!shown.includes('from-env') && !shown.includes('from-dotenv'));
    // The password stored with the command wins over DB_PASSWORD.
    assert.strictEqual(resolveConnection({ projectRoot: root, env: {}, storedPassword: 'stored' }).password, 'stored');
  });

  it('uses the engine defaults and the project folder name as the database name', () => {
    const root = writeProject({});
    const c = resolveConnection({ projectRoot: root, env: { DB_ENGINE: 'mysql' } });
    assert.deepStrictEqual([c.engine, c.host, c.port, c.user, c.database], ['mysql', '127.0.0.1', 3306, 'root', path.basename(root)]);
    const s = resolveConnection({ projectRoot: root, env: { DB_ENGINE: 'sqlite', DB_NAME: 'var/app.db' } });
    assert.strictEqual(s.file, path.join(root, 'var', 'app.db'));
  });

  it('lets the settings win over DB_*, with the stored password', () => {
    const root = writeProject({ '.env': 'DB_ENGINE=sqlite\n' });
    const c = resolveConnection({ projectRoot: root, env: {}, settings: { engine: 'mariadb', host: 'h', port: 3307, name: 'n', user: 'u' }, storedPassword: 'p' });
    assert.deepStrictEqual([c.engine, c.host, c.port, c.database, c.user, c.password, c.source], ['mysql', 'h', 3307, 'n', 'u', 'p', 'settings (migrationLens.database)']);
  });

  it('refuses an unknown engine or a bad port with a message naming where it came from', () => {
    const root = writeProject({});
    fs.writeFileSync(path.join(root, '.env'), 'DB_ENGINE=oracle\n');
    assert.throws(() => resolveConnection({ projectRoot: root, env: {} }), /DB_ENGINE in .*\.env: engine 'oracle' is not supported/);
    assert.throws(() => resolveConnection({ projectRoot: root, env: { DB_ENGINE: 'postgres', DB_PORT: 'abc' } }), /DB_PORT in environment is not a port number/);
  });

  describe('when Django does not start: the settings read as text', () => {
    const manage = 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n';
    const settings = (databases: string) => `from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nDATABASES = {"default": ${databases}}\n`;

    it('never takes a PostgreSQL project for SQLite: says which file names it and what to configure', () => {
      const root = writeProject({ 'proj/settings.py': settings('{"ENGINE": "django.db.backends.postgresql", "NAME": "shop"}') }, false);
      fs.writeFileSync(path.join(root, 'manage.py'), manage);
      assert.throws(
        () => resolveConnection({ projectRoot: root, env: {} }),
        (e: Error) =>
          /^proj\/settings\.py uses PostgreSQL \(django\.db\.backends\.postgresql\), and Django did not start/.test(e.message) && /Configure Database/.test(e.message) && !/migrate/.test(e.message),
      );
      assert.strictEqual(isUnconfigured({ projectRoot: root, env: {} }), true, 'Django is still asked first');
      // A settings package: its modules are read too.
      const pkg = writeProject({ 'proj/settings/__init__.py': 'from .base import *\n', 'proj/settings/base.py': settings('{"ENGINE": "django.db.backends.mysql"}') }, false);
      fs.writeFileSync(path.join(pkg, 'manage.py'), manage);
      assert.throws(() => resolveConnection({ projectRoot: pkg, env: {} }), /proj\/settings\/base\.py uses MySQL\/MariaDB/);
    });

    it('finds the SQLite file the settings name, and keeps SQLite when the engine is chosen at run time', () => {
      const root = writeProject({ 'proj/settings.py': settings('{"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}') }, false);
      fs.writeFileSync(path.join(root, 'manage.py'), manage);
      const c = resolveConnection({ projectRoot: root, env: {} });
      assert.deepStrictEqual([c.engine, c.file, c.source], ['sqlite', path.join(root, 'db.sqlite3'), 'proj/settings.py (read as text)']);
      const either = writeProject({ 'proj/settings.py': 'if X:\n    E = "django.db.backends.postgresql"\nelse:\n    E = "django.db.backends.sqlite3"\n' }, false);
      fs.writeFileSync(path.join(either, 'manage.py'), manage);
      assert.strictEqual(resolveConnection({ projectRoot: either, env: {} }).source, 'default SQLite path');
    });

    it('reads DATABASE_URL from the environment or .env, and the default URL written in the settings', () => {
      const root = writeProject({ 'proj/settings.py': 'import dj_database_url\nDATABASES = {"default": dj_database_url.config(default="postgres://saleor:secret@localhost:5432/saleor")}\n' }, false);
      fs.writeFileSync(path.join(root, 'manage.py'), manage);
      const d = resolveConnection({ projectRoot: root, env: {} });
      assert.deepStrictEqual(
        [d.engine, d.user, d.host, d.port, d.database, d.password, d.source],
        ['postgres', 'saleor', 'localhost', 5432, 'saleor', 'secret', 'the default DATABASE_URL in proj/settings.py'],
      );
      assert.ok(!describeConnection(d).includes('secret'));
      fs.writeFileSync(path.join(root, '.env'), 'DATABASE_URL=mysql://app@db.internal/shop\n');
      const e = resolveConnection({ projectRoot: root, env: {} });
      assert.deepStrictEqual([e.engine, e.user, e.host, e.port, e.database], ['mysql', 'app', 'db.internal', 3306, 'shop']);
      assert.match(e.source, /^DATABASE_URL in .*\.env$/);
      const s = resolveConnection({ projectRoot: root, env: { DATABASE_URL: 'sqlite:///var/app.db' } });
      assert.deepStrictEqual([s.engine, s.file], ['sqlite', path.join(root, 'var/app.db')]);
      const bare = writeProject({ 'proj/settings.py': 'import environ\nenv = environ.Env()\nDATABASES = {"default": env.db()}\n' }, false);
      fs.writeFileSync(path.join(bare, 'manage.py'), manage);
      assert.throws(() => resolveConnection({ projectRoot: bare, env: {} }), /proj\/settings\.py uses a DATABASE_URL, and Django did not start/);
    });
  });
});
