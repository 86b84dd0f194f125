// Runs sql.js off the extension host's thread, so a slow query on a big SQLite snapshot can be
// stopped (the worker is terminated) and never blocks the editor. Messages: load a snapshot, run
// a query; every answer carries the request's id.
import { parentPort } from 'worker_threads';
import * as fs from 'fs';
import * as path from 'path';
import initSqlJs from 'sql.js';
import type { Database, SqlJsStatic, SqlValue } from 'sql.js';

export type WorkerRequest = { id: number; type: 'load'; bytes: Uint8Array } | { id: number; type: 'query'; sql: string; params: SqlValue[] };
export type WorkerResponse = { id: number; rows?: Record<string, SqlValue>[]; changes?: number; error?: string };

let sqlJs: Promise<SqlJsStatic> | undefined;
let db: Database | undefined;

function wasmPath(file: string): string {
  const beside = path.join(__dirname, file);
  return fs.existsSync(beside) ? beside : require.resolve(`sql.js/dist/${file}`);
}

parentPort?.on('message', async (m: WorkerRequest) => {
  const reply = (r: Omit<WorkerResponse, 'id'>) => parentPort!.postMessage({ id: m.id, ...r });
  try {
    sqlJs ??= initSqlJs({ locateFile: wasmPath });
    const SQL = await sqlJs;
    if (m.type === 'load') {
      db?.close();
      db = new SQL.Database(m.bytes);
      reply({ rows: [] });
      return;
    }
    if (!db) throw new Error('no database loaded');
    const stmt = db.prepare(m.sql);
    try {
      stmt.bind(m.params);
      const rows: Record<string, SqlValue>[] = [];
      while (stmt.step()) rows.push(stmt.getAsObject());
      reply({ rows, changes: db.getRowsModified() });
    } finally {
      stmt.free();
    }
  } catch (err) {
    reply({ error: (err as Error).message });
  }
});
