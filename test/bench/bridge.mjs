// Prints the warm bridge's figures against DESIGN.md's budget (SQL for one migration >= 40x faster
// than a `manage.py sqlmigrate` process): the SQL of every migration of examples/shop, forward and
// backward, through one warm bridge and through one sqlmigrate process each, side by side in one
// run, per Django version and database. Both outputs are compared byte for byte as they are timed.
// Run: npm run bench:bridge
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = (p) => require(join(repo, 'out', p));
const { shopCopy } = out('test/helpers/django-project.js');
const { admin, SERVERS } = out('test/helpers/servers.js');
const { DJANGOS, BRIDGE_SCRIPT } = out('test/helpers/djangos.js');
const { Bridge } = out('core/src/django/bridge.js');

const ROUNDS = 5; // warm-bridge passes over every migration; sqlmigrate runs once per migration and direction
const pct = (a, p) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(a.length * p))];
const ms = (v) => `${v.toFixed(1)} ms`;

const engines = [
  { name: 'SQLite', env: { DB_ENGINE: 'sqlite' } },
  { name: 'PostgreSQL', server: SERVERS[0] },
  { name: 'MariaDB', server: SERVERS[1] },
];
const rows = [];
for (const rt of DJANGOS) {
  const v = spawnSync(rt.python, ['-c', 'import django; print(django.get_version())'], { env: { ...process.env, ...rt.env }, encoding: 'utf8' });
  if (v.status !== 0) {
    console.log(`Django ${rt.version}: not importable, skipped (scripts/ensure.sh django42)`);
    continue;
  }
  for (const e of engines) {
    let env = e.env;
    let dbName;
    if (e.server) {
      dbName = `ml_bench_bridge_${process.pid}`;
      const created = admin(e.server, 'create', dbName);
      if (!created.ok) {
        console.log(`${e.name}: unreachable, skipped (${created.error})`);
        continue;
      }
      env = { ...e.server.env, DB_NAME: dbName };
    }
    const project = shopCopy({ ...rt.env, ...env }, rt.python);
    const bridge = new Bridge({ python: rt.python, projectRoot: project.root, script: BRIDGE_SCRIPT, env: { ...process.env, ...project.env } });
    try {
      project.manage('migrate', '--noinput', 'store', '0002');
      const t0 = performance.now();
      await bridge.request('ping');
      const boot = performance.now() - t0;
      const nodes = (await bridge.request('state')).nodes.filter((n) => n.app === 'store' || n.app === 'orders' || n.app === 'reviews');
      const cases = nodes.flatMap((n) => [false, true].map((backwards) => ({ app: n.app, name: n.name, backwards })));

      const processMs = [];
      const expected = new Map();
      for (const c of cases) {
        const s = performance.now();
        const r = spawnSync(rt.python, ['manage.py', 'sqlmigrate', c.app, c.name, ...(c.backwards ? ['--backwards'] : [])], {
          cwd: project.root,
          env: { ...process.env, ...project.env },
          encoding: 'utf8',
        });
        processMs.push(performance.now() - s);
        if (r.status !== 0) throw new Error(r.stderr);
        expected.set(`${c.app}.${c.name}.${c.backwards}`, r.stdout);
      }
      const bridgeMs = [];
      let identical = 0;
      for (let round = 0; round < ROUNDS; round++) {
        for (const c of cases) {
          const s = performance.now();
          const r = await bridge.request('sql', c);
          bridgeMs.push(performance.now() - s);
          if (r.text === expected.get(`${c.app}.${c.name}.${c.backwards}`)) identical++;
        }
      }
      const p50p = pct(processMs, 0.5);
      const p50b = pct(bridgeMs, 0.5);
      rows.push({
        django: rt.version,
        engine: e.name,
        cases: cases.length,
        boot,
        process: `${ms(p50p)} / ${ms(pct(processMs, 0.95))}`,
        bridge: `${ms(p50b)} / ${ms(pct(bridgeMs, 0.95))}`,
        ratio: p50p / p50b,
        identical: `${identical}/${bridgeMs.length}`,
      });
    } finally {
      bridge.dispose();
      project.dispose();
      if (dbName) admin(e.server, 'drop', dbName);
    }
  }
}

console.log(`\nSQL of every examples/shop migration, forward and backward (p50 / p95 per migration; bridge: ${ROUNDS} warm passes)\n`);
console.log('| Django | Engine | sqlmigrate process | warm bridge | ratio (p50) | bridge boot | byte-identical |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.django} | ${r.engine} | ${r.process} | ${r.bridge} | ${r.ratio.toFixed(0)}x | ${ms(r.boot)} | ${r.identical} |`);
}
console.log('\nBudget: >= 40x (DESIGN.md section 6).');
