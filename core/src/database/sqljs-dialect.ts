// Kysely's SQLite compiler, adapter and introspector over sql.js in a worker thread: the database
// is an in-memory snapshot (see sqlite-snapshot.ts), so nothing ever reaches the file on disk.
import * as path from 'path';
import { Worker } from 'worker_threads';
import {
  CompiledQuery,
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import type { WorkerRequest, WorkerResponse } from './sqljs-worker';

export class SqliteTimeoutError extends Error {}

type WorkerRequestBody = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

/** The worker that holds the snapshot; restarted (and reloaded) after a timeout. */
export class SqlJsHost {
  private worker: Worker | undefined;
  private bytes: Uint8Array | undefined;
  private loaded = false;
  private next = 1;
  private readonly waiting = new Map<number, { resolve(r: WorkerResponse): void; reject(e: Error): void }>();

  /** Replaces the snapshot the queries run on. */
  async load(bytes: Uint8Array): Promise<void> {
    this.bytes = bytes;
    this.loaded = false;
    await this.send({ type: 'load', bytes }, 0);
    this.loaded = true;
  }

  async query(sql: string, params: readonly unknown[], timeoutMs: number): Promise<WorkerResponse> {
    if (!this.loaded && this.bytes) await this.load(this.bytes);
    return this.send({ type: 'query', sql, params: params.map(toSqlValue) }, timeoutMs);
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.fail(new Error('closed'));
    await w?.terminate();
  }

  private send(req: WorkerRequestBody, timeoutMs: number): Promise<WorkerResponse> {
    const worker = this.start();
    const id = this.next++;
    return new Promise<WorkerResponse>((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              // sql.js cannot be interrupted: stop the thread, the snapshot is reloaded on the next query.
              this.waiting.delete(id);
              this.worker = undefined;
              this.loaded = false;
              this.fail(new SqliteTimeoutError('canceled'));
              void worker.terminate();
              reject(new SqliteTimeoutError(`the query took longer than ${timeoutMs} ms and was stopped`));
            }, timeoutMs)
          : undefined;
      this.waiting.set(id, {
        resolve: (r) => {
          if (timer) clearTimeout(timer);
          if (r.error) reject(new Error(r.error));
          else resolve(r);
        },
        reject: (e) => {
          if (timer) clearTimeout(timer);
          reject(e);
        },
      });
      const message = { ...req, id } as WorkerRequest;
      worker.postMessage(message);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(path.join(__dirname, 'sqljs-worker.js'));
    w.unref();
    w.on('message', (r: WorkerResponse) => {
      const p = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      p?.resolve(r);
    });
    w.on('error', (e) => this.fail(e));
    w.on('exit', () => {
      if (this.worker === w) {
        this.worker = undefined;
        this.loaded = false;
        this.fail(new Error('the SQLite reader stopped'));
      }
    });
    this.worker = w;
    return w;
  }

  private fail(e: Error): void {
    const all = [...this.waiting.values()];
    this.waiting.clear();
    for (const p of all) p.reject(e);
  }
}

function toSqlValue(v: unknown): string | number | null | Uint8Array {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string' || v instanceof Uint8Array) return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

export class SqlJsDialect implements Dialect {
  constructor(
    private readonly host: SqlJsHost,
    /** Per-statement limit; 0 for none. */
    readonly timeoutMs: () => number,
  ) {}
  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }
  createDriver(): Driver {
    return new SqlJsDriver(this.host, this.timeoutMs);
  }
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

class SqlJsDriver implements Driver {
  private queue: Promise<void> = Promise.resolve();
  private release: (() => void) | undefined;
  private readonly connection: DatabaseConnection;

  constructor(host: SqlJsHost, timeoutMs: () => number) {
    this.connection = {
      async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
        const r = await host.query(q.sql, q.parameters, timeoutMs());
        return { rows: (r.rows ?? []) as R[] };
      },
      streamQuery() {
        throw new Error('streaming is not supported on a SQLite snapshot');
      },
    };
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    // One connection: queue the callers, as Kysely's own SQLite driver does.
    const previous = this.queue;
    let release!: () => void;
    this.queue = new Promise((r) => (release = r));
    await previous;
    this.release = release;
    return this.connection;
  }
  async beginTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('begin'));
  }
  async commitTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('rollback'));
  }
  async releaseConnection(): Promise<void> {
    const r = this.release;
    this.release = undefined;
    r?.();
  }
  async destroy(): Promise<void> {}
}
