// Which database a project uses, first source that answers wins: the `migrationLens.database.*`
// settings (password from SecretStorage), then the DB_* environment convention read from the
// process and the project's `.env`, then Django's own settings through the bridge, then the
// settings module read as text (a PostgreSQL project is never taken for SQLite), then SQLite at
// `<project>/_data/db.sqlite3`. No vscode import: the caller passes settings and secrets.
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseDotenv } from 'dotenv';
import { declaredDatabase, DeclaredDatabase } from '../../../shared/src/settings-file';

export type Engine = 'sqlite' | 'postgres' | 'mysql';

export interface Connection {
  engine: Engine;
  /** SQLite: absolute path of the database file. */
  file?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  /** Never logged, never shown. */
  password?: string;
  /** Where the values came from, for messages: `settings`, `.env at /x/.env`, ... */
  source: string;
}

/** `migrationLens.database.*` as read from the workspace configuration. */
export interface DatabaseSettings {
  engine?: string;
  host?: string;
  port?: number;
  name?: string;
  user?: string;
}

export interface ResolveInputs {
  projectRoot: string;
  settings?: DatabaseSettings;
  /** The password stored for this project with "Set Database Password". */
  storedPassword?: string;
  env?: NodeJS.ProcessEnv;
  /** Django's settings.DATABASES['default'] from the bridge, when it has answered. */
  django?: Omit<Connection, 'source'>;
  /** What the settings module says as text; read from disk when undefined, skipped when null. */
  declared?: DeclaredDatabase | null;
}

export class ConnectionConfigError extends Error {}

const ENGINES: Record<string, Engine> = {
  sqlite: 'sqlite',
  sqlite3: 'sqlite',
  postgres: 'postgres',
  postgresql: 'postgres',
  pgsql: 'postgres',
  psql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
};

const DEFAULT_PORT: Record<Engine, number | undefined> = { sqlite: undefined, postgres: 5432, mysql: 3306 };
const DEFAULT_USER: Record<Engine, string | undefined> = { sqlite: undefined, postgres: 'postgres', mysql: 'root' };

export function parseEngine(value: string, where: string): Engine {
  const engine = ENGINES[value.trim().toLowerCase()];
  if (!engine) throw new ConnectionConfigError(`${where}: engine '${value}' is not supported; use sqlite, postgres (postgresql, pgsql) or mysql (mariadb).`);
  return engine;
}

/** The project's `.env` (next to manage.py), parsed as python-dotenv does; the process environment wins. */
export function readDotenv(projectRoot: string): { file: string; values: Record<string, string> } | undefined {
  const file = path.join(projectRoot, '.env');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return { file, values: parseDotenv(text) };
}

export function resolveConnection(inputs: ResolveInputs): Connection {
  const { projectRoot, settings } = inputs;
  if (settings?.engine) {
    const engine = parseEngine(settings.engine, 'migrationLens.database.engine');
    return complete(
      engine,
      projectRoot,
      {
        host: settings.host,
        port: settings.port,
        name: settings.name,
        user: settings.user,
        password: inputs.storedPassword,
      },
      'settings (migrationLens.database)',
    );
  }

  const dotenv = readDotenv(projectRoot);
  const processEnv = inputs.env ?? process.env;
  const get = (k: string): { value: string; from: string } | undefined =>
    processEnv[k] !== undefined ? { value: processEnv[k]!, from: 'environment' } : dotenv?.values[k] !== undefined ? { value: dotenv.values[k], from: dotenv.file } : undefined;
  const engineVar = get('DB_ENGINE');
  if (engineVar) {
    const engine = parseEngine(engineVar.value, `DB_ENGINE in ${engineVar.from}`);
    const from = new Set(['DB_ENGINE', 'DB_NAME', 'DB_USER', 'DB_PASSWORD', 'DB_HOST', 'DB_PORT'].map((k) => get(k)?.from).filter(Boolean));
    const port = get('DB_PORT')?.value;
    if (port !== undefined && port !== '' && !/^\d+$/.test(port.trim())) throw new ConnectionConfigError(`DB_PORT in ${get('DB_PORT')!.from} is not a port number.`);
    return complete(
      engine,
      projectRoot,
      {
        host: get('DB_HOST')?.value,
        port: port ? Number(port) : undefined,
        name: get('DB_NAME')?.value,
        user: get('DB_USER')?.value,
        password: inputs.storedPassword ?? get('DB_PASSWORD')?.value,
      },
      `DB_* variables (${[...from].join(', ')})`,
    );
  }

  const databaseUrl = get('DATABASE_URL');
  if (databaseUrl?.value) return fromUrl(databaseUrl.value, projectRoot, `DATABASE_URL in ${databaseUrl.from}`, inputs.storedPassword);

  if (inputs.django) return { ...inputs.django, source: "Django's settings.DATABASES['default']" };

  // Django did not answer: what its settings say as text, before guessing SQLite.
  const declared = inputs.declared === undefined ? declaredDatabase(projectRoot, processEnv) : inputs.declared;
  if (declared?.defaultUrl) return fromUrl(declared.defaultUrl, projectRoot, `the default DATABASE_URL in ${declared.file}`, inputs.storedPassword);
  if (declared && declared.engine !== 'sqlite') {
    const what = declared.engine === 'postgres' ? 'PostgreSQL' : declared.engine === 'mysql' ? 'MySQL/MariaDB' : declared.engine ? declared.backend : 'a DATABASE_URL';
    throw new ConnectionConfigError(
      `${declared.file} uses ${what}${declared.engine ? ` (${declared.backend})` : ''}, and Django did not start to say where it is. ` +
        'Set migrationLens.database.* (Configure Database) or DB_ENGINE, DB_NAME, DB_HOST... in .env, or select an interpreter in which the project starts.',
    );
  }
  if (declared?.sqliteFile) return { engine: 'sqlite', file: declared.sqliteFile, source: `${declared.file} (read as text)` };
  return complete('sqlite', projectRoot, {}, DEFAULT_SOURCE);
}

const DEFAULT_SOURCE = 'default SQLite path';

/** A dj-database-url style URL: `postgres://user:pass@host:5432/name`, `mysql://...`, `sqlite:///path`. */
function fromUrl(url: string, projectRoot: string, source: string, storedPassword?: string): Connection {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConnectionConfigError(`${source} is not a URL.`);
  }
  const scheme = u.protocol
    .replace(/:$/, '')
    .replace(/^postgis$/, 'postgres')
    .replace(/^mysql2$/, 'mysql');
  const engine = parseEngine(scheme, source);
  if (engine === 'sqlite') {
    // sqlite:///relative.db and sqlite:////absolute.db, as dj-database-url reads them.
    const file = decodeURIComponent(u.pathname).replace(/^\//, '');
    return { engine, file: path.resolve(projectRoot, file || path.join('_data', 'db.sqlite3')), source };
  }
  return complete(
    engine,
    projectRoot,
    {
      host: decodeURIComponent(u.hostname) || undefined,
      port: u.port ? Number(u.port) : undefined,
      name: decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined,
      user: decodeURIComponent(u.username) || undefined,
      password: storedPassword ?? (decodeURIComponent(u.password) || undefined),
    },
    source,
  );
}

/**
 * Whether no setting and no DB_* variable names the database: Django's own settings are then
 * worth asking (through the bridge) before the static read and the default.
 */
export function isUnconfigured(inputs: ResolveInputs): boolean {
  try {
    const c = resolveConnection({ ...inputs, django: undefined, declared: null });
    return c.source === DEFAULT_SOURCE;
  } catch {
    return false;
  }
}

interface Values {
  host?: string;
  port?: number;
  name?: string;
  user?: string;
  password?: string;
}

function complete(engine: Engine, projectRoot: string, v: Values, source: string): Connection {
  if (engine === 'sqlite') {
    const name = v.name?.trim() || path.join('_data', 'db.sqlite3');
    return { engine, file: path.resolve(projectRoot, name), source };
  }
  return {
    engine,
    host: v.host?.trim() || '127.0.0.1',
    port: v.port || DEFAULT_PORT[engine],
    // Django needs a NAME; the seed's projects default it to the project's folder name.
    database: v.name?.trim() || path.basename(projectRoot),
    user: v.user?.trim() || DEFAULT_USER[engine],
    password: v.password || undefined,
    source,
  };
}

/** One line for the status bar and messages; never the password. */
export function describeConnection(c: Connection, projectRoot?: string): string {
  if (c.engine === 'sqlite') {
    const shown = projectRoot && c.file?.startsWith(projectRoot + path.sep) ? path.relative(projectRoot, c.file) : c.file;
    return `SQLite ${shown} (from ${c.source})`;
  }
  const name = c.engine === 'postgres' ? 'PostgreSQL' : 'MySQL/MariaDB';
  return `${name} ${c.user ?? ''}@${c.host}:${c.port}/${c.database} (from ${c.source})`;
}

/** Django's settings.DATABASES entry as the bridge reports it (see django/bridge-protocol.ts). */
export interface DjangoDatabaseEntry {
  engine: Engine | null;
  backend: string;
  name: string;
  user: string;
  password: string;
  host: string;
  port: string;
}

/** The `django` input of resolveConnection from the bridge's answer; throws for a backend the readers lack. */
export function fromDjangoSettings(d: DjangoDatabaseEntry, projectRoot: string): Omit<Connection, 'source'> {
  if (!d.engine) throw new ConnectionConfigError(`settings.DATABASES['default'] uses ${d.backend}, which Migration Lens cannot read (SQLite, PostgreSQL and MySQL/MariaDB only).`);
  if (d.engine === 'sqlite') return { engine: 'sqlite', file: path.resolve(projectRoot, d.name) };
  if (d.port && !/^\d+$/.test(d.port)) throw new ConnectionConfigError(`settings.DATABASES['default']['PORT'] is not a port number.`);
  return {
    engine: d.engine,
    // Django's drivers take an empty HOST as the local socket; the readers use TCP on loopback.
    host: d.host && !d.host.startsWith('/') ? d.host : '127.0.0.1',
    port: d.port ? Number(d.port) : DEFAULT_PORT[d.engine],
    database: d.name,
    user: d.user || DEFAULT_USER[d.engine],
    password: d.password || undefined,
  };
}
