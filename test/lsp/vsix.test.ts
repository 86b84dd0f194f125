// The packaged extension carries a server that runs on its own: bundle and .wasm files together.
import * as assert from 'assert';
import * as cp from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { URI } from 'vscode-uri';
import { REPO, tempDir } from '../helpers/project';
import { startServer } from '../helpers/lsp';
import { PYTHON } from '../helpers/servers';
import { Bridge } from '../../core/src/django/bridge';

describe('the packaged .vsix', function () {
  let ext: string;
  before(() => {
    const out = tempDir('ml-vsix-');
    const vsix = path.join(out, 'migration-lens.vsix');
    const pack = cp.spawnSync(process.execPath, [path.join(REPO, 'scripts', 'package.mjs'), vsix], {
      cwd: REPO,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assert.strictEqual(pack.status, 0, pack.stderr + pack.stdout);
    const unzip = cp.spawnSync('python3', ['-m', 'zipfile', '-e', vsix, out], { encoding: 'utf8' });
    assert.strictEqual(unzip.status, 0, unzip.stderr);
    ext = path.join(out, 'extension');
    const manifest = JSON.parse(fs.readFileSync(path.join(ext, 'package.json'), 'utf8'));
    assert.ok(fs.existsSync(path.join(ext, manifest.main)));
    for (const f of ['server.js', 'tree-sitter.wasm', 'tree-sitter-python.wasm', 'libpg-query.wasm']) assert.ok(fs.existsSync(path.join(ext, 'dist', f)), f);
    assert.ok(!fs.existsSync(path.join(ext, 'node_modules')), 'bundled: no node_modules in the package');
  });

  it('holds a language server that starts from the unpacked extension and analyzes examples/shop', async () => {
    const shop = path.join(REPO, 'examples', 'shop');
    const server = startServer({}, path.join(ext, 'dist', 'server.js'));
    try {
      const rootUri = URI.file(shop).toString();
      await server.connection.sendRequest('initialize', { processId: process.pid, rootUri, workspaceFolders: [{ uri: rootUri, name: 'shop' }], capabilities: {} });
      await server.connection.sendNotification('initialized', {});
      await server.waitFor((d) => d.size === 8, '8 migration files published');
    } finally {
      await server.stop();
    }
  });

  it('holds the SQLite reader thread with its sql.js .wasm, reading a file written by SQLite', async () => {
    const db = path.join(tempDir('ml-vsix-db-'), 'db.sqlite3');
    const make =
      "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nc.execute(\"create table django_migrations (id integer primary key, app text, name text, applied text)\")\nc.execute(\"insert into django_migrations (app, name, applied) values ('store', '0001_initial', '2026-11-24 10:00:00')\")\nc.commit()";
    const r = cp.spawnSync('python3', ['-c', make, db], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    const worker = new Worker(path.join(ext, 'dist', 'sqljs-worker.js'));
    try {
      const ask = (m: object) =>
        new Promise<{ id: number; rows?: unknown[] }>((resolve) => {
          worker.once('message', resolve);
          worker.postMessage(m);
        });
      assert.deepStrictEqual(await ask({ id: 1, type: 'load', bytes: new Uint8Array(fs.readFileSync(db)) }), { id: 1, rows: [] });
      const rows = await ask({ id: 2, type: 'query', sql: 'select app, name from django_migrations', params: [] });
      assert.deepStrictEqual(rows.rows, [{ app: 'store', name: '0001_initial' }]);
    } finally {
      await worker.terminate();
    }
  });

  it('holds the Django bridge, which boots examples/shop and answers', async function () {
    const script = path.join(ext, 'dist', 'python', 'migration_lens_bridge.py');
    assert.ok(fs.existsSync(script), 'dist/python/migration_lens_bridge.py is packaged');
    const bridge = new Bridge({ python: PYTHON, projectRoot: path.join(REPO, 'examples', 'shop'), script });
    try {
      const sql = await bridge.request('sql', { app: 'store', name: '0001' });
      assert.match(sql.text, /^BEGIN;\n--\n-- Create model Category/);
    } finally {
      bridge.dispose();
    }
  });
});
