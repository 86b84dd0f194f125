// Runs fuzz cases through the analysis engine in this process: apply the case's texts, take every
// finding of the changed files, check them, put the original texts back.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initParser } from '../../server/src/analysis/parser';
import { Workspace } from '../../server/src/analysis/workspace';
import { corpus, FuzzCase, makeCase } from './mutate';

export interface CaseResult {
  index: number;
  kind: string;
  ms: number;
  /** Why the case counts as a crash: an exception, a rule that threw, a finding out of its file. */
  crash?: string;
}

export class EngineFuzzer {
  private readonly base = corpus();
  private root = '';
  private ws!: Workspace;

  async start(): Promise<void> {
    await initParser();
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-fuzz-'));
    fs.writeFileSync(path.join(this.root, 'manage.py'), '');
    for (const b of this.base) {
      const full = path.join(this.root, b.rel);
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, b.text);
    }
    this.ws = new Workspace([this.root]);
    this.ws.scanAll();
  }

  case(seed: number, index: number): FuzzCase {
    return makeCase(seed, index, this.base);
  }

  run(c: FuzzCase): CaseResult {
    const started = performance.now();
    const touched = Object.keys(c.files).map((rel) => path.join(this.root, rel));
    let crash: string | undefined;
    try {
      const entries = Object.entries(c.files);
      // Many files arrive as the server receives them from the file watcher: in one batch.
      if (entries.length > 1) this.ws.updateMany(entries.map(([rel, text]) => ({ file: path.join(this.root, rel), text })));
      else for (const [rel, text] of entries) this.ws.update(path.join(this.root, rel), text);
      // Many new files: the first, the last and the app's own files are enough to see them all replayed.
      const look = touched.length > 20 ? [touched[0], touched[touched.length - 1], ...this.base.map((b) => path.join(this.root, b.rel))] : touched;
      for (const file of look) {
        const text = this.ws.textOf(file) ?? '';
        const lines = text.split(/\r\n|\r|\n/).length;
        for (const f of this.ws.findings(file)) {
          if (/failed on this file/.test(f.message)) crash = `rule ${f.code} threw: ${f.message}`;
          else if (!(f.range.start.line >= 0 && f.range.start.line <= lines && f.range.end.line >= f.range.start.line && f.message))
            crash = `finding ${f.code} out of its file: ${JSON.stringify(f.range)} in ${lines} lines`;
        }
      }
    } catch (err) {
      crash = `threw: ${(err as Error).stack ?? err}`;
    }
    const ms = performance.now() - started;
    // Back to the real files, so that every case starts from the same workspace.
    try {
      const restore = touched.map((file) => ({ file, text: this.base.find((b) => path.join(this.root, b.rel) === file)?.text }));
      if (restore.length > 1) this.ws.updateMany(restore);
      else
        for (const { file, text } of restore)
          if (text === undefined) this.ws.remove(file);
          else this.ws.update(file, text);
    } catch (err) {
      crash ??= `threw while restoring: ${(err as Error).stack ?? err}`;
    }
    return { index: c.index, kind: c.kind, ms, crash };
  }

  dispose(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
