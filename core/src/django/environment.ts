// The environment manage.py and the bridge run with: the window's environment, the project's `.env`
// (as python-dotenv loads it: variables already set win), and — when the database was configured in
// the extension's settings — the DB_* convention filled from it, so Django and the extension talk
// to the same database. The password travels in the child's environment only, never in a log.
import { Connection, readDotenv } from '../config/connection';

export function djangoEnv(projectRoot: string, connection?: Connection, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  const dotenv = readDotenv(projectRoot);
  for (const [k, v] of Object.entries(dotenv?.values ?? {})) if (env[k] === undefined) env[k] = v;
  if (connection?.source.startsWith('settings')) {
    env.DB_ENGINE = connection.engine;
    if (connection.engine === 'sqlite') env.DB_NAME = connection.file;
    else {
      env.DB_HOST = connection.host;
      env.DB_PORT = connection.port !== undefined ? String(connection.port) : undefined;
      env.DB_NAME = connection.database;
      env.DB_USER = connection.user;
    }
  }
  // A password stored with "Set Database Password" overrides the one in .env, as it does for the reader.
  if (connection?.password !== undefined && !connection.source.startsWith("Django's")) env.DB_PASSWORD = connection.password;
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  env.PYTHONUNBUFFERED = '1';
  return env;
}

/** A lock_timeout as PostgreSQL reads it: `500ms`, `5s`, `1min` (a bare number is milliseconds). */
export const LOCK_TIMEOUT = /^\d+(ms|s|min)?$/;

/**
 * The environment of `migrate` with a lock timeout for PostgreSQL: libpq passes PGOPTIONS to the
 * server at login, so every statement of the migration gives up waiting for a lock after `timeout`
 * (and PostgreSQL rolls the migration back) instead of queueing every query behind it. Other
 * engines ignore it. Unchanged for an empty or malformed value.
 */
export function withLockTimeout(env: NodeJS.ProcessEnv, timeout: string | undefined): NodeJS.ProcessEnv {
  const t = timeout?.trim();
  if (!t || !LOCK_TIMEOUT.test(t)) return env;
  return { ...env, PGOPTIONS: [env.PGOPTIONS, `-c lock_timeout=${t}`].filter(Boolean).join(' ') };
}
