// A throwaway Django project written by a test: one settings module reading the DB_* convention,
// apps whose migrations the test writes, and real Django (Debian's) to migrate it and to load data.
import * as cp from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PYTHON } from './servers';
import { tempDir } from './temp';

const SETTINGS = String.raw`
import os
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "test"
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
INSTALLED_APPS = ["django.contrib.contenttypes"] + os.environ.get("LAB_APPS", "").split()
e = os.environ.get("DB_ENGINE", "sqlite")
if e == "sqlite":
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ.get("DB_NAME") or BASE_DIR / "_data" / "db.sqlite3"}}
else:
    DATABASES = {"default": {
        "ENGINE": "django.db.backends." + ("mysql" if e == "mysql" else "postgresql"),
        "NAME": os.environ["DB_NAME"], "USER": os.environ["DB_USER"], "PASSWORD": os.environ.get("DB_PASSWORD", ""),
        "HOST": os.environ["DB_HOST"], "PORT": os.environ["DB_PORT"],
    }}
`;

const MANAGE = String.raw`
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
`;

export interface LabProject {
  root: string;
  env: Record<string, string>;
  /** Writes (or rewrites) a migration file of an app. */
  write(app: string, name: string, text: string): string;
  remove(app: string, name: string): void;
  manage(...args: string[]): string;
  /** Runs SQL through Django's connection (test data only; the extension never writes). */
  sql(...statements: string[]): void;
  /** The applied rows as Django's recorder reads them: `app.name applied-iso`. */
  recorded(): string[];
  dispose(): void;
}

export function labProject(apps: string[], env: Record<string, string> = {}): LabProject {
  const root = tempDir('ml-lab-');
  fs.mkdirSync(path.join(root, 'proj'));
  fs.mkdirSync(path.join(root, '_data'));
  fs.writeFileSync(path.join(root, 'proj', '__init__.py'), '');
  fs.writeFileSync(path.join(root, 'proj', 'settings.py'), SETTINGS);
  fs.writeFileSync(path.join(root, 'manage.py'), MANAGE);
  for (const app of apps) {
    fs.mkdirSync(path.join(root, app, 'migrations'), { recursive: true });
    fs.writeFileSync(path.join(root, app, '__init__.py'), '');
    fs.writeFileSync(path.join(root, app, 'migrations', '__init__.py'), '');
  }
  return projectAt(root, { ...env, LAB_APPS: apps.join(' ') });
}

/** A copy of examples/shop in a temporary folder, on the database `env` names. */
export function shopCopy(env: Record<string, string> = {}, python = PYTHON): LabProject {
  const root = tempDir('ml-shop-');
  fs.cpSync(SHOP, root, { recursive: true, filter: (src) => !/(__pycache__|db\.sqlite3)/.test(src) });
  fs.mkdirSync(path.join(root, '_data'), { recursive: true });
  return projectAt(root, env, python);
}

export const SHOP = path.resolve(__dirname, '..', '..', '..', 'examples', 'shop');

export function projectAt(root: string, env: Record<string, string>, python = PYTHON): LabProject {
  const fullEnv = { ...env, PYTHONDONTWRITEBYTECODE: '1' };
  const run = (args: string[]): string => {
    const r = cp.spawnSync(python, ['manage.py', ...args], { cwd: root, env: { ...process.env, ...fullEnv }, encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`manage.py ${args.join(' ')} failed:\n${r.stderr || r.stdout}`);
    return r.stdout;
  };
  return {
    root,
    env: fullEnv,
    write(app, name, text) {
      const file = path.join(root, app, 'migrations', `${name}.py`);
      fs.writeFileSync(file, text);
      return file;
    },
    remove(app, name) {
      fs.rmSync(path.join(root, app, 'migrations', `${name}.py`));
    },
    manage: (...args) => run(args),
    sql(...statements) {
      const code = 'import json,sys\nfrom django.db import connection\nwith connection.cursor() as c:\n    for s in json.loads(sys.argv[-1]):\n        c.execute(s)';
      run(['shell', '-c', code.replace('sys.argv[-1]', JSON.stringify(JSON.stringify(statements)))]);
    },
    recorded() {
      const code =
        'from django.db.migrations.recorder import MigrationRecorder\nfrom django.db import connection\n' +
        'r = MigrationRecorder(connection)\n' +
        'for m in (r.migration_qs.order_by("id") if r.has_table() else []): print(m.app + "." + m.name, m.applied.isoformat(timespec="milliseconds"))';
      // Django 5.2's shell first says how many objects it imported: only the rows count.
      return run(['shell', '-c', code])
        .trim()
        .split('\n')
        .filter((l) => /^\w+\.\S+ \d{4}-/.test(l));
    },
    dispose() {
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
