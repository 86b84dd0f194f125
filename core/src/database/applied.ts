// The rows of `django_migrations`, as the server's protocol carries them: times in UTC ISO 8601.
import { sql } from 'kysely';
import type { AppliedRow } from '../../../shared/src/protocol';
import type { Reader } from './reader';

/**
 * Every applied row; [] when the table does not exist yet (nothing was ever migrated). The caller
 * refreshes the reader first (it wants the snapshot's notes).
 */
export async function readApplied(reader: Reader): Promise<AppliedRow[]> {
  let rows: Array<{ app: string; name: string; applied: unknown }>;
  try {
    const r = await sql<{
      app: string;
      name: string;
      applied: unknown;
    }>`select ${sql.ref('app')}, ${sql.ref('name')}, ${sql.ref('applied')} from ${sql.table('django_migrations')} order by ${sql.ref('id')}`.execute(reader.db);
    rows = r.rows;
  } catch (err) {
    if (isMissingTable(err)) return [];
    throw err;
  }
  return rows.map((r) => ({ app: String(r.app), name: String(r.name), applied: utc(r.applied) }));
}

/** PostgreSQL 42P01, MySQL 1146, SQLite "no such table". */
export function isMissingTable(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; message?: string };
  return e?.code === '42P01' || e?.errno === 1146 || e?.code === 'ER_NO_SUCH_TABLE' || /no such table/i.test(e?.message ?? '');
}

/** Dates from pg and mysql2 (timezone 'Z'), and SQLite's naive UTC text `2026-11-24 14:34:43.123456`. */
function utc(v: unknown): string | null {
  if (v instanceof Date) return isNaN(v.getTime()) ? null : v.toISOString();
  if (typeof v !== 'string' || !v) return null;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(v.trim());
  if (!m) return null;
  const ms = m[3] ? m[3].slice(0, 4).padEnd(4, '0') : '.000';
  const d = new Date(`${m[1]}T${m[2]}${ms}${m[4] ?? 'Z'}`);
  return isNaN(d.getTime()) ? null : d.toISOString();
}
