// Which database engine a project runs, and its version: read from a server, set by the user or
// named in the settings. The engine analysis (server) and the database layer (core) both speak it.

export type EngineName = 'postgresql' | 'mysql' | 'mariadb' | 'sqlite';

export interface Engine {
  name: EngineName;
  /** `15`, `8.0`, `10.11`; undefined: the version the analyzer assumes (see ASSUMED). */
  version?: string;
}

/** The version judged when none is known: the ones measured on this project's servers. */
export const ASSUMED: Record<EngineName, string> = { postgresql: '15', mariadb: '10.11', mysql: '8.0', sqlite: '' };

const ENGINE_LABEL: Record<EngineName, string> = { postgresql: 'PostgreSQL', mysql: 'MySQL', mariadb: 'MariaDB', sqlite: 'SQLite' };

/** `PostgreSQL 15`. */
export const engineLabel = (e: Engine): string => [ENGINE_LABEL[e.name], e.version ?? ASSUMED[e.name]].filter(Boolean).join(' ');

/** `postgresql`, `postgresql:15`, `mariadb:10.11`, `mysql:8.0`, `sqlite` (also `postgres`, `pg`); undefined when not one. */
export function parseEngine(spec: string): Engine | undefined {
  const m = /^\s*(postgresql|postgres|pg|mysql|mariadb|sqlite3?)\s*(?::\s*(\d+(?:\.\d+)*))?\s*$/i.exec(spec);
  if (!m) return undefined;
  const raw = m[1].toLowerCase();
  const name: EngineName = raw.startsWith('p') ? 'postgresql' : raw.startsWith('sqlite') ? 'sqlite' : (raw as EngineName);
  return { name, ...(m[2] ? { version: m[2] } : {}) };
}

/** The version string a server reports (`SELECT version()`) as the engine and its version. */
export function engineFromVersion(kind: 'postgresql' | 'mysql' | 'sqlite', reported: string): Engine {
  if (kind === 'postgresql') return { name: 'postgresql', version: /PostgreSQL (\d+(?:\.\d+)?)/.exec(reported)?.[1]?.split('.')[0] };
  if (kind === 'sqlite') return { name: 'sqlite', version: /^(\d+\.\d+)/.exec(reported)?.[1] };
  const v = /^(\d+\.\d+(?:\.\d+)?)/.exec(reported)?.[1];
  return /mariadb/i.test(reported) ? { name: 'mariadb', version: v?.split('.').slice(0, 2).join('.') } : { name: 'mysql', version: v?.split('.').slice(0, 2).join('.') };
}
