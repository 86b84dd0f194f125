// One project's database, read-only, through Kysely: PostgreSQL with pg, MySQL and MariaDB with
// mysql2, SQLite with sql.js on a snapshot of the file. The reader never writes: the extension's
// only writer is Django's `migrate`.
import { CompiledQuery, Kysely, MysqlDialect, PostgresDialect, sql } from 'kysely';
import { Pool as PgPool, types as pgTypes } from 'pg';
import { createPool as createMysqlPool } from 'mysql2';
import type { Connection } from '../config/connection';
import { readSnapshot, stamp } from './sqlite-snapshot';
import { SqlJsDialect, SqlJsHost } from './sqljs-dialect';

/** What the engine really is: MariaDB and MySQL share a driver but not every statement. */
export type Flavor = 'sqlite' | 'postgres' | 'mysql' | 'mariadb';

export interface ReaderOptions {
  connectTimeoutMs?: number;
  /** Limit for each probe statement. */
  statementTimeoutMs?: number;
}

export interface Reader {
  readonly connection: Connection;
  readonly db: Kysely<any>;
  flavor(): Promise<Flavor>;
  /** What the server says it is (`SELECT version()`, `sqlite_version()`), read once. */
  serverVersion(): Promise<string>;
  /** Re-reads what may have changed on disk (SQLite: a new snapshot when the files changed). */
  refresh(): Promise<string[]>;
  /** Runs fn in a read-only transaction whose statements stop after the statement timeout. */
  readOnly<T>(fn: (db: Kysely<any>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function openReader(c: Connection, opts: ReaderOptions = {}): Reader {
  const connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
  const statementTimeoutMs = opts.statementTimeoutMs ?? 10_000;
  switch (c.engine) {
    case 'postgres':
      return postgresReader(c, connectTimeoutMs, statementTimeoutMs);
    case 'mysql':
      return mysqlReader(c, connectTimeoutMs, statementTimeoutMs);
    case 'sqlite':
      return sqliteReader(c, statementTimeoutMs);
  }
}

// bigint (int8) arrives as a string by default; counts fit a JS number.
const INT8 = 20;
const NUMERIC = 1700;

function postgresReader(c: Connection, connectTimeoutMs: number, statementTimeoutMs: number): Reader {
  const pool = new PgPool({
    host: c.host,
    port: c.port,
    user: c.user,
    password: c.password ?? '',
    database: c.database,
    max: 2,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: connectTimeoutMs,
    application_name: 'migration-lens',
    types: { getTypeParser: (oid: number, format?: any) => (oid === INT8 || oid === NUMERIC ? (v: string) => Number(v) : pgTypes.getTypeParser(oid, format)) },
  });
  // A client that loses its server (restart, pg_terminate_backend), idle or in the middle of a
  // query, must not become an unhandled 'error' event: the query itself rejects with the reason.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  // Every session is read-only, inside transactions and out: the server refuses any write.
  const db = new Kysely<any>({
    dialect: new PostgresDialect({ pool, onCreateConnection: (conn) => conn.executeQuery(CompiledQuery.raw('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY')).then(() => undefined) }),
  });
  return {
    connection: c,
    db,
    flavor: async () => 'postgres',
    serverVersion: once(() => sql<{ v: string }>`select version() as v`.execute(db).then((r) => r.rows[0]?.v ?? '')),
    refresh: async () => [],
    readOnly: (fn) =>
      db
        .transaction()
        .setAccessMode('read only')
        .execute(async (trx) => {
          await sql`select set_config('statement_timeout', ${String(statementTimeoutMs)}, true)`.execute(trx);
          return fn(trx);
        }),
    close: () => db.destroy(),
  };
}

function mysqlReader(c: Connection, connectTimeoutMs: number, statementTimeoutMs: number): Reader {
  const pool = createMysqlPool({
    host: c.host,
    port: c.port,
    user: c.user,
    password: c.password ?? '',
    database: c.database,
    connectionLimit: 2,
    connectTimeout: connectTimeoutMs,
    // django_migrations.applied is stored in UTC; read it as UTC, not in the local zone.
    timezone: 'Z',
    supportBigNumbers: true,
    decimalNumbers: true,
  });
  // Every session is read-only: a READ ONLY transaction alone lets DDL through on MySQL/MariaDB
  // (it commits implicitly and runs outside it); a read-only session refuses it too.
  const db = new Kysely<any>({
    dialect: new MysqlDialect({ pool, onCreateConnection: (conn) => conn.executeQuery(CompiledQuery.raw('SET SESSION TRANSACTION READ ONLY')).then(() => undefined) }),
  });
  let flavor: Promise<Flavor> | undefined;
  const version = once(() => sql<{ v: string }>`select version() as v`.execute(db).then((r) => r.rows[0]?.v ?? ''));
  const detect = () => (flavor ??= version().then((v) => (/mariadb/i.test(v) ? 'mariadb' : 'mysql')));
  return {
    connection: c,
    db,
    flavor: () => {
      const f = detect();
      f.catch(() => (flavor = undefined));
      return f;
    },
    serverVersion: version,
    refresh: async () => [],
    readOnly: async (fn) => {
      const f = await detect();
      return db
        .transaction()
        .setAccessMode('read only')
        .execute(async (trx) => {
          // Session variables of this pooled connection: MariaDB counts seconds, MySQL milliseconds.
          if (f === 'mariadb') await sql`set session max_statement_time = ${statementTimeoutMs / 1000}`.execute(trx);
          else await sql`set session max_execution_time = ${statementTimeoutMs}`.execute(trx);
          return fn(trx);
        });
    },
    close: () => db.destroy(),
  };
}

function sqliteReader(c: Connection, statementTimeoutMs: number): Reader {
  const host = new SqlJsHost();
  // The statement timeout is the probes'; reading django_migrations gets a generous one.
  let limit = 30_000;
  const db = new Kysely<any>({ dialect: new SqlJsDialect(host, () => limit) });
  let loadedStamp: string | undefined;
  const file = c.file!;
  return {
    connection: c,
    db,
    flavor: async () => 'sqlite',
    serverVersion: once(() => sql<{ v: string }>`select sqlite_version() as v`.execute(db).then((r) => r.rows[0]?.v ?? '')),
    refresh: async () => {
      if (stamp(file).key === loadedStamp) return [];
      const snapshot = await readSnapshot(file);
      await host.load(snapshot.bytes);
      loadedStamp = snapshot.stamp;
      return snapshot.notes;
    },
    // The snapshot lives in memory and nothing can reach the file: no transaction needed (a
    // stopped worker would have lost it anyway); the worker stops slow queries.
    readOnly: async (fn) => {
      limit = statementTimeoutMs;
      try {
        return await fn(db);
      } finally {
        limit = 30_000;
      }
    },
    close: async () => {
      await db.destroy();
      await host.close();
    },
  };
}

/** The first successful answer of `read`, kept; a failed one is asked again next time. */
function once(read: () => Promise<string>): () => Promise<string> {
  let kept: Promise<string> | undefined;
  return () => {
    kept ??= read();
    kept.catch(() => (kept = undefined));
    return kept;
  };
}
