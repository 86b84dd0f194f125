// Fuzz cases through the running language server over LSP: open, change and close in fast
// sequence without waiting for answers; every so often a request that must still be answered.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { startServer, ServerHandle } from '../helpers/lsp';
import { corpus, FuzzCase, makeCase, rng } from './mutate';

export class LspFuzzer {
  private readonly base = corpus();
  private root = '';
  private server!: ServerHandle;
  /** Errors the server logged (it reports what it caught instead of dying). */
  readonly logged: string[] = [];
  exited: string | undefined;

  async start(): Promise<void> {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-fuzz-lsp-'));
    fs.writeFileSync(path.join(this.root, 'manage.py'), '');
    for (const b of this.base) {
      const full = path.join(this.root, b.rel);
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, b.text);
    }
    this.server = startServer();
    this.server.process.on('exit', (code, signal) => (this.exited = `exited with ${code ?? signal}`));
    this.server.connection.onNotification('window/logMessage', (p: { type: number; message: string }) => {
      if (p.type === 1) this.logged.push(p.message);
    });
    const rootUri = pathToFileURL(this.root).toString();
    await this.server.connection.sendRequest('initialize', { processId: process.pid, rootUri, workspaceFolders: [{ uri: rootUri, name: 'fuzz' }], capabilities: {} });
    await this.server.connection.sendNotification('initialized', {});
  }

  get pid(): number {
    return this.server.process.pid!;
  }

  /** Resident memory of the server process, in MB. */
  rss(): number {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${this.pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  }

  case(seed: number, index: number): FuzzCase {
    return makeCase(seed, index, this.base);
  }

  /** Sends the case; nothing is awaited but the writes. */
  async send(c: FuzzCase): Promise<void> {
    const conn = this.server.connection;
    const r = rng(c.index);
    for (const [rel, text] of Object.entries(c.files).slice(0, 50)) {
      const uri = pathToFileURL(path.join(this.root, rel)).toString();
      await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
      // Typing on: the text cut back and grown again.
      const cut = Math.floor(r() * text.length);
      await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: text.slice(0, cut) }] });
      await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text }] });
      await conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    }
    if (c.index % 97 === 0) {
      // Bytes on disk that are not UTF-8, seen through the file watcher.
      const file = path.join(this.root, this.base[c.index % this.base.length].rel);
      const original = fs.readFileSync(file);
      fs.writeFileSync(file, Buffer.concat([original.subarray(0, Math.floor(r() * original.length)), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1])]));
      const uri = pathToFileURL(file).toString();
      await conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri, type: 2 }] });
      fs.writeFileSync(file, original);
      await conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri, type: 2 }] });
    }
  }

  /** A request the server must answer within `ms`: it is alive and not stuck. */
  async alive(ms = 20_000): Promise<boolean> {
    if (this.exited) return false;
    const answer = this.server.connection.sendRequest('migrationLens/projects', {}).then(
      () => true,
      () => false,
    );
    const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref());
    return Promise.race([answer, timeout]);
  }

  async stop(): Promise<void> {
    await this.server.stop().catch(() => undefined);
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
