// The language server over stdio, started as the extension starts it, for the benchmarks: time to
// publish every file's diagnostics, one-character edits timed until their diagnostics arrive, RSS.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { createProtocolConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-languageserver-protocol/node');
const { SERVER_NODE_ARGS } = require(join(repo, 'out/shared/src/launch.js'));

/**
 * Opens `folders`, waits until `files` files have diagnostics, then makes `edits` one-character
 * edits in `editTarget` that toggle an ML401 (reverse_code= / reverse_codf=).
 */
export async function lspSession({ folders, files, editTarget, edits, baseline = false, at = 'start' }) {
  const server = spawn(process.execPath, [...SERVER_NODE_ARGS, join(repo, 'dist/server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createProtocolConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
  let onPublish = () => {};
  const published = new Set();
  const diagnostics = new Map();
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    published.add(p.uri);
    diagnostics.set(p.uri, p.diagnostics);
    onPublish(p);
  });
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => ({})));
  // The extension's answer to the baseline request: git, as client/src/baseline.ts runs it.
  const { readBaselines } = require(join(repo, 'out/core/src/git/git-baseline.js'));
  // The blobs at once; the client reads the release tags in the background and answers again later.
  conn.onRequest('migrationLens/baseline', async (p) => ({ repos: await readBaselines(p.paths, { releases: false }) }));
  conn.onRequest('client/registerCapability', () => null);
  conn.listen();
  const workspaceFolders = folders.map((f) => ({ uri: pathToFileURL(f).href, name: f }));
  const tInit = performance.now();
  await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: workspaceFolders[0].uri,
    workspaceFolders,
    capabilities: { workspace: { configuration: true } },
    initializationOptions: { baseline },
  });
  await conn.sendNotification('initialized', {});
  // What the tree asks first: the projects, answered once the files are parsed.
  const projects = await conn.sendRequest('migrationLens/projects', {});
  const firstRows = performance.now() - tInit;
  const rows = projects.reduce((n, p) => n + p.apps.reduce((m, a) => m + a.migrations.length, 0), 0);
  while (published.size < files) await new Promise((r) => setTimeout(r, 20));
  const cold = performance.now() - tInit;
  // The Problems panel's count: errors, warnings and infos (hints are not counted).
  const problems = { error: 0, warning: 0, information: 0, hint: 0 };
  for (const ds of diagnostics.values()) for (const d of ds) problems[['', 'error', 'warning', 'information', 'hint'][d.severity]]++;

  // The edited operation goes first in the list, or (at: 'end') last, after every other one.
  const source = readFileSync(editTarget, 'utf8');
  const close = source.lastIndexOf('\n    ]');
  const base =
    at === 'end'
      ? `${source.slice(0, close)}\n        migrations.RunPython(forwards_x, reverse_code=migrations.RunPython.noop),${source.slice(close)}`
      : source.replace(/\n(\s*)operations = \[\n/, '\n$1operations = [\n$1    migrations.RunPython(forwards_x, reverse_code=migrations.RunPython.noop),\n');
  const uri = pathToFileURL(editTarget).href;
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: base } });
  await new Promise((r) => setTimeout(r, 300));
  const lines = base.split('\n');
  const line = lines.findIndex((l) => l.includes('reverse_code=migrations.RunPython.noop'));
  const col = lines[line].indexOf('reverse_code') + 'reverse_cod'.length;
  const times = [];
  const cpu = () => {
    const f = readFileSync(`/proc/${server.pid}/stat`, 'utf8')
      .slice(readFileSync(`/proc/${server.pid}/stat`, 'utf8').lastIndexOf(')') + 2)
      .split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, in ms (USER_HZ = 100)
  };
  const cpuBefore = cpu();
  for (let i = 0; i < edits; i++) {
    const ch = i % 2 ? 'e' : 'f'; // reverse_codf= drops the reverse (ML401 appears); reverse_code= restores it
    const done = new Promise((r) => (onPublish = (p) => p.uri === uri && r()));
    const t = performance.now();
    await conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: i + 2 },
      contentChanges: [{ range: { start: { line, character: col }, end: { line, character: col + 1 } }, text: ch }],
    });
    await done;
    times.push(performance.now() - t);
  }
  const cpuPerEdit = (cpu() - cpuBefore) / edits;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]) / 1024;
  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit');
  server.kill();
  return { cold, firstRows, rows, problems, times, cpuPerEdit, rss };
}
