// What a user sees when the database cannot answer: each failure named, with the resolved source
// and without the password, and the probes stopped by the statement timeout.
import * as assert from 'assert';
import * as cp from 'child_process';
import * as path from 'path';
import { Client } from 'pg';
import { createConnection } from 'mysql2/promise';
import { ProjectDatabase } from '../../core/src/database/session';
import { labProject, LabProject } from '../helpers/django-project';
import { admin, PYTHON, requireServer, SERVERS } from '../helpers/servers';
import type { ProbeSpec } from '../../server/src/protocol';

const [PG, MARIA] = SERVERS;
const SECRET = 'S3cret-never-shown';

const INITIAL = `from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(name="Item", fields=[("id", models.AutoField(primary_key=True)), ("code", models.CharField(max_length=20, null=True))]),
    ]
`;

const NULLS: ProbeSpec = { id: 'n', migration: 'lab.0002', source: 'ML202', probe: { kind: 'nulls', table: 'lab_item', column: 'code' } };

describe('database failures a user can act on', function () {
  this.timeout(60_000);
  const projectRoot = path.join(__dirname, 'nowhere', 'shop');

  it('names a stopped server, with the resolved source', async () => {
    const db = new ProjectDatabase(projectRoot, { connectTimeoutMs: 2000 });
    for (const engine of ['postgres', 'mysql']) {
      const r = await db.readApplied({ projectRoot, env: { DB_ENGINE: engine, DB_HOST: '127.0.0.1', DB_PORT: '1', DB_PASSWORD: SECRET } });
      assert.strictEqual(r.problem?.kind, 'unreachable', r.problem?.message);
      assert.match(r.problem!.message, /cannot be reached .*@127\.0\.0\.1:1\/shop \(from DB_\* variables/);
      assert.ok(!r.problem!.message.includes(SECRET));
    }
    await db.close();
  });

  it('names a wrong password (MariaDB checks it) without showing it', async function () {
    requireServer(this, MARIA);
    const root = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
    const user = `ml_pw_${process.pid}`;
    try {
      for (const host of ['localhost', '127.0.0.1']) {
        await root.query(`DROP USER IF EXISTS ?@?`, [user, host]);
        await root.query(`CREATE USER ?@? IDENTIFIED BY 'right-one'`, [user, host]);
      }
      const db = new ProjectDatabase(projectRoot);
      const env = { DB_ENGINE: 'mysql', DB_HOST: '127.0.0.1', DB_PORT: '3306', DB_USER: user, DB_NAME: 'test', DB_PASSWORD: SECRET };
      const r = await db.readApplied({ projectRoot, env });
      assert.strictEqual(r.problem?.kind, 'auth', r.problem?.message);
      assert.match(r.problem!.message, /Wrong user or password .*Set Database Password/);
      assert.ok(!r.problem!.message.includes(SECRET) && !r.description.includes(SECRET));
      // The password stored with the command wins over DB_PASSWORD.
      const ok = await db.readApplied({ projectRoot, env, storedPassword: 'right-one' });
      assert.notStrictEqual(ok.problem?.kind, 'auth', ok.problem?.message);
      await db.close();
    } finally {
      for (const host of ['localhost', '127.0.0.1']) await root.query(`DROP USER IF EXISTS ?@?`, [user, host]);
      await root.end();
    }
  });

  it('names a database that does not exist', async function () {
    requireServer(this, PG);
    const db = new ProjectDatabase(projectRoot);
    const r = await db.readApplied({ projectRoot, env: { ...PG.env, DB_NAME: 'ml_no_such_database' } });
    assert.strictEqual(r.problem?.kind, 'unknown-database', r.problem?.message);
    assert.match(r.problem!.message, /does not exist/);
    await db.close();
  });

  it('names an unsupported engine', async () => {
    const db = new ProjectDatabase(projectRoot);
    const r = await db.readApplied({ projectRoot, env: { DB_ENGINE: 'oracle' } });
    assert.strictEqual(r.problem?.kind, 'config');
    assert.match(r.problem!.message, /DB_ENGINE in environment: engine 'oracle' is not supported/);
  });

  describe('on a fresh database', () => {
    let lab: LabProject | undefined;
    let dbName: string | undefined;
    afterEach(() => {
      lab?.dispose();
      lab = undefined;
      if (dbName) for (const s of SERVERS) admin(s, 'drop', dbName);
      dbName = undefined;
    });

    /** The lab app migrated on `server` (SQLite when none), in a database of its own. */
    const project = (server?: (typeof SERVERS)[number], tag = 'slow') => {
      let env: Record<string, string> = { DB_ENGINE: 'sqlite' };
      if (server) {
        dbName = `ml_${tag}_${process.pid}`;
        assert.ok(admin(server, 'create', dbName).ok);
        env = { ...server.env, DB_NAME: dbName };
      }
      lab = labProject(['lab'], env);
      lab.write('lab', '0001_initial', INITIAL);
      lab.manage('migrate', '--noinput');
      return lab;
    };

    describe('the server drops the connection in the middle of a read', () => {
      for (const server of [PG, MARIA]) {
        it(`on ${server.engine}: the probe that was running says so, the next read works on a new connection`, async function () {
          requireServer(this, server);
          const lab = project(server, 'drop');
          const pg = server === PG;
          // Another session holds a lock, so the probe is still running when its connection is cut.
          const locker = pg ? new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: dbName }) : undefined;
          const maria = pg ? undefined : await createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '', database: dbName });
          try {
            if (locker) {
              await locker.connect();
              await locker.query('BEGIN');
              await locker.query('LOCK TABLE lab_item IN ACCESS EXCLUSIVE MODE');
            } else await maria!.query('LOCK TABLES lab_item WRITE');
            const db = new ProjectDatabase(lab.root, { statementTimeoutMs: 20_000 });
            assert.strictEqual((await db.readApplied({ projectRoot: lab.root, env: lab.env })).problem, undefined);
            const started = Date.now();
            const probing = db.probe([NULLS]);
            await new Promise((r) => setTimeout(r, 700));
            // Cut every connection of the extension's reader, as a server restart would.
            if (locker) {
              const c = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: dbName });
              await c.connect();
              await c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'migration-lens'");
              await c.end();
            } else {
              const [rows] = (await maria!.query('SELECT id FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()', [dbName])) as unknown as [{ id: number }[]];
              for (const r of rows) await maria!.query(`KILL ${Number(r.id)}`);
            }
            const [r] = await probing;
            assert.ok(r.error, `the cut probe reports an error: ${JSON.stringify(r)}`);
            assert.doesNotMatch(r.error!, /statement timeout/);
            assert.ok(Date.now() - started < 10_000, 'it did not wait for the timeout');
            if (locker) await locker.query('ROLLBACK');
            else await maria!.query('UNLOCK TABLES');
            const again = await db.readApplied({ projectRoot: lab.root, env: lab.env });
            assert.strictEqual(again.problem, undefined, again.problem?.message);
            assert.ok(again.rows!.some((x) => x.app === 'lab'));
            const [next] = await db.probe([NULLS]);
            assert.strictEqual(next.error, undefined, next.error);
            await db.close();
          } finally {
            await locker?.end().catch(() => undefined);
            await maria?.end().catch(() => undefined);
          }
        });
      }
    });

    describe('a slow probe is stopped by the statement timeout', () => {
      it('on PostgreSQL, behind a lock held by another session', async function () {
        requireServer(this, PG);
        const p = project(PG);
        const locker = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: dbName });
        await locker.connect();
        try {
          await locker.query('BEGIN');
          await locker.query('LOCK TABLE lab_item IN ACCESS EXCLUSIVE MODE');
          const db = new ProjectDatabase(p.root, { statementTimeoutMs: 300 });
          assert.strictEqual((await db.readApplied({ projectRoot: p.root, env: p.env })).problem, undefined);
          const started = Date.now();
          const [r] = await db.probe([NULLS]);
          assert.match(r.error ?? '', /statement timeout/, JSON.stringify(r));
          assert.ok(Date.now() - started < 5000);
          await db.close();
        } finally {
          await locker.end();
        }
      });

      it('on MariaDB, behind a table lock held by another session', async function () {
        requireServer(this, MARIA);
        const p = project(MARIA);
        const locker = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '', database: dbName });
        try {
          await locker.query('LOCK TABLES lab_item WRITE');
          const db = new ProjectDatabase(p.root, { statementTimeoutMs: 500 });
          assert.strictEqual((await db.readApplied({ projectRoot: p.root, env: p.env })).problem, undefined);
          const [r] = await db.probe([NULLS]);
          assert.match(r.error ?? '', /statement timeout/, JSON.stringify(r));
          await db.close();
        } finally {
          await locker.end();
        }
      });

      it('on SQLite, where the reader thread is stopped and the next read still works', async () => {
        const p = project();
        const fill = 'import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nc.executemany("insert into lab_item (code) values (?)", ((str(i % 1000),) for i in range(300000)))\nc.commit()';
        const r0 = cp.spawnSync(PYTHON, ['-c', fill, path.join(p.root, '_data', 'db.sqlite3')], { encoding: 'utf8' });
        assert.strictEqual(r0.status, 0, r0.stderr);
        const db = new ProjectDatabase(p.root, { statementTimeoutMs: 20 });
        assert.strictEqual((await db.readApplied({ projectRoot: p.root, env: p.env })).problem, undefined);
        const dup: ProbeSpec = { id: 'd', migration: 'lab.0002', source: 'ML203', probe: { kind: 'duplicates', table: 'lab_item', columns: ['code'] } };
        const [r] = await db.probe([dup]);
        assert.match(r.error ?? '', /longer than 20 ms and was stopped/, JSON.stringify(r));
        const again = await db.readApplied({ projectRoot: p.root, env: p.env });
        assert.deepStrictEqual(
          again.rows!.filter((x) => x.app === 'lab').map((x) => x.name),
          ['0001_initial'],
        );
        await db.close();
      });
    });
  });
});
