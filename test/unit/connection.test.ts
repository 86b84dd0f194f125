// Which database a project uses: settings, then DB_* from the environment and .env, then SQLite.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { describeConnection, resolveConnection } from '../../client/src/config/connection';
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
});
