// What the project's settings module says about its database, read as text (Django may not start:
// a fresh clone without the project's dependencies). Enough to not guess SQLite for a PostgreSQL
// project, and to find a SQLite file named next to BASE_DIR. Shared by the extension and the CLI.
import * as fs from 'fs';
import * as path from 'path';

/** The engines the settings can name, as the client's connection resolution spells them. */
export type Engine = 'sqlite' | 'postgres' | 'mysql';

export interface DeclaredDatabase {
  /** The engine the settings name; undefined when they read it from a URL at run time. */
  engine?: Engine | 'other';
  /** `django.db.backends.postgresql`, or `DATABASE_URL` when it comes from one. */
  backend: string;
  /** The settings file it was read from, relative to the project. */
  file: string;
  /** SQLite: the database file, when the settings name it relative to the project. */
  sqliteFile?: string;
  /** The default DATABASE_URL written in the settings (`dj_database_url.config(default="postgres://...")`). */
  defaultUrl?: string;
}

const BACKENDS: Record<string, Engine> = {
  sqlite3: 'sqlite',
  spatialite: 'sqlite',
  postgresql: 'postgres',
  postgresql_psycopg2: 'postgres',
  postgis: 'postgres',
  mysql: 'mysql',
};

/** The settings module manage.py names (`os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x.settings")`). */
export function settingsModuleOf(projectRoot: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(projectRoot, 'manage.py'), 'utf8');
  } catch {
    return undefined;
  }
  return /DJANGO_SETTINGS_MODULE['"]\s*[,\]]\s*=?\s*['"]([\w.]+)['"]/.exec(text)?.[1];
}

/** The files of a settings module: the module, or every module of its package (base.py, prod.py, ...). */
function settingsFiles(projectRoot: string, module: string): string[] {
  const base = path.join(projectRoot, ...module.split('.'));
  if (fs.existsSync(`${base}.py`)) return [`${base}.py`];
  try {
    return fs
      .readdirSync(base)
      .filter((f) => f.endsWith('.py'))
      .sort((a, b) => (a === '__init__.py' ? -1 : b === '__init__.py' ? 1 : a.localeCompare(b)))
      .map((f) => path.join(base, f));
  } catch {
    return [];
  }
}

/** The database the settings declare, or undefined when they cannot be found or say nothing. */
export function declaredDatabase(projectRoot: string, env: NodeJS.ProcessEnv = process.env): DeclaredDatabase | undefined {
  const module = env.DJANGO_SETTINGS_MODULE || settingsModuleOf(projectRoot);
  if (!module) return undefined;
  let url: DeclaredDatabase | undefined;
  const named: DeclaredDatabase[] = [];
  for (const file of settingsFiles(projectRoot, module)) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const rel = path.relative(projectRoot, file);
    for (const backend of text.matchAll(/['"]((?:django\.contrib\.gis\.db|django\.db)\.backends\.(\w+))['"]/g)) {
      const engine = BACKENDS[backend[2]] ?? 'other';
      const name = engine === 'sqlite' ? /['"]NAME['"]\s*:\s*(?:BASE_DIR\s*\/\s*|os\.path\.join\(\s*BASE_DIR\s*,\s*)['"]([^'"]+)['"]/.exec(text)?.[1] : undefined;
      named.push({ engine, backend: backend[1], file: rel, sqliteFile: name && path.join(projectRoot, name) });
    }
    // dj-database-url, django-environ: the URL names the engine at run time.
    if (!url && /\bdj_database_url\b|\benv\.db(?:_url)?\(|DATABASE_URL/.test(text)) {
      url = { backend: 'DATABASE_URL', file: rel, defaultUrl: /['"]((?:postgres(?:ql)?|postgis|pgsql|mysql2?|mariadb|sqlite):\/\/[^'"\s]*)['"]/.exec(text)?.[1] };
    }
  }
  // Settings that choose among engines at run time (DB_ENGINE=...): SQLite among them keeps it possible.
  return named.find((d) => d.engine === 'sqlite') ?? named[0] ?? url;
}
