// examples/shop really works with Debian's Django: migrate on SQLite, PostgreSQL and MariaDB, and
// its models agree with its migrations (makemigrations --check --dry-run finds nothing).
import * as assert from 'assert';
import * as cp from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO } from '../helpers/project';
import { admin, PYTHON, requireServer, SERVERS } from '../helpers/servers';

function copyExample(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-shop-'));
  fs.cpSync(path.join(REPO, 'examples', 'shop'), dir, {
    recursive: true,
    filter: (s) => !s.includes('__pycache__') && !/db\.sqlite3/.test(s) && path.basename(s) !== '.env',
  });
  return dir;
}

function manage(dir: string, args: string[], env: Record<string, string> = {}) {
  const r = cp.spawnSync(PYTHON, ['manage.py', ...args], {
    cwd: dir,
    env: { ...process.env, DB_ENGINE: 'sqlite', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}${r.error ? r.error.message : ''}` };
}

const EXPECTED = [
  'store', ' [X] 0001_initial', ' [X] 0002_collection', ' [X] 0003_product_sku_required',
  'orders', ' [X] 0001_initial', ' [X] 0002_order_status', ' [X] 0003_fill_order_status',
  ' [X] 0004_order_status_required', ' [X] 0005_remove_order_note',
].join('\n');

describe('examples/shop with real Django', function () {
  before(function () {
    const r = cp.spawnSync(PYTHON, ['-c', 'import django; print(django.get_version())'], { encoding: 'utf8' });
    if (r.status !== 0) {
      const why = `Django is not importable by ${PYTHON} (apt-get install python3-django)`;
      if (process.env.CI === 'true') throw new Error(why);
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    console.log(`      Django ${r.stdout.trim()} via ${PYTHON}`);
  });

  it('has no model changes without a migration (makemigrations --check --dry-run)', () => {
    const dir = copyExample();
    const r = manage(dir, ['makemigrations', '--check', '--dry-run', '--noinput']);
    assert.strictEqual(r.code, 0, r.out);
    assert.match(r.out, /No changes detected/);
  });

  it('migrates on SQLite at _data/db.sqlite3 by default, and rolls back through the data migration', () => {
    const dir = copyExample();
    const r = manage(dir, ['migrate', '--noinput']);
    assert.strictEqual(r.code, 0, r.out);
    assert.ok(fs.existsSync(path.join(dir, '_data', 'db.sqlite3')));
    assert.strictEqual(manage(dir, ['showmigrations', 'store', 'orders']).out.trim(), EXPECTED);
    const back = manage(dir, ['migrate', 'orders', '0002', '--noinput']);
    assert.strictEqual(back.code, 0, back.out);
    assert.match(back.out, /Unapplying orders\.0003_fill_order_status\.\.\. OK/);
  });

  for (const server of SERVERS) {
    it(`migrates on ${server.engine === 'mysql' ? 'MariaDB' : 'PostgreSQL'} and rolls back to zero`, function () {
      requireServer(this, server);
      const name = `ml_shop_${process.pid}_${server.engine}`;
      const created = admin(server, 'create', name);
      assert.ok(created.ok, created.error);
      try {
        const env = { ...server.env, DB_NAME: name };
        const dir = copyExample();
        const r = manage(dir, ['migrate', '--noinput'], env);
        assert.strictEqual(r.code, 0, r.out);
        assert.strictEqual(manage(dir, ['showmigrations', 'store', 'orders'], env).out.trim(), EXPECTED);
        const zero = manage(dir, ['migrate', 'orders', 'zero', '--noinput'], env);
        assert.strictEqual(zero.code, 0, zero.out);
        assert.match(zero.out, /Unapplying orders\.0001_initial\.\.\. OK/);
      } finally {
        admin(server, 'drop', name);
      }
    });
  }
});
