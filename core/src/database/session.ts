// One project's database as the extension and the CLI use it: resolve the connection, keep one
// reader open while the connection stays the same, read the applied rows, run the probes. Every
// failure becomes a DatabaseProblem; nothing here throws to the caller.
import type { AppliedRow, ProbeResult, ProbeSpec } from '../../../shared/src/protocol';
import { Connection, ConnectionConfigError, describeConnection, resolveConnection, ResolveInputs } from '../config/connection';
import { readApplied } from './applied';
import { DatabaseProblem, describeError } from './errors';
import { runProbes } from './probes';
import { openReader, Reader, ReaderOptions } from './reader';
import { Engine, engineFromVersion } from '../../../shared/src/engine';

export interface AppliedReport {
  connection?: Connection;
  /** What the user sees: engine, place and source, never the password. */
  description: string;
  rows?: AppliedRow[];
  problem?: DatabaseProblem;
  /** SQLite: what the snapshot folded in. */
  notes: string[];
  /** The engine and version the server reports, when it could be read. */
  engine?: Engine;
}

export class ProjectDatabase {
  private reader: Reader | undefined;
  private readerKey: string | undefined;

  constructor(
    readonly projectRoot: string,
    private readonly options: ReaderOptions = {},
  ) {}

  async readApplied(inputs: ResolveInputs): Promise<AppliedReport> {
    let connection: Connection;
    try {
      connection = resolveConnection(inputs);
    } catch (err) {
      const message = err instanceof ConnectionConfigError ? err.message : String(err);
      return { description: 'not configured', problem: { kind: 'config', message }, notes: [] };
    }
    const description = describeConnection(connection, this.projectRoot);
    const reader = await this.readerFor(connection);
    try {
      const notes = await reader.refresh();
      const rows = await readApplied(reader);
      const reported = await reader.serverVersion().catch(() => undefined);
      // SQLite is read by sql.js here, whose version is not the project's: the engine, no version.
      const engine: Engine | undefined =
        connection.engine === 'sqlite' ? { name: 'sqlite' } : reported === undefined ? undefined : engineFromVersion(connection.engine === 'postgres' ? 'postgresql' : 'mysql', reported);
      return { connection, description, rows, notes, ...(engine ? { engine } : {}) };
    } catch (err) {
      const problem = describeError(err, connection);
      // A reader whose server went away is rebuilt on the next read rather than reused.
      if (problem.kind !== 'sqlite-busy') await this.close();
      return { connection, description, problem, notes: [] };
    }
  }

  /** Runs the probes on the connection of the last successful read. */
  async probe(specs: readonly ProbeSpec[]): Promise<ProbeResult[]> {
    if (!this.reader || !specs.length) return [];
    try {
      return await runProbes(this.reader, specs);
    } catch (err) {
      const message = describeError(err, this.reader.connection).message;
      return specs.map((s) => ({ id: s.id, error: message }));
    }
  }

  async close(): Promise<void> {
    const r = this.reader;
    this.reader = undefined;
    this.readerKey = undefined;
    await r?.close().catch(() => undefined);
  }

  private async readerFor(c: Connection): Promise<Reader> {
    const key = JSON.stringify({ ...c, source: undefined });
    if (this.reader && this.readerKey === key) return this.reader;
    await this.close();
    this.reader = openReader(c, this.options);
    this.readerKey = key;
    return this.reader;
  }
}
