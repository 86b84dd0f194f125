// Database failures as messages a user can act on, naming the resolved source (never the password).
import { Connection, describeConnection } from '../config/connection';
import { SqliteSnapshotError } from './sqlite-snapshot';
import { SqliteTimeoutError } from './sqljs-dialect';

export type ErrorKind = 'unreachable' | 'auth' | 'unknown-database' | 'timeout' | 'sqlite-missing' | 'sqlite-busy' | 'sqlite-corrupt' | 'config' | 'other';

export interface DatabaseProblem {
  kind: ErrorKind;
  message: string;
}

export function describeError(err: unknown, c: Connection): DatabaseProblem {
  const e = err as { code?: string; errno?: number; message?: string; kind?: string };
  const msg = String(e?.message ?? err);
  const where = describeConnection(c);
  const make = (kind: ErrorKind, text: string): DatabaseProblem => ({ kind, message: `${text} — ${where}` });

  if (err instanceof SqliteSnapshotError) {
    if (err.kind === 'missing') return make('sqlite-missing', `The SQLite file does not exist yet (run migrate to create it)`);
    if (err.kind === 'busy') return make('sqlite-busy', `The SQLite file is locked or changing: ${err.message}`);
    return make('sqlite-corrupt', `The SQLite file cannot be read: ${err.message}`);
  }
  if (err instanceof SqliteTimeoutError) return make('timeout', `A query was stopped: ${msg}`);
  if (/file is not a database|malformed|file is encrypted/i.test(msg)) return make('sqlite-corrupt', `The SQLite file cannot be read (${msg})`);
  if (/database is locked/i.test(msg)) return make('sqlite-busy', `The SQLite file is locked (${msg})`);

  // PostgreSQL SQLSTATEs, MySQL/MariaDB errnos, and Node's socket errors.
  if (e?.code === '28P01' || e?.code === '28000' || e?.errno === 1045 || e?.code === 'ER_ACCESS_DENIED_ERROR') {
    return make('auth', `Wrong user or password (${firstLine(msg)}); set it with "Migration Lens: Set Database Password"`);
  }
  if (e?.code === '3D000' || e?.errno === 1049 || e?.code === 'ER_BAD_DB_ERROR') {
    return make('unknown-database', `The database does not exist (${firstLine(msg)}); create it, or run migrate`);
  }
  if (e?.code === '57014' || e?.errno === 1969 || e?.errno === 3024 || /statement timeout|max_statement_time|maximum statement execution time/i.test(msg)) {
    return make('timeout', `A query took longer than the statement timeout and was stopped (${firstLine(msg)})`);
  }
  if (
    ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'PROTOCOL_CONNECTION_LOST'].includes(e?.code ?? '') ||
    /timeout expired|connection terminated|connect ETIMEDOUT|Connection terminated due to connection timeout/i.test(msg)
  ) {
    return make('unreachable', `The database server cannot be reached (${firstLine(msg) || e?.code})`);
  }
  return make('other', `Reading the database failed: ${firstLine(msg)}`);
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}
