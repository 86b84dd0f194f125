// Figures on the real-world corpus (test/corpus): whole-process `migration-lens check` beside a
// whole-process tree-sitter parse of the same files (budget <= 1.6x), the language server's RSS with
// the whole corpus open (<= 250 MB), and edit -> diagnostics in the corpus's largest app (p95 <= 10 ms).
// Run: npm run bench (after `node test/corpus/layout.mjs <mirrors>`); prints how to lay it out if missing.
import { spawnSync } from 'node:child_process';
import { lspSession } from './lsp-session.mjs';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = process.argv[2] ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'migration-lens', 'corpus');
if (!existsSync(corpus)) {
  console.log(`real-world corpus: not laid out at ${corpus} (node test/corpus/layout.mjs <dir of fetched repositories>); skipped`);
  process.exit(0);
}

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const pct = (a, p) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.ceil((p / 100) * a.length) - 1)];
const wall = (args) => {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0 && r.status !== 1) throw new Error(r.stderr);
  return { ms: performance.now() - t, out: r.stdout };
};

// Interleaved pairs: this machine's speed drifts by a fifth from run to run, and each pair's ratio
// sees the same drift on both sides, so the median of the pairs' ratios is the figure.
const parseRuns = [];
const checkRuns = [];
const ratios = [];
let files = 0;
for (let i = 0; i < 5; i++) {
  parseRuns.push(wall([join(repo, 'test/bench/parse-only.mjs'), corpus]).ms);
  const c = wall([join(repo, 'dist/cli.js'), 'check', corpus, '--format', 'json']);
  checkRuns.push(c.ms);
  ratios.push(c.ms / parseRuns[i]);
  files = JSON.parse(c.out).files.length;
}
const ratio = median(ratios);

// The largest app: the migrations folder with the most files.
let bigApp = '';
let bigCount = 0;
const walk = (d) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name === '.git') continue;
    const p = join(d, e.name);
    if (/^(db_)?migrations$/.test(e.name)) {
      const n = readdirSync(p).filter((f) => /^\d.*\.py$/.test(f)).length;
      if (n > bigCount) [bigApp, bigCount] = [p, n];
    } else walk(p);
  }
};
walk(corpus);

const names = readdirSync(bigApp)
  .filter((f) => /^\d.*\.py$/.test(f))
  .sort();
const folders = readdirSync(corpus).map((n) => join(corpus, n));
const { cold: serverCold, times: lsp, rss } = await lspSession({ folders, files, editTarget: join(bigApp, names[Math.floor(names.length / 2)]), edits: 200 });

const f = (n) => n.toFixed(0);
console.log(`real-world corpus: ${files} migration files in ${folders.length} projects (${corpus})`);
console.log(`whole process: tree-sitter parse only  median ${f(median(parseRuns))} ms`);
console.log(
  `whole process: migration-lens check    median ${f(median(checkRuns))} ms   ratio ${ratio.toFixed(2)}x (median of ${ratios.length} interleaved pairs, ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})   budget <= 1.60x  ${ratio <= 1.6 ? 'OK' : 'OVER'}`,
);
console.log(`server start to all published          ${f(serverCold)} ms`);
console.log(
  `edit -> diagnostics over LSP in ${bigApp.slice(corpus.length + 1)} (${bigCount} migrations)   p50 ${median(lsp).toFixed(1)} ms   p95 ${pct(lsp, 95).toFixed(1)} ms   budget p95 <= 10 ms  ${pct(lsp, 95) <= 10 ? 'OK' : 'OVER'}`,
);
console.log(`server RSS with the corpus open        ${f(rss)} MB   budget <= 250 MB  ${rss <= 250 ? 'OK' : 'OVER'}`);
