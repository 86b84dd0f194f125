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
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  'site-packages',
  'dist-packages',
  '__pycache__',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.venv',
  'venv',
  '.direnv',
  '.idea',
  '.vscode',
]);

export function isIgnoredPath(file: string): boolean {
  return file.split(/[\\/]/).some((seg) => SKIP.has(seg));
}

/**
 * The name Django's loader gives a `.py` module of a migrations package, or undefined when the
 * loader skips it. Django imports every non-package module whose name does not start with `_` or
 * `~` (`pkgutil.iter_modules` in `MigrationLoader.load_disk`): hyphenated and un-numbered names
 * included. A dotted file name cannot be imported as one module.
 */
export function migrationModuleName(file: string): string | undefined {
  const base = path.basename(file);
  if (!base.endsWith('.py')) return undefined;
  const name = base.slice(0, -3);
  if (!name || name[0] === '_' || name[0] === '~' || name.includes('.')) return undefined;
  return name;
}

export interface MigrationPlace {
  /** The migrations package: the folder holding the module. */
  dir: string;
  /** The app folder (the package's parent), where apps.py is. */
  appDir: string;
  /** The module name, which is the migration's name. */
  name: string;
  /** The app label when MIGRATION_MODULES names the package. */
  label?: string;
}

/**
 * Where a candidate migration module sits: directly in a folder named `migrations`, or in a
 * package that MIGRATION_MODULES maps to an app (`moduleDirs`: folder -> app label). Whether it is
 * a migration is known once it is read: it must define a `Migration` class.
 */
export function parseMigrationPath(file: string, moduleDirs?: ReadonlyMap<string, string>): MigrationPlace | undefined {
  const name = migrationModuleName(file);
  if (!name || isIgnoredPath(file)) return undefined;
  const dir = path.dirname(file);
  const label = moduleDirs?.get(dir);
  if (label === undefined && path.basename(dir) !== 'migrations') return undefined;
  return { dir, appDir: path.dirname(dir), name, label };
}

/** Modules that may be settings: `settings*.py`, or any module of a `settings` package. */
export function isSettingsPath(file: string): boolean {
  if (!file.endsWith('.py') || isIgnoredPath(file)) return false;
  return /^settings([._-][^\\/]*)?\.py$/.test(path.basename(file)) || path.basename(path.dirname(file)) === 'settings';
}

export interface ScanResult {
  manageDirs: string[];
  /** Candidate modules of folders named `migrations` (whether they define a Migration class is not known yet). */
  migrationFiles: string[];
  appsFiles: string[];
  /** Settings modules that mention MIGRATION_MODULES, with what they map. */
  migrationModules: Map<string, MigrationModule[]>;
  /** Settings modules that name `lock_timeout` (a connection option that bounds lock waits). */
  lockTimeoutSettings: string[];
}

export function scan(roots: string[], fsl: FileSystemLike = nodeFileSystem): ScanResult {
  const out: ScanResult = { manageDirs: [], migrationFiles: [], appsFiles: [], migrationModules: new Map(), lockTimeoutSettings: [] };
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
      else if (isSettingsPath(full)) {
        const text = fsl.readFile(full);
        const mapped = text === undefined ? [] : readMigrationModules(text);
        if (mapped.length) out.migrationModules.set(full, mapped);
        if (text && namesLockTimeout(text)) out.lockTimeoutSettings.push(full);
      }
    }
  }
  out.migrationFiles.sort();
  return out;
}

/** A settings module that sets a lock_timeout (`"options": "-c lock_timeout=5s"`), outside comments. */
export function namesLockTimeout(text: string): boolean {
  return /^[^#\n]*lock_timeout/m.test(text);
}

/** The candidate modules directly in a folder (a package MIGRATION_MODULES names). */
export function candidateModules(dir: string, fsl: FileSystemLike = nodeFileSystem): string[] {
  if (isIgnoredPath(dir)) return [];
  return fsl
    .listDir(dir)
    .filter((e) => !e.dir && migrationModuleName(e.name) !== undefined)
    .map((e) => path.join(dir, e.name))
    .sort();
}

/** One entry of MIGRATION_MODULES: app label -> dotted package (null: the app's migrations are turned off). */
export interface MigrationModule {
  label: string;
  module: string | null;
}

/**
 * The entries of `MIGRATION_MODULES = {...}` (also `MIGRATION_MODULES.update({...})` and
 * `MIGRATION_MODULES["app"] = "pkg"`) read from a settings module's text, at any indentation (the
 * setting is often assigned under an `if`). Only string keys with string or None values are read;
 * anything computed is ignored.
 */
export function readMigrationModules(text: string): MigrationModule[] {
  if (!text.includes('MIGRATION_MODULES')) return [];
  const code = blankComments(text);
  const out: MigrationModule[] = [];
  const add = (label: string, module: string | null) => {
    if (!/^[A-Za-z_]\w*$/.test(label)) return;
    if (module !== null && !/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(module)) return;
    const i = out.findIndex((m) => m.label === label);
    if (i >= 0) out.splice(i, 1);
    out.push({ label, module });
  };
  const start = /^[ \t]*MIGRATION_MODULES[ \t]*(?:(?::[^=\n]*)?=|\|=|\.update\()[ \t]*\{|^[ \t]*MIGRATION_MODULES\[[ \t]*(['"])([\w]+)\1[ \t]*\][ \t]*=[ \t]*(?:(['"])([\w.]+)\3|(None))/gm;
  for (let m = start.exec(code); m; m = start.exec(code)) {
    if (m[2] !== undefined) {
      add(m[2], m[5] ? null : m[4]);
      continue;
    }
    const body = code.slice(m.index + m[0].length, closingBrace(code, m.index + m[0].length));
    const entry = /(['"])(\w+)\1\s*:\s*(?:(['"])([\w.]+)\3|(None))\s*(?=,|$)/g;
    for (let e = entry.exec(body); e; e = entry.exec(body)) add(e[2], e[5] ? null : e[4]);
  }
  return out;
}

/** The text with `#` comments replaced by spaces (strings kept), so that offsets stay the same. */
function blankComments(text: string): string {
  let out = '';
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') {
        out += c + (text[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === quote || c === '\n') quote = '';
      out += c;
    } else if (c === '#') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      out += ' '.repeat(stop - i);
      i = stop - 1;
    } else {
      if (c === '"' || c === "'") quote = c;
      out += c;
    }
  }
  return out;
}

/** Offset of the `}` closing the brace opened just before `from` (strings skipped), else the text's end. */
function closingBrace(code: string, from: number): number {
  let depth = 1;
  let quote = '';
  for (let i = from; i < code.length; i++) {
    const c = code[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote || c === '\n') quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '{' || c === '[' || c === '(') depth++;
    else if (c === '}' || c === ']' || c === ')') {
      if (--depth === 0) return i;
    }
  }
  return code.length;
}

/**
 * The folder of a dotted package named in a settings module: looked up from the settings module's
 * folder upwards to its project root (the package's top folder must exist); undefined when none
 * holds it (an installed package, or a path computed at run time).
 */
export function resolvePackageDir(settingsFile: string, module: string, projectRoot: string, fsl: FileSystemLike = nodeFileSystem): string | undefined {
  const parts = module.split('.');
  const top = parts[0];
  for (let base = path.dirname(settingsFile); ;) {
    if (fsl.listDir(base).some((e) => e.dir && e.name === top)) return path.join(base, ...parts);
    if (base === projectRoot) break;
    const up = path.dirname(base);
    if (up === base || !(base + path.sep).startsWith(projectRoot + path.sep)) break;
    base = up;
  }
  return undefined;
}

interface AppConfigClass {
  name: string;
  bases: string[];
  attrs: Map<string, string>;
}

/**
 * The label of the app's default AppConfig in apps.py, as Django picks it (3.2+): the class with
 * `default = True`, else the only AppConfig subclass; its `label`, else the last component of its
 * `name` (inherited from a class of the same file). Undefined when that cannot be read statically
 * (a computed label, a base class from elsewhere, several candidate classes).
 */
export function appLabelFromAppsPy(text: string): string | undefined {
  const classes = readClasses(text);
  const byName = new Map(classes.map((c) => [c.name, c]));
  const attr = (c: AppConfigClass, key: string, seen = new Set<string>()): string | undefined => {
    if (c.attrs.has(key)) return c.attrs.get(key);
    seen.add(c.name);
    for (const b of c.bases) {
      const parent = byName.get(b);
      if (parent && !seen.has(b)) {
        const v = attr(parent, key, seen);
        if (v !== undefined) return v;
      }
    }
    return undefined;
  };
  const isConfig = (c: AppConfigClass, seen = new Set<string>()): boolean => {
    seen.add(c.name);
    return c.bases.some((b) => /Config$/.test(b) || (byName.has(b) && !seen.has(b) && isConfig(byName.get(b)!, seen)));
  };
  const labelOf = (c: AppConfigClass): string | undefined => {
    const label = attr(c, 'label');
    if (label !== undefined) return /^'[A-Za-z_]\w*'$|^"[A-Za-z_]\w*"$/.test(label) ? label.slice(1, -1) : undefined;
    const name = attr(c, 'name');
    if (name === undefined || !/^'[\w.]+'$|^"[\w.]+"$/.test(name)) return undefined;
    return name.slice(1, -1).split('.').pop() || undefined;
  };
  const configs = classes.filter((c) => isConfig(c) && attr(c, 'default') !== 'False');
  const chosen = configs.filter((c) => attr(c, 'default') === 'True')[0] ?? (configs.length === 1 ? configs[0] : undefined);
  if (chosen) return labelOf(chosen);
  // Several classes and none marked default (INSTALLED_APPS names one): fine if they agree.
  const labels = new Set(configs.map(labelOf));
  return labels.size === 1 ? [...labels][0] : undefined;
}

/** Top-level classes of a module with their bases and the simple assignments of their body. */
function readClasses(text: string): AppConfigClass[] {
  const lines = text.split(/\r\n|\r|\n/);
  const out: AppConfigClass[] = [];
  let current: AppConfigClass | undefined;
  let indent: string | undefined;
  for (const line of lines) {
    const head = /^class\s+(\w+)\s*(?:\(([^)]*)\))?\s*:/.exec(line);
    if (head) {
      current = {
        name: head[1],
        bases: (head[2] ?? '')
          .split(',')
          .map((b) => b.trim().split('.').pop()!)
          .filter(Boolean),
        attrs: new Map(),
      };
      indent = undefined;
      out.push(current);
      continue;
    }
    if (!current || !line.trim() || /^\s*#/.test(line)) continue;
    if (!/^\s/.test(line)) {
      current = undefined;
      continue;
    }
    const lead = /^\s*/.exec(line)![0];
    indent ??= lead;
    if (lead !== indent) continue;
    const a = /^\s*(label|name|default)\s*(?::[^=]*)?=\s*(.+?)\s*(?:#.*)?$/.exec(line);
    if (a && !current.attrs.has(a[1])) current.attrs.set(a[1], a[2]);
  }
  return out;
}

/** Django's own apps with migrations: their labels are never taken by a project folder. */
const CONTRIB_LABELS = new Set(['admin', 'auth', 'contenttypes', 'sessions', 'sites', 'flatpages', 'redirects']);

/** What one migrations folder says about its app label. */
export interface FolderEvidence {
  dir: string;
  /** A label that is certain: MIGRATION_MODULES names the package, or apps.py sets it. */
  fixed?: string;
  /** The label when nothing else is known: the app folder's name. */
  fallback: string;
  /** Names of the folder's migrations, and the names they replace. */
  names: ReadonlySet<string>;
  /** References its migrations make (dependencies, replaces, run_before); `from` is the referring migration. */
  refs: ReadonlyArray<{ app: string; name: string; from: string }>;
}

/**
 * The app label of each migrations folder of one project. A fixed label wins. Otherwise the folder
 * name is kept when some reference uses it for a migration of the folder. Otherwise the label the
 * project's references use for this folder's migrations: a label none of the other folders answers
 * to, every migration referenced under it is in this folder, and the evidence is more than one
 * coincidental name (a reference from the folder itself, or two names). When several labels claim
 * one folder, or one label several folders, the most references win (then references from within,
 * then the path and label in order). Linear in the references; deterministic.
 */
export function inferLabels(folders: readonly FolderEvidence[]): Map<string, string> {
  const out = new Map<string, string>();
  const fixed = new Set<string>();
  for (const f of folders) if (f.fixed) fixed.add(f.fixed);
  // label -> referenced names -> number of references, and who refers
  const byLabel = new Map<string, Map<string, Array<{ dir: string; from: string }>>>();
  for (const f of folders) {
    for (const r of f.refs) {
      if (r.name === '__first__' || r.name === '__latest__') continue;
      let names = byLabel.get(r.app);
      if (!names) byLabel.set(r.app, (names = new Map()));
      let who = names.get(r.name);
      if (!who) names.set(r.name, (who = []));
      who.push({ dir: f.dir, from: r.from });
    }
  }
  const supported = (f: FolderEvidence): boolean => {
    if (fixed.has(f.fallback)) return false;
    for (const [name, who] of byLabel.get(f.fallback) ?? []) {
      if (f.names.has(name) && who.some((w) => w.dir !== f.dir || w.from !== name)) return true;
    }
    return false;
  };
  const taken = new Set(fixed);
  const open: FolderEvidence[] = [];
  for (const f of folders) {
    if (f.fixed) out.set(f.dir, f.fixed);
    else if (supported(f)) {
      out.set(f.dir, f.fallback);
      taken.add(f.fallback);
    } else open.push(f);
  }
  const claims: Array<{ f: FolderEvidence; label: string; refs: number; inner: number }> = [];
  for (const f of open) {
    for (const [label, names] of byLabel) {
      if (taken.has(label) || CONTRIB_LABELS.has(label)) continue;
      let refs = 0;
      let inner = 0;
      let covered = true;
      for (const [name, who] of names) {
        if (!f.names.has(name)) {
          covered = false;
          break;
        }
        for (const w of who) {
          if (w.dir === f.dir && w.from === name) continue; // a migration naming itself says nothing
          refs++;
          if (w.dir === f.dir) inner++;
        }
      }
      if (covered && refs && (inner || names.size > 1)) claims.push({ f, label, refs, inner });
    }
  }
  claims.sort((a, b) => b.refs - a.refs || b.inner - a.inner || (a.f.dir < b.f.dir ? -1 : a.f.dir > b.f.dir ? 1 : 0) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  for (const c of claims) {
    if (out.has(c.f.dir) || taken.has(c.label)) continue;
    out.set(c.f.dir, c.label);
    taken.add(c.label);
  }
  for (const f of open) if (!out.has(f.dir)) out.set(f.dir, f.fallback);
  return out;
}

/** The folder holding manage.py nearest above `dir`, else the workspace root holding it, else its parent. */
export function projectRootFor(appDir: string, manageDirs: ReadonlySet<string>, roots: readonly string[]): string {
  for (let d = appDir; ;) {
    if (manageDirs.has(d)) return d;
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  const root = roots.filter((r) => appDir === r || appDir.startsWith(r.endsWith(path.sep) ? r : r + path.sep)).sort((a, b) => b.length - a.length)[0];
  return root ?? path.dirname(appDir);
}
