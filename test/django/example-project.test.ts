// examples/shop really works with Debian's Django (5.2, as the demo runs it; the system's 3.2 runs it
// without the reviews app): migrate on SQLite, PostgreSQL and MariaDB, and its models agree with its
// migrations (makemigrations --check --dry-run finds nothing).
import * as assert from 'assert';
import * as cp from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO, tempDir } from '../helpers/project';
import { admin, PYTHON, requireServer, SERVERS } from '../helpers/servers';
import { SHOP_PYTHON } from '../helpers/djangos';

function copyExample(): string {
  const dir = tempDir('ml-shop-');
  fs.cpSync(path.join(REPO, 'examples', 'shop'), dir, {
    recursive: true,
    filter: (s) => !s.includes('__pycache__') && !/db\.sqlite3/.test(s) && path.basename(s) !== '.env',
  });
  return dir;
}

function manage(dir: string, args: string[], env: Record<string, string> = {}, python = SHOP_PYTHON) {
  const r = cp.spawnSync(python, ['manage.py', ...args], {
    cwd: dir,
    env: { ...process.env, DB_ENGINE: 'sqlite', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}${r.error ? r.error.message : ''}` };
}

const EXPECTED = [
  'store',
  ' [X] 0001_initial',
  ' [X] 0002_collection',
  ' [X] 0003_product_sku_required',
  'orders',
  ' [X] 0001_initial',
  ' [X] 0002_order_status',
  ' [X] 0003_fill_order_status',
  ' [X] 0004_order_status_required',
  ' [X] 0005_remove_order_note',
  'reviews',
  ' [X] 0001_initial',
  ' [X] 0002_review_helpful_votes',
  ' [X] 0003_review_percent',
  ' [X] 0004_reviewtag',
  ' [X] 0005_rating_message',
].join('\n');

describe('examples/shop with real Django', function () {
  before(function () {
    const r = cp.spawnSync(SHOP_PYTHON, ['-c', 'import django; print(django.get_version())'], { encoding: 'utf8' });
    if (r.status !== 0) {
      const why = `Django 5.2 is not importable by ${SHOP_PYTHON} (scripts/ensure.sh django django52)`;
      if (process.env.CI === 'true') throw new Error(why);
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    console.log(`      Django ${r.stdout.trim()} via ${SHOP_PYTHON}`);
  });

  it('has no model changes without a migration (makemigrations --check --dry-run), on Django 5.2 and on 3.2 without reviews', () => {
    const dir = copyExample();
    for (const python of [SHOP_PYTHON, PYTHON]) {
      const r = manage(dir, ['makemigrations', '--check', '--dry-run', '--noinput'], {}, python);
      assert.strictEqual(r.code, 0, r.out);
      assert.match(r.out, /No changes detected/);
    }
    assert.doesNotMatch(manage(dir, ['showmigrations'], {}, PYTHON).out, /^reviews$/m);
  });

  it('migrates on SQLite at _data/db.sqlite3 by default, and rolls back through the data migration', () => {
    const dir = copyExample();
    const r = manage(dir, ['migrate', '--noinput']);
    assert.strictEqual(r.code, 0, r.out);
    assert.ok(fs.existsSync(path.join(dir, '_data', 'db.sqlite3')));
    assert.strictEqual(manage(dir, ['showmigrations', 'store', 'orders', 'reviews']).out.trim(), EXPECTED);
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
        assert.strictEqual(manage(dir, ['showmigrations', 'store', 'orders', 'reviews'], env).out.trim(), EXPECTED);
        const zero = manage(dir, ['migrate', 'orders', 'zero', '--noinput'], env);
        assert.strictEqual(zero.code, 0, zero.out);
        assert.match(zero.out, /Unapplying orders\.0001_initial\.\.\. OK/);
      } finally {
        admin(server, 'drop', name);
      }
    });
  }
});

describe('migration-lens check --database on examples/shop with the demo data', function () {
  this.timeout(120_000);
  const CLI = path.join(REPO, 'dist', 'cli.js');
  const cli = (dir: string, args: string[], env: Record<string, string>) =>
    cp.spawnSync(process.execPath, [CLI, 'check', '--database', '--format', 'json', ...args, dir], { encoding: 'utf8', env: { ...process.env, ...env } });

  it('reports drift, live counts for pending migrations and applied risk as history, on each engine', async function () {
    const targets: Array<{ name: string; env: Record<string, string>; server?: (typeof SERVERS)[number] }> = [
      { name: 'sqlite', env: { DB_ENGINE: 'sqlite' } },
      ...SERVERS.map((s) => ({ name: s.engine, env: s.env, server: s })),
    ];
    for (const t of targets) {
      if (t.server) requireServer(this, t.server);
      const dir = copyExample();
      const dbName = `ml_cli_${process.pid}_${t.name}`;
      const env = t.server ? { ...t.env, DB_NAME: dbName } : t.env;
      if (t.server) assert.ok(admin(t.server, 'create', dbName).ok);
      try {
        for (const args of [
          ['migrate', 'auth'],
          ['migrate', 'store', '0002'],
          ['migrate', 'orders', '0003'],
        ]) {
          const r = manage(dir, [...args, '--noinput'], env);
          assert.strictEqual(r.code, 0, r.out);
        }
        const seed = manage(dir, ['shell', '-c', fs.readFileSync(path.join(REPO, 'scripts', 'demo-data.py'), 'utf8')], env);
        assert.strictEqual(seed.code, 0, seed.out);

        const r = cli(dir, [], env);
        assert.strictEqual(r.status, 1, `${t.name}: an error-severity live finding fails the check\n${r.stderr}`);
        assert.match(r.stderr, /applied rows from .*; (\d+) of \1 probes counted/);
        const files = JSON.parse(r.stdout).files as Array<{ migration: string; diagnostics: Array<{ code: string; severity: string; message: string }> }>;
        const all = (m: string) => files.find((f) => f.migration === m)!.diagnostics.map((f) => `${f.code} ${f.severity} ${f.message.split(/:|\n/)[0]}`);
        const of = (m: string) => all(m).filter((f) => !f.startsWith('ML705'));
        // The lock_timeout advice is PostgreSQL's (the engine the database reports), for what is still to run.
        assert.deepStrictEqual(
          ['store.0003_product_sku_required', 'orders.0005_remove_order_note', 'store.0001_initial'].map((m) => all(m).filter((f) => f.startsWith('ML705')).length),
          t.name === 'postgres' ? [1, 1, 0] : [0, 0, 0],
          t.name,
        );
        assert.deepStrictEqual(
          of('store.0003_product_sku_required'),
          ['ML202 warning AlterField product.sku makes the column NOT NULL', 'ML601 error 2 of 5 rows in store_product hold NULL in "sku"'],
          t.name,
        );
        assert.deepStrictEqual(
          of('orders.0005_remove_order_note'),
          [
            'ML101 warning RemoveField order.note drops column "note" of orders_order, and the release still running during the deploy fails on it. The values go with the column',
            'ML604 warning 3 non-null values in orders_order."note" (3 rows in the table) will be lost; rolling back brings the column back empty.',
          ],
          t.name,
        );
        assert.deepStrictEqual(of('store.0001_initial'), ['ML301 hint Low risk', 'ML301 hint Low risk'], t.name);

        // A row whose file is gone is drift.
        fs.renameSync(path.join(dir, 'orders/migrations/0003_fill_order_status.py'), path.join(dir, 'orders/migrations/0003_fill_status.py'));
        fs.writeFileSync(
          path.join(dir, 'orders/migrations/0004_order_status_required.py'),
          fs.readFileSync(path.join(dir, 'orders/migrations/0004_order_status_required.py'), 'utf8').replace('0003_fill_order_status', '0003_fill_status'),
        );
        const drift = JSON.parse(cli(dir, [], env).stdout).files as typeof files;
        const ml605 = drift.flatMap((f) => f.diagnostics.filter((x) => x.code === 'ML605').map((x) => `${f.migration}: ${x.message.split(':')[0]}`));
        assert.deepStrictEqual(ml605, ['orders.0005_remove_order_note: The database has migration orders.0003_fill_order_status applied, but no file for it exists'], t.name);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
        if (t.server) admin(t.server, 'drop', dbName);
      }
    }
  });

  it('says why the database could not be read and still checks the files', () => {
    const dir = copyExample();
    try {
      const r = cli(dir, [], { DB_ENGINE: 'postgres', DB_HOST: '127.0.0.1', DB_PORT: '1', DB_PASSWORD: 'hunter2' });
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stderr, /The database server cannot be reached .*postgres@127\.0\.0\.1:1\//);
      assert.ok(!r.stderr.includes('hunter2'));
      assert.strictEqual(JSON.parse(r.stdout).files.length, 13);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
