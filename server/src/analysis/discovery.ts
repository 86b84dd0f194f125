// Finding projects, apps and migration files on disk. Reads directories and files; runs nothing.
import * as fs from 'fs';
import * as path from 'path';

export interface FileSystemLike {
  readFile(file: string): string | undefined;
  listDir(dir: string): Array<{ name: string; dir: boolean }>;
}

export const nodeFileSystem: FileSystemLike = {
  readFile(file) {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
  listDir(dir) {
    try {
      return fs.readdirSync(dir, { withFileTypes: true }).map((d) => ({ name: d.name, dir: d.isDirectory() }));
    } catch {
      return [];
    }
  },
};

/** Folders never searched: tooling, caches, installed packages. Any folder with pyvenv.cfg is a virtualenv. */
const SKIP = new Set([
  'node_modules', '.git', '.hg', '.svn', 'site-packages', 'dist-packages', '__pycache__', '.tox', '.nox',
  '.mypy_cache', '.pytest_cache', '.ruff_cache', '.venv', 'venv', '.direnv', '.idea', '.vscode',
]);

/** `<app>/migrations/<digits...>.py`: the modules Django loads as migrations, by convention numbered. */
const MIGRATION = /[\\/]([^\\/]+)[\\/]migrations[\\/](\d[^\\/]*)\.py$/;

export function isIgnoredPath(file: string): boolean {
  return file.split(/[\\/]/).some((seg) => SKIP.has(seg));
}

export function parseMigrationPath(file: string): { appDir: string; name: string } | undefined {
  if (isIgnoredPath(file)) return undefined;
  const m = MIGRATION.exec(file);
  if (!m || !/^[A-Za-z0-9_]+$/.test(m[2])) return undefined;
  return { appDir: path.dirname(path.dirname(file)), name: m[2] };
}

export interface ScanResult {
  manageDirs: string[];
  migrationFiles: string[];
  appsFiles: string[];
}

export function scan(roots: string[], fsl: FileSystemLike = nodeFileSystem): ScanResult {
  const out: ScanResult = { manageDirs: [], migrationFiles: [], appsFiles: [] };
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const dir = stack.pop()!;
    if (seen.has(dir)) continue;
    seen.add(dir);
    const entries = fsl.listDir(dir);
    if (entries.some((e) => e.name === 'pyvenv.cfg' && !e.dir)) continue;
    const isMigrations = path.basename(dir) === 'migrations';
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.dir) {
        if (!SKIP.has(e.name) && !e.name.startsWith('.')) stack.push(full);
      } else if (e.name === 'manage.py') out.manageDirs.push(dir);
      else if (e.name === 'apps.py') out.appsFiles.push(full);
      else if (isMigrations && parseMigrationPath(full)) out.migrationFiles.push(full);
    }
  }
  out.migrationFiles.sort();
  return out;
}

/** `label = "shop_store"` in an AppConfig subclass of apps.py. */
export function appLabelFromAppsPy(text: string): string | undefined {
  const m = /^[ \t]+label\s*(?::\s*\w+\s*)?=\s*(['"])([A-Za-z_][\w]*)\1/m.exec(text);
  return m?.[2];
}

/** The folder holding manage.py nearest above `dir`, else the workspace root holding it, else its parent. */
export function projectRootFor(appDir: string, manageDirs: ReadonlySet<string>, roots: readonly string[]): string {
  for (let d = appDir; ; ) {
    if (manageDirs.has(d)) return d;
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  const root = roots.filter((r) => appDir === r || appDir.startsWith(r.endsWith(path.sep) ? r : r + path.sep)).sort((a, b) => b.length - a.length)[0];
  return root ?? path.dirname(appDir);
}
