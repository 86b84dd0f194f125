// The warm bridge with real Django (3.2 and 4.2) on SQLite, PostgreSQL and MariaDB, on copies of
// examples/shop: SQL byte for byte as `manage.py sqlmigrate` prints it, plans as `migrate` resolves
// them, the rollback preflight, settings.DATABASES, makemigrations --check, edited files, crashes
// and hung requests.
import * as assert from 'assert';
import * as cp from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Bridge, BridgeError } from '../../core/src/django/bridge';
import { BRIDGE_PROTOCOL } from '../../core/src/django/bridge-protocol';
import { preflight } from '../../core/src/django/preflight';
import { fromDjangoSettings, resolveConnection } from '../../core/src/config/connection';
import { ProjectDatabase } from '../../core/src/database/session';
import { operationTitle, statementCount } from '../../client/src/views/sql-text';
import { BRIDGE_SCRIPT, DJANGOS, DjangoRuntime, ENGINES, freshDatabase, requireDjango } from '../helpers/djangos';
import { LabProject, shopCopy } from '../helpers/django-project';

const IRREVERSIBLE = `from django.db import migrations


def touch(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("orders", "0005_remove_order_note")]

    operations = [
        migrations.RunSQL("SELECT 1;", reverse_sql="SELECT 1;"),
        migrations.RunPython(touch),
        migrations.SeparateDatabaseAndState(database_operations=[migrations.RunSQL("SELECT 2;")]),
    ]
`;

function sqlmigrate(project: LabProject, rt: DjangoRuntime, app: string, name: string, backwards: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const args = ['manage.py', 'sqlmigrate', app, name, ...(backwards ? ['--backwards'] : [])];
    cp.execFile(rt.python, args, { cwd: project.root, env: { ...process.env, ...project.env }, encoding: 'utf8' }, (err, stdout, stderr) =>
      err ? reject(new Error(`sqlmigrate ${app} ${name}: ${stderr}`)) : resolve(stdout),
    );
  });
}

async function inBatches<T>(items: T[], size: number, fn: (t: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

function bridgeFor(project: LabProject, rt: DjangoRuntime, timeoutMs?: number): Bridge {
  return new Bridge({ python: rt.python, projectRoot: project.root, script: BRIDGE_SCRIPT, env: { ...process.env, ...project.env }, timeoutMs });
}

for (const rt of DJANGOS) {
  for (const engine of ENGINES) {
    describe(`bridge: Django ${rt.version} on ${engine}`, function () {
      this.timeout(120_000);
      let project: LabProject;
      let drop = () => undefined as void;
      let bridge: Bridge;

      before(function () {
        requireDjango(this, rt);
        const db = freshDatabase(this, engine, 'br');
        drop = db.drop;
        project = shopCopy({ ...rt.env, ...db.env }, rt.python);
        project.manage('migrate', '--noinput', 'store', '0002');
        bridge = bridgeFor(project, rt);
      });
      after(() => {
        bridge?.dispose();
        project?.dispose();
        drop();
      });

      it('writes the SQL of every migration, forward and backward, byte for byte as sqlmigrate', async () => {
        const ping = await bridge.request('ping');
        assert.ok(ping.django.startsWith(`${rt.version}.`), ping.django);
        const state = await bridge.request('state');
        // reviews (db_default, GeneratedField, CompositePrimaryKey, AlterConstraint) is installed from Django 5.2 on.
        const modern = Number(rt.version) >= 5.2;
        const shop = state.nodes.filter((n) => n.app === 'store' || n.app === 'orders' || n.app === 'reviews');
        assert.strictEqual(shop.length, modern ? 13 : 8);
        const cases = shop.flatMap((n) => [false, true].map((backwards) => ({ n, backwards })));
        let compared = 0;
        await inBatches(cases, 6, async ({ n, backwards }) => {
          const [expected, got] = await Promise.all([sqlmigrate(project, rt, n.app, n.name, backwards), bridge.request('sql', { app: n.app, name: n.name, backwards })]);
          assert.strictEqual(got.text, expected, `${n.app}.${n.name}${backwards ? ' backwards' : ''}`);
          // Split per operation: each operation once, in Django's order, its statements inside the text.
          assert.ok(got.split, `${n.app}.${n.name} split`);
          const order = n.operations.map((o) => o.description);
          assert.deepStrictEqual(
            got.operations.map((o) => o.description),
            backwards ? [...order].reverse() : order,
          );
          let at = 0;
          for (const op of got.operations) {
            for (const line of op.sql) {
              const found = got.text.indexOf(line, at);
              assert.ok(found >= 0, `${n.app}.${n.name}: "${line}" in order`);
              at = found + line.length;
            }
          }
          assert.strictEqual(got.transactional, engine !== 'mysql');
          compared++;
        });
        assert.strictEqual(compared, shop.length * 2);
        if (modern) {
          // AlterConstraint of a message only: `-- (no-op)` in sqlmigrate's text, no statement to run.
          const noop = await bridge.request('sql', { app: 'reviews', name: '0005_rating_message', backwards: false });
          assert.deepStrictEqual(
            noop.operations.map((o) => [o.description, operationTitle(o)]),
            [['Alter constraint reviews_rating_1_to_5 on review', "no SQL: changes only Django's model state"]],
          );
          assert.strictEqual(statementCount(noop), 0);
          assert.match(noop.text, /-- \(no-op\)/);
        }
      });

      it('plans as migrate resolves its arguments: all, one app, a target, zero', async () => {
        const all = await bridge.request('plan', {});
        const names = all.steps.map((s) => `${s.app}.${s.name}${s.backwards ? '-' : '+'}`);
        assert.ok(names.includes('store.0003_product_sku_required+') && names.includes('orders.0005_remove_order_note+'));
        assert.ok(names.indexOf('store.0001_initial+') === -1, 'applied migrations are not planned');
        const store = await bridge.request('plan', { app: 'store' });
        assert.deepStrictEqual(
          store.steps.map((s) => s.name),
          ['0003_product_sku_required'],
        );
        const back = await bridge.request('plan', { app: 'store', target: '0001' });
        assert.deepStrictEqual(
          back.steps.map((s) => [s.name, s.backwards]),
          [['0002_collection', true]],
        );
        const zero = await bridge.request('plan', { app: 'store', target: 'zero' });
        assert.deepStrictEqual(
          zero.steps.map((s) => s.name),
          ['0002_collection', '0001_initial'],
        );
        assert.deepStrictEqual(zero.irreversible, []);
        await assert.rejects(
          bridge.request('plan', { app: 'store', target: '0009' }),
          (e: BridgeError) => e.kind === 'not-found' && e.message === "Cannot find a migration matching '0009' from app 'store'. Is it in INSTALLED_APPS?",
        );
      });

      it('finds every irreversible operation on the backward path before anything runs', async () => {
        project.manage('migrate', '--noinput');
        project.write('orders', '0006_irreversible', IRREVERSIBLE);
        project.manage('migrate', '--noinput', 'orders');
        const before = project.recorded();
        const check = await preflight(bridge, { app: 'orders', target: '0004' });
        assert.strictEqual(check.direction, 'backward');
        assert.ok(check.blocked);
        assert.deepStrictEqual(
          check.irreversible.map((i) => `${i.name} #${i.index} ${i.reason}`),
          ['0006_irreversible #1 RunPython without reverse_code', '0006_irreversible #2 RunSQL without reverse_sql inside SeparateDatabaseAndState'],
        );
        assert.match(check.summary, /Unapply 2 migrations\. 2 operations cannot be reversed, first orders\.0006_irreversible #2/);
        // Faking runs no operation, so nothing blocks it.
        assert.strictEqual((await preflight(bridge, { app: 'orders', target: '0004', fake: true })).blocked, false);
        assert.deepStrictEqual(project.recorded(), before, 'planning wrote nothing');
        project.manage('migrate', '--noinput', '--fake', 'orders', '0005');
        project.remove('orders', '0006_irreversible');
      });

      it('answers settings.DATABASES, and the extension reads the same database from it', async () => {
        const { databases } = await bridge.request('databases');
        const d = databases.default;
        assert.strictEqual(d.engine, engine);
        const inputs = { projectRoot: project.root, env: {}, django: fromDjangoSettings(d, project.root) };
        assert.strictEqual(resolveConnection(inputs).source, "Django's settings.DATABASES['default']");
        const db = new ProjectDatabase(project.root);
        try {
          const report = await db.readApplied(inputs);
          assert.ok(report.rows, report.problem?.message);
          assert.deepStrictEqual(
            report.rows.map((r) => `${r.app}.${r.name}`).sort(),
            project
              .recorded()
              .map((l) => l.split(' ')[0])
              .sort(),
          );
        } finally {
          await db.close();
        }
      });
    });
  }
}

for (const rt of DJANGOS) {
  describe(`bridge lifecycle: Django ${rt.version}`, function () {
    this.timeout(120_000);
    let project: LabProject;
    let bridge: Bridge;

    beforeEach(function () {
      requireDjango(this, rt);
      project = shopCopy({ ...rt.env, DB_ENGINE: 'sqlite' }, rt.python);
      bridge = bridgeFor(project, rt, 4000);
    });
    afterEach(() => {
      bridge?.dispose();
      project?.dispose();
    });

    it('re-reads an edited migration file without restarting', async () => {
      const first = await bridge.request('sql', { app: 'store', name: '0002' });
      assert.match(first.text, /varchar\(100\) NOT NULL UNIQUE/);
      const pid = bridge.pid;
      const file = path.join(project.root, 'store', 'migrations', '0002_collection.py');
      // Same length, same second: only a fresh compile of the source can see this edit.
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('max_length=100, unique', 'max_length=120, unique'));
      const second = await bridge.request('sql', { app: 'store', name: '0002' });
      assert.match(second.text, /varchar\(120\) NOT NULL UNIQUE/);
      assert.strictEqual(bridge.pid, pid);
      const added = project.write(
        'store',
        '0004_extra',
        `from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("store", "0003_product_sku_required")]\n    operations = [migrations.RunSQL("SELECT 4;", "SELECT 5;")]\n`,
      );
      assert.match((await bridge.request('sql', { app: 'store', name: '0004' })).text, /SELECT 4;/);
      fs.rmSync(added);
      await assert.rejects(bridge.request('sql', { app: 'store', name: '0004' }), (e: BridgeError) => e.kind === 'not-found');
      assert.strictEqual(bridge.starts, 1);
    });

    it('never creates the SQLite file it is asked about, and still writes what sqlmigrate writes', async () => {
      const file = path.join(project.root, '_data', 'db.sqlite3');
      const answers = [];
      for (const backwards of [false, true]) answers.push((await bridge.request('sql', { app: 'store', name: '0003', backwards })).text);
      assert.deepStrictEqual((await bridge.request('state')).applied, []);
      assert.ok(!fs.existsSync(file), 'no database file created');
      // sqlmigrate itself creates the empty file; its output matches what the bridge answered.
      for (const backwards of [false, true]) assert.strictEqual(answers.shift(), await sqlmigrate(project, rt, 'store', '0003', backwards));
      assert.ok(fs.existsSync(file));
      project.manage('migrate', '--noinput', 'store', '0001');
      assert.deepStrictEqual(
        (await bridge.request('state')).applied!.filter((r) => r[0] === 'store').map((r) => r[1]),
        ['0001_initial'],
      );
    });

    it('starts again after the process is killed', async () => {
      await bridge.request('ping');
      const pid = bridge.pid!;
      const pending = bridge.request('sql', { app: 'store', name: '0001' });
      process.kill(pid, 'SIGKILL');
      await pending.then(
        (r) => assert.ok(r.text.length > 0, 'answered before the kill'),
        (e: BridgeError) => assert.strictEqual(e.kind, 'crashed'),
      );
      const again = await bridge.request('sql', { app: 'store', name: '0001' });
      assert.match(again.text, /CREATE TABLE "store_category"/);
      assert.notStrictEqual(bridge.pid, pid);
      assert.strictEqual(bridge.starts, 2);
    });

    it('stops a hung request after its timeout and answers the next one', async () => {
      await bridge.request('ping');
      const hang = project.write('store', '0004_hang', 'import time\ntime.sleep(60)\n');
      const started = Date.now();
      await assert.rejects(bridge.request('sql', { app: 'store', name: '0001' }), (e: BridgeError) => e.kind === 'timeout' && /within 4000 ms/.test(e.message));
      assert.ok(Date.now() - started < 10_000);
      fs.rmSync(hang);
      assert.match((await bridge.request('sql', { app: 'store', name: '0001' })).text, /store_category/);
      assert.strictEqual(bridge.starts, 2);
    });

    it('reports what makemigrations --check would create, and restarts itself when models change', async () => {
      assert.deepStrictEqual((await bridge.request('missing')).changes, []);
      const models = path.join(project.root, 'store', 'models.py');
      fs.appendFileSync(models, '\n\nclass Supplier(models.Model):\n    name = models.CharField(max_length=50)\n');
      const missing = await bridge.request('missing');
      assert.strictEqual(bridge.starts, 2, 'a changed models.py restarts the process');
      assert.deepStrictEqual(
        missing.changes.map((c) => [c.app, c.name, c.operations]),
        [['store', '0004_supplier', ['Create model Supplier']]],
      );
      assert.match(missing.changes[0].source, /migrations\.CreateModel\(\s+name=.Supplier./);
      // Django's own check agrees, and neither wrote a file.
      const r = cp.spawnSync(rt.python, ['manage.py', 'makemigrations', '--check', '--dry-run', '--noinput'], { cwd: project.root, env: { ...process.env, ...project.env }, encoding: 'utf8' });
      assert.strictEqual(r.status, 1);
      assert.match(r.stdout, /0004_supplier\.py/);
      assert.ok(!fs.existsSync(missing.changes[0].path));
    });

    it('refuses a bridge script of another protocol version, once, with what to do', async () => {
      const stale = path.join(project.root, 'stale_bridge.py');
      const text = fs.readFileSync(BRIDGE_SCRIPT, 'utf8');
      assert.match(text, new RegExp(`^PROTOCOL = ${BRIDGE_PROTOCOL}$`, 'm'), 'the script and the extension agree');
      fs.writeFileSync(stale, text.replace(/^PROTOCOL = \d+$/m, 'PROTOCOL = 99'));
      const other = new Bridge({ python: rt.python, projectRoot: project.root, script: stale, env: { ...process.env, ...project.env } });
      try {
        await assert.rejects(other.request('ping'), (e: BridgeError) => e.kind === 'protocol' && /speaks protocol 99, this extension 1: reinstall the extension/.test(e.message));
        await assert.rejects(other.request('ping'), (e: BridgeError) => e.kind === 'protocol', 'not booted again');
      } finally {
        other.dispose();
      }
    });

    it('says clearly when Django cannot boot, and when Django is missing', async () => {
      fs.appendFileSync(path.join(project.root, 'shop', 'settings.py'), '\nraise RuntimeError("settings are broken on purpose")\n');
      await assert.rejects(
        bridge.request('ping'),
        (e: BridgeError) => e.kind === 'boot' && /Django did not start with settings 'shop.settings': RuntimeError: settings are broken on purpose/.test(e.message),
      );
      // -I -S: an interpreter without Debian's dist-packages, so without Django.
      const bare = path.join(project.root, 'bare-python');
      fs.writeFileSync(bare, `#!/bin/sh\nexec ${rt.python} -I -S "$@"\n`, { mode: 0o755 });
      const without = new Bridge({ python: bare, projectRoot: project.root, script: BRIDGE_SCRIPT, env: { PATH: process.env.PATH, ...rt.env } });
      try {
        await assert.rejects(without.request('ping'), (e: BridgeError) => e.kind === 'django-missing' && /Django cannot be imported by/.test(e.message));
      } finally {
        without.dispose();
      }
      const missing = new Bridge({ python: '/nonexistent/python3', projectRoot: project.root, script: BRIDGE_SCRIPT });
      await assert.rejects(missing.request('ping'), (e: BridgeError) => e.kind === 'spawn' && /Python could not be started/.test(e.message));
    });
  });
}
