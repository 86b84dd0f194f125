// Prints the database layer's figures against DESIGN.md's budget: read 1,000 applied rows and merge
// them with a 1,000-migration graph, warm, <= 50 ms, on SQLite, PostgreSQL and MariaDB; beside the
// wall time of `manage.py showmigrations` on the same database, as a ratio; and the time of the
// size probe (a table's rows and bytes from the catalog) on each engine.
// Run: npm run bench:db
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = (p) => require(join(repo, 'out', p));
const { labProject } = out('test/helpers/django-project.js');
const { admin, SERVERS, PYTHON } = out('test/helpers/servers.js');
const { ProjectDatabase } = out('core/src/database/session.js');
const { initParser } = out('server/src/analysis/parser.js');
const { Workspace } = out('server/src/analysis/workspace.js');
const { mergeHistory } = out('server/src/analysis/history.js');

const N = 1000;
const RUNS = 30;
const pct = (a, p) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(a.length * p))];
const ms = (v) => `${v.toFixed(1)} ms`;

function migrationText(i) {
  const deps = i ? `[("bench", "${String(i).padStart(4, '0')}_step")]` : '[]';
  return `from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = ${deps}\n    operations = []\n`;
}

await initParser();
const engines = [
  { name: 'SQLite', env: { DB_ENGINE: 'sqlite' } },
  { name: 'PostgreSQL', server: SERVERS[0] },
  { name: 'MariaDB', server: SERVERS[1] },
];
const rows = [];
for (const e of engines) {
  let env = e.env;
  let dbName;
  if (e.server) {
    if (!admin(e.server, 'ping').ok) {
      console.log(`${e.name}: not reachable, skipped`);
      continue;
    }
    dbName = `ml_bench_${process.pid}`;
    admin(e.server, 'create', dbName);
    env = { ...e.server.env, DB_NAME: dbName };
  }
  const lab = labProject(['bench'], env);
  try {
    for (let i = 1; i <= N; i++) lab.write('bench', `${String(i).padStart(4, '0')}_step`, migrationText(i - 1));
    lab.manage('migrate', '--fake', '--noinput');

    const ws = new Workspace([lab.root]);
    ws.scanAll();
    const graph = ws.projects()[0];
    const db = new ProjectDatabase(lab.root);
    const inputs = { projectRoot: lab.root, env: lab.env };
    const first = await db.readApplied(inputs);
    if (first.problem) throw new Error(first.problem.message);
    const read = [];
    const merge = [];
    const total = [];
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      const report = await db.readApplied(inputs);
      const t1 = performance.now();
      mergeHistory(graph, report.rows);
      const t2 = performance.now();
      read.push(t1 - t0);
      merge.push(t2 - t1);
      total.push(t2 - t0);
    }
    // A table's size from the catalog (ML701, the plan): django_migrations, N rows, read-only under the statement timeout.
    const size = [];
    const spec = { id: 'size:django_migrations', migration: 'bench.0001_step', source: 'impact', probe: { kind: 'size', table: 'django_migrations' } };
    let sized;
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      [sized] = await db.probe([spec]);
      size.push(performance.now() - t0);
    }
    if (sized?.error) throw new Error(sized.error);
    // The server's whole update: graph rebuilt with the rows, state replayed, project rules re-run.
    const server = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      ws.setApplied(lab.root, r % 2 ? first.rows : first.rows.slice(0, -1));
      server.push(performance.now() - t0);
    }
    await db.close();

    const show = [];
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      const p = spawnSync(PYTHON, ['manage.py', 'showmigrations', 'bench'], { cwd: lab.root, env: { ...process.env, ...lab.env }, encoding: 'utf8' });
      if (p.status !== 0) throw new Error(p.stderr);
      show.push(performance.now() - t0);
    }
    rows.push({
      engine: e.name,
      rows: first.rows.length,
      read: pct(read, 0.5),
      merge: pct(merge, 0.5),
      p50: pct(total, 0.5),
      p95: pct(total, 0.95),
      server: pct(server, 0.5),
      show: pct(show, 0.5),
      size: pct(size, 0.5),
      sizeP95: pct(size, 0.95),
      sized: `${sized?.count ?? 'unknown'} rows${sized?.bytes !== undefined ? `, ${sized.bytes} bytes` : ''}`,
    });
  } finally {
    lab.dispose();
    if (dbName) admin(e.server, 'drop', dbName);
  }
}

console.log(`\nRead ${N} applied rows + merge with a ${N}-migration graph, warm (${RUNS} runs); budget <= 50 ms`);
console.log('engine      rows  read p50  merge p50  total p50  total p95  server update  showmigrations  ratio');
for (const r of rows) {
  console.log(
    `${r.engine.padEnd(10)} ${String(r.rows).padStart(5)}  ${ms(r.read).padStart(8)}  ${ms(r.merge).padStart(9)}  ${ms(r.p50).padStart(9)}  ` +
      `${ms(r.p95).padStart(9)}  ${ms(r.server).padStart(13)}  ${ms(r.show).padStart(14)}  ${(r.show / r.p50).toFixed(0).padStart(4)}x` +
      `${r.p95 <= 50 ? '' : '  OVER BUDGET'}`,
  );
}

console.log(`\nThe size of a table from the catalog (size probe: reltuples and pg_total_relation_size, information_schema.TABLES, a bounded count on SQLite), ${RUNS} runs`);
console.log('engine      size p50  size p95  read as');
for (const r of rows) console.log(`${r.engine.padEnd(10)} ${ms(r.size).padStart(9)} ${ms(r.sizeP95).padStart(9)}  ${r.sized}`);
