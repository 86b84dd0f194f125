// What each schema operation really does on the machine's PostgreSQL and MariaDB, observed while it
// runs, against what the analyzer predicts without a database. The SQL is Django's own (5.2, through
// the bridge), run on populated tables:
// - PostgreSQL: the statements in a transaction; the lock the session holds on the table
//   (pg_locks), a rewrite (the table's relfilenode changes), a scan (the transaction's sequential
//   scans of the table), and whether a second session's SELECT and INSERT wait (lock_timeout).
//   CONCURRENTLY runs outside a transaction: a third session holds a row lock so that the build
//   waits, and its lock is read from pg_locks meanwhile.
// - MariaDB: each statement on fresh tables with ALGORITHM=INSTANT, then NOCOPY, INPLACE with
//   LOCK=NONE, INPLACE, else COPY: the first the server accepts is what it does.
// The observed table is written to docs/impact.md when MIGRATION_LENS_WRITE_IMPACT=1.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import * as mysql from 'mysql2/promise';
import { Bridge } from '../../core/src/django/bridge';
import { ProjectDatabase } from '../../core/src/database/session';
import { runProbes } from '../../core/src/database/probes';
import { openReader } from '../../core/src/database/reader';
import type { ProbeSpec } from '../../server/src/protocol';
import type { SqlResult } from '../../core/src/django/bridge-protocol';
import { BRIDGE_SCRIPT, DJANGOS, freshDatabase, requireDjango } from '../helpers/djangos';
import { BASE, CELLS, Cell, cellFiles, cellMigration, cellName, impactLab, seedStatements, setupName } from '../helpers/impact-lab';
import { spawnSync } from 'child_process';
import { labProject, type LabProject } from '../helpers/django-project';
import { analyze, applyEdits, REPO, writeProject } from '../helpers/project';
import { RULES_BY_CODE } from '../../server/src/rules/registry';
import type { PyValue } from '../../server/src/analysis/model';
import { Engine, Impact, impactsOf } from '../../server/src/analysis/impact';
import { tableName } from '../../server/src/analysis/risk';
import { initParser } from '../../server/src/analysis/parser';

// The newest Django here: its SQL for the operations 4.2 has, and what 5.x added (db_default, GeneratedField).
const DJANGO = DJANGOS.find((d) => d.version === '5.2')!;

/** The statements of a migration as the schema editor runs them: each operation's, then the deferred ones. */
function statementsOf(r: SqlResult): string[] {
  const lines = [...r.operations.flatMap((o) => o.sql), ...r.deferred];
  return lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('--') && !/^(BEGIN|COMMIT);$/.test(l));
}

interface Observed {
  cell: Cell;
  sql: string[];
  impact: Impact;
  /** What the analyzer says of the same operation, from the migration files alone. */
  predicted?: Impact;
}

/**
 * The analyzer's impact of each cell's operation on the cell's table, for `engine`: each cell in a
 * project of its own (the base and that cell), so that no other cell changes the state it sees.
 */
async function predictAll(engine: Engine, observed: Observed[]): Promise<void> {
  for (const o of observed) {
    const name = cellName(o.cell, CELLS.indexOf(o.cell));
    const files = Object.fromEntries(Object.entries(cellFiles(o.cell, CELLS.indexOf(o.cell))).map(([n, t]) => [`lab/migrations/${n}.py`, t]));
    const root = writeProject({ 'lab/migrations/__init__.py': '', 'lab/migrations/0001_initial.py': BASE, ...files });
    const ws = await analyze(root);
    const ctx = ws.context(path.join(root, 'lab', 'migrations', `${name}.py`))!;
    const op = ctx.file.operations[0];
    const view = ctx.state!.view(op);
    const tableOf = (target: PyValue) => (target.kind === 'str' ? `lab_${target.value.split('.').pop()!.toLowerCase()}` : undefined);
    const impacts = impactsOf(engine, op, view, tableName('lab', view?.model, view?.model?.name.toLowerCase() ?? ''), tableOf);
    o.predicted = impacts.find((i) => i.table === o.cell.table) ?? { blocks: [] };
  }
}

async function withLab<T>(
  ctx: Mocha.Context,
  engine: 'postgres' | 'mysql',
  fn: (lab: LabProject, sql: (cell: string) => Promise<string[]>, env: Record<string, string>, backwards: (cell: string) => Promise<string[]>) => Promise<T>,
): Promise<T> {
  const db = freshDatabase(ctx, engine, 'impact');
  const lab = impactLab(db.env);
  const bridge = new Bridge({ python: DJANGO.python, projectRoot: lab.root, script: BRIDGE_SCRIPT, env: { ...process.env, ...DJANGO.env, ...lab.env } });
  try {
    const sql = async (name: string, backwards = false) => statementsOf(await bridge.request('sql', { app: 'lab', name, backwards }));
    return await fn(
      lab,
      (name) => sql(name),
      { ...DJANGO.env, ...lab.env },
      (name) => sql(name, true),
    );
  } finally {
    bridge.dispose();
    lab.dispose();
    db.drop();
  }
}

const TABLE_ROWS: Observed[][] = [];

describe('schema operations observed on the real servers', function () {
  this.timeout(300_000);

  before(async function () {
    requireDjango(this, DJANGO);
    await initParser();
  });

  it('PostgreSQL: the lock, rewrite, scan and waits of each operation match the prediction', async function () {
    const observed = await withLab(this, 'postgres', async (lab, sqlOf, env, sqlOfBackwards) => {
      const connect = async () => {
        const c = new Client({ host: env.DB_HOST, port: Number(env.DB_PORT), user: env.DB_USER, database: env.DB_NAME });
        await c.connect();
        return c;
      };
      const [a, b, holder] = [await connect(), await connect(), await connect()];
      const out: Observed[] = [];
      try {
        const base = await sqlOf('0001_initial');
        await a.query('BEGIN');
        for (const s of [...base, ...seedStatements('"')]) await a.query(s);
        await a.query('COMMIT');
        await a.query('ANALYZE');
        await b.query(`SET lock_timeout = '150ms'`);
        const waits = async (sql: string): Promise<boolean> => {
          await b.query('BEGIN');
          try {
            await b.query(sql);
            return false;
          } catch (e) {
            if ((e as { code?: string }).code === '55P03') return true;
            throw e;
          } finally {
            await b.query('ROLLBACK');
          }
        };
        const probes = (table: string) => ({
          read: `SELECT 1 FROM "${table}" LIMIT 1`,
          write: table === 'lab_order' ? `INSERT INTO "lab_order" ("title", "qty", "note", "code") VALUES ('w', 7, 'w', 'w')` : `INSERT INTO "lab_customer" ("name") VALUES ('w')`,
        });
        for (const [i, cell] of CELLS.entries()) {
          const sql = await sqlOf(cellName(cell, i));
          const oid = (await a.query(`SELECT oid, relfilenode FROM pg_class WHERE relname = $1`, [cell.table])).rows[0];
          const lockOf = async (pid: number) => {
            const rows = (await b.query(`SELECT mode FROM pg_locks WHERE relation = $1 AND pid = $2 AND granted`, [oid.oid, pid])).rows.map((r) => r.mode as string);
            return strongest(rows);
          };
          const p = probes(cell.table);
          if (cell.nonAtomic) {
            // The build waits for the holder's open write; its lock is visible meanwhile.
            await holder.query('BEGIN');
            await holder.query(`UPDATE "lab_order" SET "qty" = "qty" WHERE "id" = 1`);
            const pid = (await a.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
            const seqBefore = await seqScans(b, oid.oid);
            const running = (async () => {
              for (const s of sql) await a.query(s);
              // Make the statistics of the build visible to the other sessions now.
              await a.query('SELECT pg_stat_force_next_flush()');
              await a.query('SELECT 1');
            })();
            let lock = '';
            for (let t = 0; t < 100 && !lock; t++) {
              lock = await lockOf(pid);
              if (!lock) await new Promise((r) => setTimeout(r, 20));
            }
            const read = await waits(p.read);
            const write = await waits(p.write);
            await holder.query('ROLLBACK');
            await running;
            const seqAfter = await seqScans(b, oid.oid);
            out.push({ cell, sql, impact: { lock: lockName(lock), rewrite: false, scan: seqAfter > seqBefore, blocks: blocked(read, write) } });
            // Undo: the next cells start from the base tables.
            await a.query(cell.id === 'add_index_concurrently' ? 'DROP INDEX "lab_order_qty_ix"' : 'CREATE INDEX "lab_order_code_ix" ON "lab_order" ("code")');
            continue;
          }
          // What the cell builds on, committed first (and undone after it).
          const setup = cell.setup ? await sqlOf(setupName(cell, i)) : [];
          for (const s of setup) await a.query(s);
          await a.query('BEGIN');
          const pid = (await a.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
          const scansBefore = Number((await a.query('SELECT pg_stat_get_xact_numscans($1) AS n', [oid.oid])).rows[0].n);
          for (const s of sql) await a.query(s);
          const scans = Number((await a.query('SELECT pg_stat_get_xact_numscans($1) AS n', [oid.oid])).rows[0].n) - scansBefore;
          const after = (await a.query('SELECT relfilenode FROM pg_class WHERE oid = $1', [oid.oid])).rows[0];
          const lock = await lockOf(pid);
          const read = await waits(p.read);
          const write = await waits(p.write);
          await a.query('ROLLBACK');
          if (cell.setup) for (const s of await sqlOfBackwards(setupName(cell, i))) await a.query(s);
          out.push({ cell, sql, impact: { lock: lockName(lock), rewrite: !!after && after.relfilenode !== oid.relfilenode, scan: scans > 0, blocks: blocked(read, write) } });
        }
      } finally {
        await Promise.all([a.end(), b.end(), holder.end()]);
      }
      await predictAll({ name: 'postgresql', version: '15' }, out);
      return out;
    });
    TABLE_ROWS.push(observed);
    report('postgresql', observed);
    const mismatches = observed.filter((o) => show(o.predicted!) !== show(o.impact));
    assert.deepStrictEqual(
      mismatches.map((o) => `${o.cell.id}: predicted ${show(o.predicted!)}, observed ${show(o.impact)}`),
      [],
    );
  });

  it('MariaDB: the algorithm and lock each operation runs with match the prediction', async function () {
    const observed = await withLab(this, 'mysql', async (lab, sqlOf, env) => {
      const c = await mysql.createConnection({ host: env.DB_HOST, port: Number(env.DB_PORT), user: env.DB_USER, password: env.DB_PASSWORD, database: env.DB_NAME, multipleStatements: false });
      const out: Observed[] = [];
      try {
        const base = await sqlOf('0001_initial');
        const fresh = async () => {
          await c.query('SET FOREIGN_KEY_CHECKS = 0');
          for (const t of ['lab_line', 'lab_purchase', 'lab_orders', 'lab_order', 'lab_customer']) await c.query(`DROP TABLE IF EXISTS \`${t}\``);
          await c.query('SET FOREIGN_KEY_CHECKS = 1');
          for (const s of [...base, ...seedStatements('`')]) await c.query(s);
        };
        for (const [i, cell] of CELLS.entries()) {
          if (cell.postgresOnly) continue;
          const sql = await sqlOf(cellName(cell, i));
          await fresh();
          if (cell.setup) for (const s of await sqlOf(setupName(cell, i))) await c.query(s);
          let worst = '';
          let lockNone = true;
          for (const s of sql) {
            // Only what runs on the cell's table (a new table's own constraints are not the point).
            const onTable = new RegExp(`^(ALTER TABLE|CREATE (UNIQUE )?INDEX \\S+ ON|DROP INDEX \\S+ ON|RENAME TABLE|DROP TABLE) \`${cell.table}\``, 'i').test(s);
            if (!onTable) {
              await c.query(s);
              continue;
            }
            const tried = await runWithAlgorithm(c, s);
            if (!worst || RANK[tried.algorithm] > RANK[worst]) worst = tried.algorithm;
            lockNone &&= tried.lockNone;
          }
          out.push({ cell, sql, impact: worst ? { algorithm: worst as Impact['algorithm'], blocks: worst === 'INSTANT' || lockNone ? [] : ['writes'] } : { blocks: [] } });
        }
      } finally {
        await c.end();
      }
      await predictAll({ name: 'mariadb', version: '10.11' }, out);
      return out;
    });
    TABLE_ROWS.push(observed);
    report('mariadb', observed);
    const mismatches = observed.filter((o) => show(o.predicted!) !== show(o.impact));
    assert.deepStrictEqual(
      mismatches.map((o) => `${o.cell.id}: predicted ${show(o.predicted!)}, observed ${show(o.impact)}`),
      [],
    );
  });

  it("PostgreSQL: ML302's quick fix is a migration Django runs with CREATE INDEX CONCURRENTLY", async function () {
    await withLab(this, 'postgres', async (lab, sqlOf) => {
      const name = cellName(
        CELLS.find((c) => c.id === 'add_index')!,
        CELLS.findIndex((c) => c.id === 'add_index'),
      );
      const root = writeProject({ 'lab/migrations/__init__.py': '', 'lab/migrations/0001_initial.py': BASE, [`lab/migrations/${name}.py`]: cellMigration(CELLS.find((c) => c.id === 'add_index')!) });
      const ws = await analyze(root);
      const file = path.join(root, 'lab/migrations', `${name}.py`);
      const [finding] = ws.findings(file).filter((f) => f.code === 'ML302');
      const [fix] = RULES_BY_CODE.get('ML302')!.fixes!(finding, ws.context(file)!);
      lab.write('lab', name, applyEdits(fs.readFileSync(file, 'utf8'), fix.edits!));
      const sql = await sqlOf(name);
      assert.deepStrictEqual(sql, ['CREATE INDEX CONCURRENTLY "lab_order_qty_ix" ON "lab_order" ("qty");']);
    });
  });

  it("PostgreSQL: ML703's quick fix is a migration Django runs as ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT", async function () {
    await withLab(this, 'postgres', async (lab, sqlOf) => {
      const cell = CELLS.find((c) => c.id === 'add_check')!;
      const name = cellName(cell, CELLS.indexOf(cell));
      const root = writeProject({ 'lab/migrations/__init__.py': '', 'lab/migrations/0001_initial.py': BASE, [`lab/migrations/${name}.py`]: cellMigration(cell) });
      const ws = await analyze(root);
      const file = path.join(root, 'lab/migrations', `${name}.py`);
      const [finding] = ws.findings(file).filter((f) => f.code === 'ML703');
      const [fix] = RULES_BY_CODE.get('ML703')!.fixes!(finding, ws.context(file)!);
      lab.write('lab', name, applyEdits(fs.readFileSync(file, 'utf8'), fix.edits!));
      const sql = await sqlOf(name);
      assert.strictEqual(sql.length, 2, sql.join('\n'));
      assert.match(sql[0], /^ALTER TABLE "lab_order" ADD CONSTRAINT "lab_qty_gte_0" CHECK \("qty" >= 0\) NOT VALID;$/);
      assert.strictEqual(sql[1], 'ALTER TABLE "lab_order" VALIDATE CONSTRAINT "lab_qty_gte_0";');
    });
  });

  it("PostgreSQL: ML704's safe way adds the foreign key NOT VALID, validates it apart, and Django still finds it by its column", async function () {
    const cell = CELLS.find((c) => c.id === 'alter_fk')!;
    const i = CELLS.indexOf(cell);
    const files = Object.fromEntries(Object.entries(cellFiles(cell, i)).map(([n, t]) => [`lab/migrations/${n}.py`, t]));
    const root = writeProject({ 'lab/migrations/__init__.py': '', 'lab/migrations/0001_initial.py': BASE, ...files });
    const ws = await analyze(root);
    const [finding] = ws.findings(path.join(root, 'lab/migrations', `${cellName(cell, i)}.py`)).filter((f) => f.code === 'ML704');
    // The statements the finding's safe way writes, as Django would run them from RunSQL.
    const [add, drop, validate] = [...(finding.help ?? '').matchAll(/'(ALTER TABLE [^']+)'/g)].map((m) => m[1]);
    assert.match(add, /NOT VALID$/);
    const db = freshDatabase(this, 'postgres', 'fk');
    const lab = labProject(['lab'], db.env);
    try {
      lab.write('lab', '0001_initial', BASE);
      const setup = setupName(cell, i);
      lab.write('lab', setup, files[`lab/migrations/${setup}.py`]);
      const fk = 'models.ForeignKey("lab.Customer", null=True, on_delete=models.CASCADE)';
      lab.write(
        'lab',
        '20001_fk',
        cellMigration(
          {
            ...cell,
            operations: [
              `migrations.SeparateDatabaseAndState(state_operations=[migrations.AlterField("order", "buyer", ${fk})], database_operations=[migrations.RunSQL(${JSON.stringify(add)}, reverse_sql=${JSON.stringify(drop)})])`,
            ],
          },
          setup,
        ),
      );
      lab.write('lab', '20002_validate', cellMigration({ ...cell, operations: [`migrations.RunSQL(${JSON.stringify(validate)}, migrations.RunSQL.noop)`] }, '20001_fk'));
      lab.manage('migrate', 'lab', setup, '--noinput');
      lab.sql(...seedStatements('"'), 'UPDATE lab_order SET buyer_id = 1 + id % 200');
      lab.manage('migrate', 'lab', '20001_fk', '--noinput');
      const constraint = () =>
        lab
          .manage(
            'shell',
            '-c',
            "from django.db import connection\nc = connection.cursor()\nc.execute(\"SELECT conname, convalidated FROM pg_constraint WHERE conrelid = 'lab_order'::regclass AND contype = 'f'\")\nprint(c.fetchall())",
          )
          .trim();
      assert.match(constraint(), /^\[\('lab_order_buyer_id_fk', False\)\]$/, 'added NOT VALID');
      assert.throws(() => lab.sql("INSERT INTO lab_order (title, qty, buyer_id) VALUES ('x', 1, 99999)"), /foreign key/i, 'new rows are checked at once');
      lab.manage('migrate', 'lab', '20002_validate', '--noinput');
      assert.match(constraint(), /^\[\('lab_order_buyer_id_fk', True\)\]$/, 'validated');
      // Django finds the constraint by its column when the field stops being a foreign key.
      lab.write('lab', '20003_back', cellMigration({ ...cell, operations: ['migrations.AlterField("order", "buyer", models.IntegerField(null=True, db_column="buyer_id"))'] }, '20002_validate'));
      lab.manage('migrate', 'lab', '--noinput');
      assert.strictEqual(constraint(), '[]');
    } finally {
      lab.dispose();
      db.drop();
    }
  });

  for (const engine of ['postgres', 'mysql'] as const) {
    it(`${engine}: a migration failing at its second operation ${engine === 'mysql' ? 'leaves the first applied and unrecorded (ML702)' : 'leaves nothing'}`, async function () {
      const db = freshDatabase(this, engine, 'ddl');
      const lab = labProject(['lab'], db.env);
      try {
        lab.write('lab', '0001_initial', BASE);
        lab.manage('migrate', 'lab', '--noinput');
        lab.write(
          'lab',
          '0002_two',
          cellMigration({
            id: 'two',
            label: '',
            table: 'lab_order',
            operations: ['migrations.AddField("order", "extra", models.IntegerField(null=True))', 'migrations.RunSQL("SELECT * FROM lab_missing", migrations.RunSQL.noop)'],
          }),
        );
        assert.throws(() => lab.manage('migrate', 'lab', '--noinput'), /lab_missing/);
        assert.ok(!lab.recorded().some((r) => r.startsWith('lab.0002_two')), 'not recorded');
        const columns = lab.manage('shell', '-c', 'from django.db import connection\nc = connection.cursor()\nprint([d.name for d in connection.introspection.get_table_description(c, "lab_order")])');
        if (engine === 'mysql') assert.match(columns, /'extra'/, 'MariaDB kept the first operation');
        else assert.doesNotMatch(columns, /'extra'/, 'PostgreSQL rolled it back');
      } finally {
        lab.dispose();
        db.drop();
      }
    });
  }

  after(() => {
    if (process.env.MIGRATION_LENS_WRITE_IMPACT === '1' && TABLE_ROWS.length === 2) writeDoc(TABLE_ROWS[0], TABLE_ROWS[1]);
  });
});

const RANK: Record<string, number> = { INSTANT: 0, NOCOPY: 1, INPLACE: 2, COPY: 3, 'n/a': -1 };

/** Runs one statement with the cheapest ALGORITHM the server accepts. */
async function runWithAlgorithm(c: mysql.Connection, s: string): Promise<{ algorithm: string; lockNone: boolean }> {
  const alter = /^ALTER TABLE /i.test(s);
  const index = /^CREATE (UNIQUE )?INDEX /i.test(s);
  if (!alter && !index) {
    await c.query(s);
    // RENAME TABLE changes the dictionary only; CREATE/DROP TABLE touch no existing rows.
    return { algorithm: 'INSTANT', lockNone: true };
  }
  const sep = alter ? ', ' : ' ';
  for (const [algorithm, clause, lockNone] of [
    ['INSTANT', 'ALGORITHM=INSTANT', true],
    ['NOCOPY', 'ALGORITHM=NOCOPY, LOCK=NONE', true],
    ['NOCOPY', 'ALGORITHM=NOCOPY', false],
    ['INPLACE', 'ALGORITHM=INPLACE, LOCK=NONE', true],
    ['INPLACE', 'ALGORITHM=INPLACE', false],
  ] as const) {
    try {
      await c.query(`${s.replace(/;\s*$/, '')}${sep}${alter ? clause : clause.replace(', ', ' ')}`);
      return { algorithm, lockNone };
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== 'ER_ALTER_OPERATION_NOT_SUPPORTED' && code !== 'ER_ALTER_OPERATION_NOT_SUPPORTED_REASON') throw new Error(`${s}: ${(e as Error).message}`, { cause: e });
    }
  }
  await c.query(s);
  return { algorithm: 'COPY', lockNone: false };
}

const LOCK_ORDER = ['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'];
const strongest = (modes: string[]): string => modes.sort((x, y) => LOCK_ORDER.indexOf(y) - LOCK_ORDER.indexOf(x))[0] ?? '';
/** `ShareUpdateExclusiveLock` -> `SHARE UPDATE EXCLUSIVE`, as PostgreSQL's manual names it. */
const lockName = (mode: string): string =>
  mode
    .replace(/Lock$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
const blocked = (read: boolean, write: boolean): Impact['blocks'] => [...(read ? ['reads' as const] : []), ...(write ? ['writes' as const] : [])];

async function seqScans(c: Client, oid: number): Promise<number> {
  await c.query('SELECT pg_stat_clear_snapshot()');
  return Number((await c.query('SELECT seq_scan + COALESCE(idx_scan, 0) AS n FROM pg_stat_user_tables WHERE relid = $1', [oid])).rows[0].n);
}

/** What is observed: on PostgreSQL the lock, rewrite, scan and waits; on MariaDB the algorithm and waits (a COPY is the rewrite). */
function show(i: Impact): string {
  if (i.algorithm) return [i.algorithm, i.blocks.length ? `blocks ${i.blocks.join('+')}` : 'blocks nothing'].join(', ');
  return [i.lock, i.rewrite ? 'rewrite' : '', i.scan ? 'scan' : '', i.blocks.length ? `blocks ${i.blocks.join('+')}` : 'blocks nothing'].filter(Boolean).join(', ');
}

function report(engine: string, rows: Observed[]): void {
  console.log(`      ${engine}:`);
  for (const r of rows) console.log(`        ${r.cell.id.padEnd(26)} ${show(r.impact).padEnd(48)} ${r.predicted && show(r.predicted) !== show(r.impact) ? `predicted: ${show(r.predicted)}` : ''}`);
}

function writeDoc(pg: Observed[], maria: Observed[]): void {
  const file = path.join(REPO, 'docs', 'impact.md');
  const doc = fs.readFileSync(file, 'utf8');
  const rows = CELLS.map((cell) => {
    const p = pg.find((o) => o.cell === cell)!;
    const m = maria.find((o) => o.cell === cell);
    const pgCell = [p.impact.lock, p.impact.rewrite ? 'rewrite' : p.impact.scan ? 'scan' : '', `blocks ${p.impact.blocks.join(' + ') || 'nothing'}`].filter(Boolean).join(', ');
    const mCell = !m ? 'not on MariaDB' : m.impact.algorithm ? `${m.impact.algorithm}, blocks ${m.impact.blocks.join(' + ') || 'nothing'}` : 'nothing on this table';
    return `| ${cell.label} | ${pgCell} | ${mCell} |`;
  });
  const table = ['| operation (Django 5.2) | PostgreSQL 15 | MariaDB 10.11 |', '|---|---|---|', ...rows].join('\n');
  fs.writeFileSync(file, doc.replace(/<!-- observed -->[\s\S]*<!-- \/observed -->/, `<!-- observed -->\n${table}\n<!-- /observed -->`));
}

describe('table sizes from the catalog (ML701), on each engine', function () {
  this.timeout(120_000);

  before(function () {
    requireDjango(this, DJANGO);
  });

  for (const engine of ['postgres', 'mysql', 'sqlite'] as const) {
    it(`${engine}: rows and bytes of a populated table (unknown, not zero, on a PostgreSQL table never analyzed), and ML701 from check --database`, async function () {
      const db = freshDatabase(this, engine, 'size');
      const lab = labProject(['lab'], db.env);
      lab.write('lab', '0001_initial', BASE);
      try {
        lab.manage('migrate', 'lab', '--noinput');
        const [customers, orders] = seedStatements(engine === 'mysql' ? '`' : '"');
        lab.sql(customers, orders);
        const session = new ProjectDatabase(lab.root, { statementTimeoutMs: 5000 });
        const report = await session.readApplied({ projectRoot: lab.root, env: { ...process.env, ...lab.env } });
        assert.ok(report.connection, report.problem?.message);
        await session.close();
        const reader = openReader(report.connection!);
        const spec = (table: string): ProbeSpec => ({ id: `size:${table}`, migration: 'lab.0002', source: 'impact', probe: { kind: 'size', table } });
        try {
          if (engine === 'postgres') {
            // Statistics come from ANALYZE (or autovacuum): before it, the rows are unknown.
            const [before] = await runProbes(reader, [spec('lab_order')]);
            assert.strictEqual(before.count, undefined, JSON.stringify(before));
            assert.ok(before.bytes! > 0);
            lab.sql('ANALYZE "lab_order"');
          }
          if (engine === 'mysql') lab.sql('ANALYZE TABLE `lab_order`');
          const [size] = await runProbes(reader, [spec('lab_order')]);
          assert.strictEqual(size.error, undefined);
          // Estimates on the servers (InnoDB samples pages), exact on SQLite.
          if (engine === 'sqlite') assert.strictEqual(size.count, 2000);
          else assert.ok(size.count! >= 1000 && size.count! <= 4000, `rows ${size.count}`);
          if (engine === 'sqlite') assert.strictEqual(size.bytes, undefined);
          else assert.ok(size.bytes! > 50_000, `bytes ${size.bytes}`);
          const [missing] = await runProbes(reader, [spec('lab_nothing')]);
          assert.match(missing.skipped ?? '', /does not exist yet/);
        } finally {
          await reader.close();
        }
        // End to end: a pending NOT NULL on the table, `check --database` with a low threshold. On
        // PostgreSQL it reads every row under ACCESS EXCLUSIVE, SQLite rebuilds the table; MariaDB
        // runs it in place with LOCK=NONE: nothing to say there.
        lab.write('lab', '0002_note_required', cellMigration(CELLS.find((c) => c.id === 'alter_not_null')!));
        const cli = spawnSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), 'check', lab.root, '--database', '--big-table', '1000', '--format', 'json'], {
          env: { ...process.env, ...lab.env },
          encoding: 'utf8',
        });
        const file = JSON.parse(cli.stdout).files.find((f: { migration: string }) => f.migration === 'lab.0002_note_required');
        const ml701 = file.diagnostics.filter((d: { code: string }) => d.code === 'ML701');
        const impact = file.impact[0];
        assert.strictEqual(impact.assumed, false, cli.stderr);
        assert.ok(impact.rows >= 1000, JSON.stringify(impact));
        if (engine === 'mysql') assert.deepStrictEqual(ml701, []);
        else {
          assert.strictEqual(ml701.length, 1, JSON.stringify(file.diagnostics));
          assert.match(
            ml701[0].message,
            engine === 'postgres'
              ? /On PostgreSQL \d+: ACCESS EXCLUSIVE lock on lab_order \(~2,000 rows, \d+ kB\) and reads every row/
              : /On SQLite: Django rebuilds lab_order \(~2,000 rows\) \(into new__lab_order, every row copied\)/,
          );
        }
      } finally {
        lab.dispose();
        db.drop();
      }
    });
  }
});
