// Figures of the editor on large projects (issue: fast to open, quiet about history): the real
// corpus's biggest project (Saleor, 1,417 migrations) and the generated project the e2e layer opens
// (1,404 migrations, a 60 KB squash, a branch with new work). Beside `migration-lens check` on the
// same files: server start -> first tree rows (<= 1.5 s), -> every diagnostic (<= 2x the CLI),
// keystroke -> diagnostics (p95 <= 50 ms in the 60 KB file, <= 10 ms in a typical one), server CPU
// per keystroke in the 60 KB file (<= 20 ms), and the Problems count with and without the baseline.
// Run: npm run bench:editor
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lspSession } from './lsp-session.mjs';

const require = createRequire(import.meta.url);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { writeLargeProject } = require(join(repo, 'out/test/helpers/large-project.js'));

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const pct = (a, p) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.ceil((p / 100) * a.length) - 1)];
const f = (n) => n.toFixed(0);
const ok = (v, budget) => (v <= budget ? 'OK' : 'OVER');

function cli(root) {
  const runs = [];
  let files = 0;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [join(repo, 'dist/cli.js'), 'check', root, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    runs.push(performance.now() - t);
    if (r.status !== 0 && r.status !== 1) throw new Error(r.stderr);
    files = JSON.parse(r.stdout).files.length;
  }
  return { ms: median(runs), files };
}

const problems = (p) => `${p.error} errors, ${p.warning} warnings, ${p.information} infos`;

async function project(name, root, bigFile, typicalFile) {
  const c = cli(root);
  const quiet = await lspSession({ folders: [root], files: c.files, editTarget: typicalFile, edits: 100, baseline: true });
  const loud = await lspSession({ folders: [root], files: c.files, editTarget: bigFile, edits: 100, baseline: false });
  const last = await lspSession({ folders: [root], files: c.files, editTarget: bigFile, edits: 100, baseline: false, at: 'end' });
  console.log(`${name}: ${c.files} migration files (${root})`);
  console.log(`  migration-lens check (whole process)          ${f(c.ms)} ms`);
  console.log(`  server start -> first tree rows (${quiet.rows} rows)   ${f(quiet.firstRows)} ms   budget <= 1500 ms  ${ok(quiet.firstRows, 1500)}`);
  console.log(`  server start -> every diagnostic              ${f(quiet.cold)} ms   ${(quiet.cold / c.ms).toFixed(2)}x the CLI   budget <= 2x  ${ok(quiet.cold / c.ms, 2)}`);
  console.log(
    `  keystroke -> diagnostics, typical file        p50 ${median(quiet.times).toFixed(1)} ms   p95 ${pct(quiet.times, 95).toFixed(1)} ms   budget p95 <= 10 ms  ${ok(pct(quiet.times, 95), 10)}`,
  );
  for (const [where, r] of [
    ['first', loud],
    ['last', last],
  ]) {
    console.log(
      `  keystroke -> diagnostics, ${where} operation of ${bigFile.split('/').pop()}   p50 ${median(r.times).toFixed(1)} ms   p95 ${pct(r.times, 95).toFixed(1)} ms   budget p95 <= 50 ms  ${ok(pct(r.times, 95), 50)}`,
    );
    console.log(`  server CPU per keystroke there                ${r.cpuPerEdit.toFixed(1)} ms   budget <= 20 ms  ${ok(r.cpuPerEdit, 20)}`);
  }
  console.log(`  Problems panel, no database: with the baseline ${problems(quiet.problems)}; without ${problems(loud.problems)}`);
}

const largest = (dir) => {
  let best = '';
  let size = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory() && e.name !== '.git') walk(p);
      else if (/migrations\/\d[^/]*\.py$/.test(p)) {
        const s = spawnSync('stat', ['-c', '%s', p], { encoding: 'utf8' }).stdout;
        if (Number(s) > size) [best, size] = [p, Number(s)];
      }
    }
  };
  walk(dir);
  return best;
};

const generated = mkdtempSync(join(tmpdir(), 'ml-large-bench-'));
try {
  const large = writeLargeProject(generated);
  await project('generated large project', generated, join(generated, large.squash), join(generated, 'app03/migrations/0014_step_14.py'));
} finally {
  rmSync(generated, { recursive: true, force: true });
}
const saleor = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'migration-lens', 'corpus', 'saleor');
if (existsSync(saleor)) await project('Saleor (real-world corpus)', saleor, largest(saleor), join(saleor, 'saleor/order/migrations/0100_auto_20210216_0914.py'));
else console.log(`Saleor: not laid out at ${saleor} (node test/corpus/layout.mjs <dir of fetched repositories>); skipped`);
