// Prints the analysis engine's figures against DESIGN.md's budgets:
//   cold analysis / tree-sitter parse-only (<= 2.0x), keystroke -> diagnostics p95 (<= 10 ms) in a
//   300-migration app, language server RSS on ~3,000 files (<= 200 MB).
// Run: npm run bench
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';
import { lspSession } from './lsp-session.mjs';

const require = createRequire(import.meta.url);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { initParser, parse } = require(join(repo, 'out/server/src/analysis/parser.js'));
const { Workspace } = require(join(repo, 'out/server/src/analysis/workspace.js'));

const root = mkdtempSync(join(tmpdir(), 'ml-bench-'));
const { files, bigApp } = generate(root);

// Every file in memory, so that both measurements exclude disk reads.
const texts = new Map();
const walk = (d) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p);
    else texts.set(p, readFileSync(p, 'utf8'));
  }
};
walk(root);
const memFs = {
  readFile: (p) => texts.get(p),
  listDir: (d) => readdirSync(d, { withFileTypes: true }).map((e) => ({ name: e.name, dir: e.isDirectory() })),
};
const migrationTexts = [...texts].filter(([p]) => /\/migrations\/\d/.test(p)).map(([, t]) => t);
const bytes = migrationTexts.reduce((n, t) => n + t.length, 0);

await initParser();
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const pct = (a, p) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.ceil((p / 100) * a.length) - 1)];

const parseOnly = [];
const cold = [];
for (let run = 0; run < 5; run++) {
  let t = performance.now();
  for (const text of migrationTexts) parse(text).delete();
  parseOnly.push(performance.now() - t);
  t = performance.now();
  const ws = new Workspace([root], memFs);
  ws.scanAll();
  cold.push(performance.now() - t);
}

// In-process keystroke: Workspace.update of one file of the 300-migration app.
const ws = new Workspace([root], memFs);
ws.scanAll();
const target = join(
  bigApp,
  readdirSync(bigApp)
    .filter((n) => /^\d/.test(n))
    .sort()[150],
);
let text = texts.get(target);
const inProcess = [];
for (let i = 0; i < 200; i++) {
  text = text.replace(/(\n {4}operations = \[\n)/, `$1        # ${i % 2 ? 'x' : 'y'}\n`);
  const t = performance.now();
  ws.update(target, text);
  ws.findings(target);
  inProcess.push(performance.now() - t);
}

// Over LSP: one-character edits that toggle a diagnostic, timed until it is published.
const editTarget = join(
  bigApp,
  readdirSync(bigApp)
    .filter((n) => /^\d/.test(n))
    .sort()[200],
);
const { cold: serverCold, times: lsp, rss } = await lspSession({ folders: [root], files, editTarget, edits: 300 });
rmSync(root, { recursive: true, force: true });

const f = (n) => n.toFixed(1);
const ratio = median(cold) / median(parseOnly);
console.log(`workspace: ${files} migration files, ${(bytes / 1e6).toFixed(1)} MB, one app of 300 migrations`);
console.log(`tree-sitter parse only          median ${f(median(parseOnly))} ms`);
console.log(`cold analysis (all rules)       median ${f(median(cold))} ms   ratio ${ratio.toFixed(2)}x   budget <= 2.00x  ${ratio <= 2 ? 'OK' : 'OVER'}`);
console.log(`server start to all published   ${f(serverCold)} ms`);
console.log(`edit -> findings, in process    p50 ${f(median(inProcess))} ms   p95 ${f(pct(inProcess, 95))} ms`);
console.log(`edit -> diagnostics over LSP    p50 ${f(median(lsp))} ms   p95 ${f(pct(lsp, 95))} ms   budget p95 <= 10 ms  ${pct(lsp, 95) <= 10 ? 'OK' : 'OVER'}`);
console.log(`server RSS after ${files} files   ${f(rss)} MB   budget <= 200 MB  ${rss <= 200 ? 'OK' : 'OVER'}`);
