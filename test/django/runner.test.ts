// The manage.py runner with real Django (3.2 and 4.2) on SQLite, PostgreSQL and MariaDB, on copies
// of examples/shop: apply, roll back, zero, fake, merge a real conflict, --check, each failure
// provoked for real and classified, cancellation mid-migration, and one migrate per project.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { djangoEnv, withLockTimeout } from '../../core/src/django/environment';
import { Client } from 'pg';
import { classify, Outcome } from '../../core/src/django/outcome';
import { BusyError, InvalidArgumentError, manageArgs, ManageResult, MigrateArgs, runManage } from '../../core/src/django/runner';
import { Bridge } from '../../core/src/django/bridge';
import { preflight } from '../../core/src/django/preflight';
import { BRIDGE_SCRIPT, DJANGOS, DjangoRuntime, ENGINES, EngineName, freshDatabase, requireDjango } from '../helpers/djangos';
import { labProject, LabProject, shopCopy } from '../helpers/django-project';
import { admin, requireServer, SERVERS } from '../helpers/servers';

const migration = (deps: string, ops: string, head = '') => `from django.db import migrations, models
${head}

class Migration(migrations.Migration):
    dependencies = [${deps}]

    operations = [
${ops}
    ]
`;

const SHOP_MIGRATIONS = [
  'orders.0001_initial',
  'orders.0002_order_status',
  'orders.0003_fill_order_status',
  'orders.0004_order_status_required',
  'orders.0005_remove_order_note',
  'store.0001_initial',
  'store.0002_collection',
  'store.0003_product_sku_required',
];

function harness(project: LabProject, rt: DjangoRuntime) {
  const env = djangoEnv(project.root, undefined, { ...process.env, ...project.env });
  const run = (args: string[], signal?: AbortSignal, onOutput?: (t: string) => void): Promise<ManageResult> =>
    runManage(args, { python: rt.python, projectRoot: project.root, env, signal, onOutput, graceMs: 8000 });
  const migrate = async (a: MigrateArgs = {}): Promise<Outcome> => classify(await run(manageArgs.migrate(a)));
  const shop = () =>
    project
      .recorded()
      .map((l) => l.split(' ')[0])
      .filter((k) => /^(store|orders)\./.test(k))
      .sort();
  return { env, run, migrate, shop };
}

for (const rt of DJANGOS) {
  for (const engine of ENGINES) {
    describe(`runner: Django ${rt.version} on ${engine}`, function () {
      this.timeout(180_000);
      let project: LabProject;
      let drop = () => undefined as void;
      let h: ReturnType<typeof harness>;

      beforeEach(function () {
        requireDjango(this, rt);
        const db = freshDatabase(this, engine, 'run');
        drop = db.drop;
        project = shopCopy({ ...rt.env, ...db.env }, rt.python);
        h = harness(project, rt);
      });
      afterEach(() => {
        project?.dispose();
        drop();
      });

      it('applies, rolls back, unapplies to zero and fakes, and the database agrees each time', async () => {
        const plan = await h.run(manageArgs.migrate({ plan: true }));
        assert.strictEqual(plan.code, 0);
        assert.match(plan.stdout, /store\.0001_initial/);
        assert.deepStrictEqual(h.shop(), [], '--plan applied nothing');

        assert.strictEqual((await h.migrate()).kind, 'ok');
        assert.deepStrictEqual(h.shop(), SHOP_MIGRATIONS);
        assert.strictEqual((await h.migrate()).kind, 'nothing-to-apply');

        assert.strictEqual((await h.migrate({ app: 'orders', target: '0003' })).kind, 'ok');
        assert.deepStrictEqual(
          h.shop(),
          SHOP_MIGRATIONS.filter((k) => !/orders\.000[45]/.test(k)),
        );
        assert.strictEqual((await h.migrate({ app: 'orders', target: 'zero' })).kind, 'ok');
        assert.deepStrictEqual(
          h.shop(),
          SHOP_MIGRATIONS.filter((k) => k.startsWith('store.')),
        );

        // --fake records without running: the history says applied, the table is not there.
        assert.strictEqual((await h.migrate({ app: 'orders', target: '0001', fake: true })).kind, 'ok');
        assert.ok(h.shop().includes('orders.0001_initial'));
        assert.throws(() => project.sql('SELECT COUNT(*) FROM orders_order'), /orders_order/);
        assert.strictEqual((await h.migrate({ app: 'orders', target: 'zero', fake: true })).kind, 'ok');
        assert.ok(!h.shop().includes('orders.0001_initial'));

        const show = await h.run(manageArgs.showmigrations(['store']));
        assert.match(show.stdout, /^store\n \[X\] 0001_initial \(applied at .*\)\n \[X\] 0002_collection/m);
        const sql = await h.run(manageArgs.sqlmigrate('store', '0002', true));
        assert.match(sql.stdout, /-- Create model Collection/);
      });

      it('classifies NULL rows before NOT NULL, a missing column, a table that already exists, and inconsistent history', async () => {
        await h.migrate({ app: 'store', target: '0002' });
        project.sql("INSERT INTO store_category (name, slug) VALUES ('Tea', 'tea')", "INSERT INTO store_product (name, price, category_id, sku) SELECT 'Green', 3.5, id, NULL FROM store_category");
        const notNull = await h.migrate({ app: 'store' });
        assert.strictEqual(notNull.kind, 'not-null', notNull.cause);
        assert.match(notNull.message, /existing rows hold NULL .*Fill them first/);
        assert.ok(!h.shop().includes('store.0003_product_sku_required'));
        project.sql("UPDATE store_product SET sku = 'G-1'");
        assert.strictEqual((await h.migrate()).kind, 'ok');

        // The history forgets 0005 while its column is already gone: applying it for real fails.
        await h.migrate({ app: 'orders', target: '0004', fake: true });
        const missing = await h.migrate({ app: 'orders' });
        // Django 3.2 on SQLite rebuilds the table from the columns it has, so nothing fails there.
        const expected = engine === 'sqlite' && rt.version === '3.2' ? 'ok' : 'column-missing';
        assert.strictEqual(missing.kind, expected, `${missing.kind}: ${missing.cause}`);
        await h.migrate({ app: 'orders', fake: true });

        // The schema has the table, the history does not.
        await h.migrate({ app: 'orders', target: 'zero' });
        project.sql('CREATE TABLE orders_order (id integer PRIMARY KEY)');
        const exists = await h.migrate({ app: 'orders' });
        assert.strictEqual(exists.kind, 'already-exists', `${exists.kind}: ${exists.cause}`);
        assert.match(exists.message, /"Fake apply" records it without running it/);
        project.sql('DROP TABLE orders_order');

        // orders.0001 recorded while store.0001, its dependency, is not.
        await h.migrate({ app: 'store', target: 'zero' });
        project.sql("INSERT INTO django_migrations (app, name, applied) VALUES ('orders', '0001_initial', '2026-01-01 00:00:00')");
        const inconsistent = await h.migrate();
        assert.strictEqual(inconsistent.kind, 'inconsistent-history');
        assert.match(inconsistent.message, /Migration orders\.0001_initial is applied before its dependency store\.0001_initial/);
      });

      it('stops before an irreversible roll back; run anyway, Django unapplies part of the plan and fails', async () => {
        project.write('orders', '0006_backfill', migration('("orders", "0005_remove_order_note")', '        migrations.RunPython(lambda apps, schema_editor: None),'));
        project.write('orders', '0007_index', migration('("orders", "0006_backfill")', '        migrations.AddIndex("order", models.Index(fields=["status"], name="order_status_idx")),'));
        assert.strictEqual((await h.migrate()).kind, 'ok');
        const bridge = new Bridge({ python: rt.python, projectRoot: project.root, script: BRIDGE_SCRIPT, env: h.env });
        try {
          const check = await preflight(bridge, { app: 'orders', target: '0005' });
          assert.ok(check.blocked);
          assert.deepStrictEqual(
            check.steps.map((s) => s.name),
            ['0007_index', '0006_backfill'],
          );
          assert.deepStrictEqual(
            check.irreversible.map((i) => i.name),
            ['0006_backfill'],
          );
        } finally {
          bridge.dispose();
        }
        const outcome = await h.migrate({ app: 'orders', target: '0005' });
        assert.strictEqual(outcome.kind, 'irreversible');
        assert.match(outcome.message, /orders\.0006_backfill cannot be rolled back .*Django had already unapplied the migrations after it/);
        const now = h.shop();
        assert.ok(!now.includes('orders.0007_index') && now.includes('orders.0006_backfill'), 'the half-done state the preflight prevents');
      });

      it('merges a real conflict, and checks for missing migrations with and without model changes', async () => {
        assert.strictEqual((await h.migrate()).kind, 'ok');
        project.write('orders', '0006_a', migration('("orders", "0005_remove_order_note")', '        migrations.RunSQL("SELECT 1;", "SELECT 1;"),'));
        project.write('orders', '0006_b', migration('("orders", "0005_remove_order_note")', '        migrations.RunSQL("SELECT 2;", "SELECT 2;"),'));
        const conflict = await h.migrate();
        assert.strictEqual(conflict.kind, 'conflict');
        assert.deepStrictEqual(conflict.apps, ['orders']);
        assert.deepStrictEqual(conflict.actions[0], 'merge');
        const merged = await h.run(manageArgs.makemigrations({ apps: ['orders'], merge: true }));
        assert.strictEqual(classify(merged).kind, 'ok', merged.stderr);
        const file = /Created new merge migration (.*\.py)/.exec(merged.stdout)?.[1];
        assert.ok(file && fs.existsSync(file), merged.stdout);
        assert.strictEqual((await h.migrate()).kind, 'ok');
        assert.ok(h.shop().some((k) => k.startsWith('orders.0007_merge')));

        const clean = await h.run(manageArgs.makemigrations({ check: true }));
        assert.strictEqual(classify(clean).kind, 'ok', clean.stdout + clean.stderr);
        fs.appendFileSync(path.join(project.root, 'store', 'models.py'), '\n\nclass Supplier(models.Model):\n    name = models.CharField(max_length=50)\n');
        const before = fs.readdirSync(path.join(project.root, 'store', 'migrations'));
        const dirty = classify(await h.run(manageArgs.makemigrations({ check: true })));
        assert.strictEqual(dirty.kind, 'missing-migrations');
        assert.deepStrictEqual(dirty.apps, ['store']);
        assert.deepStrictEqual(fs.readdirSync(path.join(project.root, 'store', 'migrations')), before, '--check --dry-run wrote nothing');
        const notReflected = await h.migrate();
        assert.strictEqual(notReflected.kind, 'models-changed');
        assert.deepStrictEqual(notReflected.apps, ['store']);
      });

      it('cancels a migrate mid-migration, and refuses a second migrate of the project meanwhile', async () => {
        await h.migrate({ app: 'store' });
        project.write(
          'store',
          '0004_slow',
          migration(
            '("store", "0003_product_sku_required")',
            '        migrations.RunSQL("CREATE TABLE ml_cancel_probe (id integer)", "DROP TABLE ml_cancel_probe"),\n        migrations.RunPython(slow, migrations.RunPython.noop),',
            '\nimport time\n\n\ndef slow(apps, schema_editor):\n    time.sleep(60)\n',
          ),
        );
        const abort = new AbortController();
        const running = h.run(manageArgs.migrate({ app: 'store' }), abort.signal, (t) => {
          if (/Applying store\.0004_slow/.test(t)) setTimeout(() => abort.abort(), 1000);
        });
        await new Promise((r) => setTimeout(r, 300));
        await assert.rejects(h.run(manageArgs.migrate({ app: 'orders' })), BusyError);
        const readOnly = await h.run(manageArgs.showmigrations(['store'], false));
        assert.strictEqual(readOnly.code, 0, 'read-only commands still run');
        const started = Date.now();
        const result = await running;
        assert.ok(Date.now() - started < 30_000);
        const outcome = classify(result);
        assert.strictEqual(outcome.kind, 'cancelled');
        assert.ok(!h.shop().includes('store.0004_slow'));
        // PostgreSQL and SQLite roll the DDL back with the migration; MySQL/MariaDB cannot.
        const probe = () => project.sql('SELECT COUNT(*) FROM ml_cancel_probe');
        if (engine === 'mysql') probe();
        else assert.throws(probe, /ml_cancel_probe/);
        assert.strictEqual((await h.migrate({ app: 'orders' })).kind, 'ok', 'the lock was released');
      });
    });
  }
}

describe('runner: environment, interpreter and connection failures', function () {
  this.timeout(120_000);
  const rt = DJANGOS[0];

  it("passes the project's .env and the database configured in the extension to manage.py", async function () {
    requireDjango(this, rt);
    const lab = labProject(['lab']);
    try {
      lab.write('lab', '0001_initial', migration('', '        migrations.CreateModel("Thing", [("id", models.AutoField(primary_key=True))]),'));
      const base: NodeJS.ProcessEnv = { ...process.env, LAB_APPS: 'lab' };
      delete base.DB_ENGINE;
      delete base.DB_NAME;
      fs.writeFileSync(path.join(lab.root, '.env'), `DB_ENGINE=sqlite\nDB_NAME=${path.join(lab.root, '_data', 'from-dotenv.sqlite3')}\n`);
      const r1 = await runManage(manageArgs.migrate(), { python: rt.python, projectRoot: lab.root, env: djangoEnv(lab.root, undefined, base) });
      assert.strictEqual(classify(r1).kind, 'ok', r1.stderr);
      assert.ok(fs.existsSync(path.join(lab.root, '_data', 'from-dotenv.sqlite3')));
      const file = path.join(lab.root, '_data', 'from-settings.sqlite3');
      const env = djangoEnv(lab.root, { engine: 'sqlite', file, source: 'settings (migrationLens.database)' }, base);
      assert.strictEqual(classify(await runManage(manageArgs.migrate(), { python: rt.python, projectRoot: lab.root, env })).kind, 'ok');
      assert.ok(fs.existsSync(file));
    } finally {
      lab.dispose();
    }
  });

  it('gives up waiting for a lock after migrationLens.migrate.lockTimeout on PostgreSQL: nothing changed, retry applies it', async function () {
    requireDjango(this, rt);
    const db = freshDatabase(this, 'postgres', 'lock');
    const project = shopCopy({ ...rt.env, ...db.env }, rt.python);
    const holder = new Client({ host: db.env.DB_HOST, port: Number(db.env.DB_PORT), user: db.env.DB_USER, database: db.env.DB_NAME });
    try {
      const env = djangoEnv(project.root, undefined, { ...process.env, ...project.env });
      const migrate = (e: NodeJS.ProcessEnv) => runManage(manageArgs.migrate({ app: 'store' }), { python: rt.python, projectRoot: project.root, env: e });
      assert.strictEqual(classify(await runManage(manageArgs.migrate({ app: 'store', target: '0002' }), { python: rt.python, projectRoot: project.root, env })).kind, 'ok');
      // A long transaction reads the table: SET NOT NULL (0003) needs ACCESS EXCLUSIVE and waits.
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM store_product LIMIT 1');
      const started = Date.now();
      const timedOut = classify(await migrate(withLockTimeout(env, '300ms')));
      assert.strictEqual(timedOut.kind, 'lock-timeout', timedOut.message);
      assert.ok(Date.now() - started < 15_000);
      assert.deepStrictEqual(timedOut.actions, ['retry', 'show-log']);
      assert.match(timedOut.message, /nothing was changed/);
      assert.ok(!project.recorded().some((l) => l.startsWith('store.0003')), 'nothing recorded');
      await holder.query('ROLLBACK');
      // Retry once the table is quiet.
      assert.strictEqual(classify(await migrate(withLockTimeout(env, '300ms'))).kind, 'ok');
      assert.ok(project.recorded().some((l) => l.startsWith('store.0003')));
      // A malformed value passes nothing; PGOPTIONS already set is kept.
      assert.strictEqual(withLockTimeout({ PGOPTIONS: '-c search_path=x' }, '5 seconds').PGOPTIONS, '-c search_path=x');
      assert.strictEqual(withLockTimeout({ PGOPTIONS: '-c search_path=x' }, '5s').PGOPTIONS, '-c search_path=x -c lock_timeout=5s');
    } finally {
      await holder.end().catch(() => undefined);
      project.dispose();
      db.drop();
    }
  });

  it('classifies a wrong password (MariaDB), an unreachable server and a missing interpreter', async function () {
    requireDjango(this, rt);
    const maria = SERVERS.find((s) => s.engine === 'mysql')!;
    requireServer(this, maria);
    const db = freshDatabase(this, 'mysql' as EngineName, 'pw');
    const project = shopCopy({ ...db.env }, rt.python);
    try {
      const user = `ml_pw_${process.pid}`;
      project.sql(...['localhost', '127.0.0.1'].flatMap((host) => [`DROP USER IF EXISTS '${user}'@'${host}'`, `CREATE USER '${user}'@'${host}' IDENTIFIED BY 'right-password'`]));
      const env = djangoEnv(project.root, undefined, { ...process.env, ...project.env, DB_USER: user, DB_PASSWORD: 'wrong-password' });
      const auth = classify(await runManage(manageArgs.migrate(), { python: rt.python, projectRoot: project.root, env }));
      assert.strictEqual(auth.kind, 'auth');
      assert.deepStrictEqual(auth.actions, ['set-password', 'configure-database']);
      assert.ok(!auth.message.includes('wrong-password'), 'the password is never repeated');
      project.sql(...['localhost', '127.0.0.1'].map((host) => `DROP USER '${user}'@'${host}'`));

      const refused = { ...process.env, ...project.env, DB_ENGINE: 'postgres', DB_HOST: '127.0.0.1', DB_PORT: '1', DB_USER: 'postgres' };
      const unreachable = classify(await runManage(manageArgs.migrate(), { python: rt.python, projectRoot: project.root, env: djangoEnv(project.root, undefined, refused) }));
      assert.strictEqual(unreachable.kind, 'connection');
      assert.match(unreachable.message, /could not reach the database: OperationalError: .*(Connection refused|connection to server)/);

      const spawn = classify(await runManage(manageArgs.migrate(), { python: '/nonexistent/python3', projectRoot: project.root, env: process.env }));
      assert.strictEqual(spawn.kind, 'spawn');
      assert.deepStrictEqual(spawn.actions, ['select-interpreter']);
    } finally {
      project.dispose();
      db.drop();
      void admin;
    }
  });

  it('never passes a value that manage.py could read as an option', () => {
    assert.deepStrictEqual(manageArgs.migrate({ app: 'store', target: 'zero', fake: true }), ['migrate', 'store', 'zero', '--fake', '--noinput']);
    assert.deepStrictEqual(manageArgs.makemigrations({ check: true }), ['makemigrations', '--noinput', '--check', '--dry-run']);
    for (const bad of ['--fake', '-h', 'store; rm -rf /', '$(id)', 'a b', 'x\ny', '../store', '']) {
      assert.throws(() => manageArgs.migrate({ app: bad || 'store', target: bad || '-' }), InvalidArgumentError, JSON.stringify(bad));
    }
    assert.throws(() => manageArgs.migrate({ target: '0001' }), /needs its app/);
    assert.deepStrictEqual(manageArgs.migrate({ app: 'store', target: '0005_remove-version-alias' }), ['migrate', 'store', '0005_remove-version-alias', '--noinput']);
  });
});
