// Figures on the real-world corpus (test/corpus): whole-process `migration-lens check` beside a
// whole-process tree-sitter parse of the same files (budget <= 1.6x), the language server's RSS with
// the whole corpus open (<= 250 MB), and edit -> diagnostics in the corpus's largest app (p95 <= 10 ms).
// Run: npm run bench (after `node test/corpus/layout.mjs <mirrors>`); prints how to lay it out if missing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = process.argv[2] ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'migration-lens', 'corpus');
if (!existsSync(corpus)) {
  console.log(`real-world corpus: not laid out at ${corpus} (node test/corpus/layout.mjs <dir of fetched repositories>); skipped`);
  process.exit(0);
}
const { createProtocolConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-languageserver-protocol/node');
// Started as the extension starts it.
const { SERVER_NODE_ARGS } = require(join(repo, 'out/server/src/launch.js'));

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const pct = (a, p) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.ceil((p / 100) * a.length) - 1)];
const wall = (args) => {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0 && r.status !== 1) throw new Error(r.stderr);
  return { ms: performance.now() - t, out: r.stdout };
};

const parseRuns = [];
const checkRuns = [];
let files = 0;
for (let i = 0; i < 3; i++) {
  parseRuns.push(wall([join(repo, 'test/bench/parse-only.mjs'), corpus]).ms);
  const c = wall([join(repo, 'dist/cli.js'), 'check', corpus, '--format', 'json']);
  checkRuns.push(c.ms);
  files = JSON.parse(c.out).files.length;
}
const ratio = median(checkRuns) / median(parseRuns);

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

const server = spawn(process.execPath, [...SERVER_NODE_ARGS, join(repo, 'dist/server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const conn = createProtocolConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
let onPublish = () => {};
const published = new Set();
conn.onNotification('textDocument/publishDiagnostics', (p) => {
  published.add(p.uri);
  onPublish(p);
});
conn.onRequest('workspace/configuration', (p) => p.items.map(() => ({})));
conn.onRequest('client/registerCapability', () => null);
conn.listen();
const folders = readdirSync(corpus).map((n) => ({ uri: pathToFileURL(join(corpus, n)).href, name: n }));
const tInit = performance.now();
await conn.sendRequest('initialize', { processId: process.pid, rootUri: folders[0].uri, workspaceFolders: folders, capabilities: { workspace: { configuration: true } } });
await conn.sendNotification('initialized', {});
while (published.size < files) await new Promise((r) => setTimeout(r, 20));
const serverCold = performance.now() - tInit;

const names = readdirSync(bigApp).filter((f) => /^\d.*\.py$/.test(f)).sort();
const editTarget = join(bigApp, names[Math.floor(names.length / 2)]);
const base = readFileSync(editTarget, 'utf8').replace(/\n(\s*)operations = \[\n/, '\n$1operations = [\n$1    migrations.RunPython(forwards_x, reverse_code=migrations.RunPython.noop),\n');
const uri = pathToFileURL(editTarget).href;
await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: base } });
await new Promise((r) => setTimeout(r, 500));
const lines = base.split('\n');
const line = lines.findIndex((l) => l.includes('reverse_code=migrations.RunPython.noop'));
const col = lines[line].indexOf('reverse_code') + 'reverse_cod'.length;
const lsp = [];
for (let i = 0; i < 200; i++) {
  const ch = i % 2 ? 'e' : 'f'; // reverse_codf= drops the reverse (ML401 appears); reverse_code= restores it
  const done = new Promise((r) => (onPublish = (p) => p.uri === uri && r()));
  const t = performance.now();
  await conn.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: i + 2 },
    contentChanges: [{ range: { start: { line, character: col }, end: { line, character: col + 1 } }, text: ch }],
  });
  await done;
  lsp.push(performance.now() - t);
}
const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]) / 1024;
await conn.sendRequest('shutdown');
await conn.sendNotification('exit');
server.kill();

const f = (n) => n.toFixed(0);
console.log(`real-world corpus: ${files} migration files in ${folders.length} projects (${corpus})`);
console.log(`whole process: tree-sitter parse only  median ${f(median(parseRuns))} ms`);
console.log(`whole process: migration-lens check    median ${f(median(checkRuns))} ms   ratio ${ratio.toFixed(2)}x   budget <= 1.60x  ${ratio <= 1.6 ? 'OK' : 'OVER'}`);
console.log(`server start to all published          ${f(serverCold)} ms`);
console.log(`edit -> diagnostics over LSP in ${bigApp.slice(corpus.length + 1)} (${bigCount} migrations)   p50 ${median(lsp).toFixed(1)} ms   p95 ${pct(lsp, 95).toFixed(1)} ms   budget p95 <= 10 ms  ${pct(lsp, 95) <= 10 ? 'OK' : 'OVER'}`);
console.log(`server RSS with the corpus open        ${f(rss)} MB   budget <= 250 MB  ${rss <= 250 ? 'OK' : 'OVER'}`);
