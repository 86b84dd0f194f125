// The live-data counts behind ML601–ML604, each in a read-only transaction with a statement
// timeout. Table and column names come from migrations and are quoted by Kysely (sql.table /
// sql.id), never pasted into the text; patterns are bound parameters.
import { Kysely, sql, RawBuilder } from 'kysely';
import type { ConvertTarget, Probe, ProbeResult, ProbeSpec } from '../../../shared/src/protocol';
import type { Flavor, Reader } from './reader';
import { describeError } from './errors';

type Tables = Map<string, Set<string>>;

export async function runProbes(reader: Reader, specs: readonly ProbeSpec[]): Promise<ProbeResult[]> {
  if (!specs.length) return [];
  await reader.refresh();
  const flavor = await reader.flavor();
  const tables = await listTables(reader);
  const out: ProbeResult[] = [];
  for (const spec of specs) {
    const missing = whatIsMissing(spec.probe, tables);
    if (missing) {
      out.push({ id: spec.id, skipped: `${missing} does not exist yet (an earlier pending migration creates it)`, engine: flavor });
      continue;
    }
    try {
      const r = await reader.readOnly((trx) => count(trx, flavor, spec.probe));
      out.push({ id: spec.id, ...r, engine: flavor });
    } catch (err) {
      out.push({ id: spec.id, error: describeError(err, reader.connection).message, engine: flavor });
    }
  }
  return out;
}

/** Table name -> column names, from the engine's catalog. */
async function listTables(reader: Reader): Promise<Tables> {
  const tables = await reader.db.introspection.getTables();
  const map: Tables = new Map();
  for (const t of tables) {
    // PostgreSQL lists every schema: the search path's `public` wins over a same-named table elsewhere.
    if (map.has(t.name) && t.schema && t.schema !== 'public') continue;
    map.set(t.name, new Set(t.columns.map((c) => c.name)));
  }
  return map;
}

function whatIsMissing(p: Probe, tables: Tables): string | undefined {
  const cols = tables.get(p.table);
  if (!cols) return `table ${p.table}`;
  const wanted = p.kind === 'duplicates' ? p.columns : p.kind === 'loss' ? (p.column ? [p.column] : []) : p.kind === 'size' ? [] : [p.column];
  const absent = wanted.find((c) => !cols.has(c));
  return absent ? `column ${p.table}.${absent}` : undefined;
}

async function count(trx: Kysely<any>, flavor: Flavor, p: Probe): Promise<Omit<ProbeResult, 'id'>> {
  const t = sql.table(p.table);
  switch (p.kind) {
    case 'nulls': {
      const c = sql.id(p.column);
      const r = await sql<{ n: number; total: number }>`select count(*) - count(${c}) as n, count(*) as total from ${t}`.execute(trx);
      return { count: num(r.rows[0]?.n), total: num(r.rows[0]?.total) };
    }
    case 'loss': {
      if (!p.column) {
        const r = await sql<{ n: number }>`select count(*) as n from ${t}`.execute(trx);
        return { count: num(r.rows[0]?.n) };
      }
      const c = sql.id(p.column);
      const r = await sql<{ n: number; total: number }>`select count(${c}) as n, count(*) as total from ${t}`.execute(trx);
      return { count: num(r.rows[0]?.n), total: num(r.rows[0]?.total) };
    }
    case 'duplicates': {
      const cols = sql.join(p.columns.map((c) => sql.id(c)));
      const notNull = sql.join(
        p.columns.map((c) => sql`${sql.id(c)} is not null`),
        sql` and `,
      );
      const r = await sql<{
        n: number;
        total: number;
      }>`select count(*) as n, coalesce(sum(d.k), 0) as total from (select count(*) as k from ${t} where ${notNull} group by ${cols} having count(*) > 1) d`.execute(trx);
      return { count: num(r.rows[0]?.n), total: num(r.rows[0]?.total) };
    }
    case 'size':
      return size(trx, flavor, p.table);
    case 'convert': {
      const c = sql.id(p.column);
      const bad = failsToConvert(c, flavor, p.from, p.target);
      if (!bad) return { skipped: `no check for ${p.from} -> ${p.target.type} on ${flavor}` };
      const r = await sql<{ n: number; total: number }>`select count(*) as n from ${t} where ${c} is not null and (${bad})`.execute(trx);
      const total = await sql<{ n: number }>`select count(${c}) as n from ${t}`.execute(trx);
      return { count: num(r.rows[0]?.n), total: num(total.rows[0]?.n) };
    }
  }
}

// Text forms each target accepts, as POSIX classes that PostgreSQL, MySQL 8 (ICU) and MariaDB (PCRE) all read.
const S = '[[:space:]]*';
const PATTERNS: Partial<Record<ConvertTarget['type'], string>> = {
  integer: `^${S}[-+]?[0-9]+${S}$`,
  decimal: `^${S}[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)${S}$`,
  float: `^${S}[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]+)?${S}$`,
  boolean: `^${S}(t|true|y|yes|on|1|f|false|n|no|off|0)${S}$`,
  date: `^${S}[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}${S}$`,
  datetime: `^${S}[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?${S}(Z|[-+][0-9]{2}(:?[0-9]{2})?)?${S}$`,
  time: `^${S}[0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?${S}$`,
  uuid: `^${S}[{]?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}[}]?${S}$`,
};

/** A predicate true for a stored value that the new column will refuse (or, on SQLite, not convert). */
function failsToConvert(c: RawBuilder<unknown>, flavor: Flavor, from: string, target: ConvertTarget): RawBuilder<unknown> | undefined {
  if (target.type === 'text') {
    const len = flavor === 'sqlite' ? sql`length(${c})` : sql`char_length(${c})`;
    return sql`${len} > ${target.maxLength}`;
  }
  if (target.type === 'integer' && from === 'integer') {
    const [min, max] = integerRange(flavor, target.bits, target.unsigned);
    // Numeric literals we computed (64-bit limits do not fit a JS number, so not parameters).
    return sql`${c} < ${sql.raw(digits(min))} or ${c} > ${sql.raw(digits(max))}`;
  }
  if (target.type === 'decimal' && from === 'decimal' && target.integerDigits !== undefined) {
    return sql`abs(${c}) >= ${sql.lit(10 ** target.integerDigits)}`;
  }
  if (from !== 'text') return undefined;
  if (target.type === 'json') {
    if (flavor === 'sqlite') return sql`json_valid(${c}) = 0`;
    if (flavor === 'postgres') return undefined; // no test without a cast that could fail the transaction
    return sql`json_valid(${c}) = 0`;
  }
  // MySQL's booleans are tinyint: text converts like an integer.
  const type = flavor !== 'postgres' && flavor !== 'sqlite' && target.type === 'boolean' ? 'integer' : target.type;
  const pattern = PATTERNS[type];
  if (!pattern) return undefined;
  if (flavor === 'postgres') return sql`not (${c} ~* ${pattern})`;
  if (flavor === 'sqlite') return sqliteFails(c, type);
  return sql`not (lower(${c}) regexp ${pattern.replace(/\[a-fA-F\]/g, '[a-f]')})`;
}

/**
 * sql.js has no REGEXP; SQLite keeps what does not convert as text, so "fails" means the value will
 * not become the column's type. GLOB covers the integer and number forms; dates stay text anyway.
 */
function sqliteFails(c: RawBuilder<unknown>, type: string): RawBuilder<unknown> | undefined {
  const v = sql`ltrim(trim(${c}), '+-')`;
  if (type === 'integer') return sql`(${v} = '' or ${v} glob '*[^0-9]*')`;
  if (type === 'decimal') return sql`(${v} = '' or ${v} glob '*[^0-9.]*' or ${v} glob '*.*.*' or ${v} = '.')`;
  if (type === 'float') return sql`(${v} = '' or ${v} glob '*[^0-9.eE+-]*' or ${v} glob '*.*.*' or ${v} = '.')`;
  if (type === 'boolean') return sql`lower(trim(${c})) not in ('t','true','y','yes','on','1','f','false','n','no','off','0')`;
  if (type === 'uuid')
    return sql`length(replace(replace(replace(trim(${c}), '-', ''), '{', ''), '}', '')) <> 32 or replace(replace(replace(lower(trim(${c})), '-', ''), '{', ''), '}', '') glob '*[^0-9a-f]*'`;
  if (type === 'date') return sql`date(trim(${c})) is null`;
  if (type === 'datetime') return sql`datetime(trim(${c})) is null`;
  if (type === 'time') return sql`time(trim(${c})) is null`;
  return undefined;
}

function integerRange(flavor: Flavor, bits: number, unsigned: boolean): [string, string] {
  const pow = (n: number) => (2n ** BigInt(n)).toString();
  if (unsigned) {
    // MySQL's Positive* are UNSIGNED; PostgreSQL's are signed columns with a >= 0 check. SQLite
    // enforces nothing: it is held to PostgreSQL's limits, where the same migration would fail.
    const max = flavor !== 'mysql' && flavor !== 'mariadb' ? (2n ** BigInt(bits - 1) - 1n).toString() : (2n ** BigInt(bits) - 1n).toString();
    return ['0', max];
  }
  return [`-${pow(bits - 1)}`, (2n ** BigInt(bits - 1) - 1n).toString()];
}

function digits(s: string): string {
  if (!/^-?\d+$/.test(s)) throw new Error(`not an integer literal: ${s}`);
  return s;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v ?? 0);
}

const SQLITE_COUNT_LIMIT = 1_000_000;

/**
 * A table's rows and bytes as the catalog keeps them (estimates, refreshed by ANALYZE and
 * autovacuum); rows stay unknown, not zero, for a table never analyzed. SQLite has no statistics:
 * its rows are counted up to a bound, its bytes unknown.
 */
async function size(trx: Kysely<any>, flavor: Flavor, table: string): Promise<Omit<ProbeResult, 'id'>> {
  if (flavor === 'postgres') {
    const r = await sql<{
      n: string | number;
      b: string | number;
    }>`select c.reltuples as n, pg_total_relation_size(c.oid) as b from pg_class c where c.oid = to_regclass(quote_ident(${table}))`.execute(trx);
    const row = r.rows[0];
    if (!row) return { skipped: `table ${table} not found` };
    const n = Number(row.n);
    // -1: never vacuumed or analyzed (PostgreSQL 14+); 0 before 14 could mean the same.
    return { ...(n >= 0 ? { count: Math.round(n) } : {}), bytes: Number(row.b) };
  }
  if (flavor === 'sqlite') {
    const r = await sql<{ n: number }>`select count(*) as n from (select 1 from ${sql.table(table)} limit ${SQLITE_COUNT_LIMIT + 1})`.execute(trx);
    return { count: num(r.rows[0]?.n) };
  }
  const r = await sql<{
    n: number | null;
    b: number | null;
  }>`select TABLE_ROWS as n, DATA_LENGTH + INDEX_LENGTH as b from information_schema.TABLES where TABLE_SCHEMA = database() and TABLE_NAME = ${table}`.execute(trx);
  const row = r.rows[0];
  if (!row) return { skipped: `table ${table} not found` };
  return { ...(row.n === null ? {} : { count: Number(row.n) }), ...(row.b === null ? {} : { bytes: Number(row.b) }) };
}
