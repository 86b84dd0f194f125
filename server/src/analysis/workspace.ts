// All migration files of a workspace, their projects and graphs, and the findings of every rule.
// Edits are incremental: a file is re-parsed alone; its project's graph is rebuilt only when the
// file's place in the graph (name, dependencies, replaces, run_before, whether it defines a
// Migration class) changed.
//
// Every candidate module of a migrations package is read (see discovery.ts); it is a migration
// when it defines a `Migration` class. A candidate without one is shown (ML506: Django's loader
// refuses the app) when the same package holds migrations, and is otherwise ignored: a
// `tests/migrations` test package or another library's `migrations` folder. Either can change
// while the user types, so hidden candidates are kept.
import * as path from 'path';
import type { Edit, Tree } from 'web-tree-sitter';
import { parse } from './parser';
import { extractMigration, OperationCache } from './extract';
import { readPlainModule } from './plain-module';
import { buildGraph, ProjectGraph } from './graph';
import { ProjectState, targetModel } from './state';
import { appliedKeys, History, mergeHistory } from './history';
import { derivedFindings, probeSpecs } from './probes';
import type { AppliedRow, ProbeResult, ProbeSpec } from '../protocol';
import { allOperations, MigrationFile, migrationKey, Operation, PyValue } from './model';
import { Engine, impactsOf, TableImpact } from './impact';
import { tableName } from './risk';
import { BaselineRepo, baselineState, BaselineState, FIRST_RELEASE, repoOf, UNRELEASED } from './baseline';

/** Above this many characters a file's operations are not analyzed (see load). */
export const MAX_ANALYZED_CHARS = 3 * 1048576;
import { isSuppressed } from './suppressions';
import {
  appLabelFromAppsPy,
  candidateModules,
  FileSystemLike,
  FolderEvidence,
  inferLabels,
  isIgnoredPath,
  isSettingsPath,
  MigrationModule,
  MigrationPlace,
  nodeFileSystem,
  parseMigrationPath,
  projectRootFor,
  namesLockTimeout,
  readMigrationModules,
  resolvePackageDir,
  scan,
} from './discovery';
import { RULES, RULES_BY_CODE } from '../rules/registry';
import { mootFinding } from '../rules/levels';
import type { Finding, ImpactOptions, Rule, RuleContext } from '../rules/types';
import { BIG_TABLE_ROWS } from '../rules/ml701-blocking-big-table';

interface Entry {
  path: string;
  text: string;
  model: MigrationFile;
  /** The migrations package holding the file. */
  dir: string;
  appDir: string;
  project: string;
  /** Reported: a migration, or a module without a Migration class next to migrations. */
  shown: boolean;
  signature: string;
  /** Kept only while the file is open in an editor, for incremental re-parsing. */
  tree?: Tree;
  operationCache?: OperationCache;
  fileFindings: Finding[];
  projectFindings: Finding[];
  /** On a folder's first migration when another folder of the project has the same app label. */
  labelFinding?: Finding;
  /** The rules have run on it (false between scanFiles and analyzeAll). */
  analyzed: boolean;
  /** How the text stands against the baseline, once asked (a new text is a new entry). */
  baseline?: BaselineState | null;
}

export interface UpdateOptions {
  /** The edits that turned the previous text into this one (UTF-16 offsets), for incremental parsing. */
  edits?: Edit[];
  /** Keep the syntax tree for the next edit (the file is open in an editor). */
  keepTree?: boolean;
}

export class Workspace {
  private readonly entries = new Map<string, Entry>();
  private readonly graphs = new Map<string, ProjectGraph>();
  private readonly states = new Map<string, ProjectState>();
  private manageDirs = new Set<string>();
  /** App folder -> label set by its apps.py. */
  private appLabels = new Map<string, string>();
  /** Settings module -> what its MIGRATION_MODULES maps. */
  private migrationModules = new Map<string, MigrationModule[]>();
  private declaredEngine?: (projectRoot: string) => { engine: Engine; source: string } | undefined;
  private declaredEngines = new Map<string, { engine: Engine; source: string } | undefined>();
  /** Per project graph: whether its first release ships a squash (see squashedInto). */
  private firstReleaseSquash = new WeakMap<ProjectGraph, boolean>();
  /** Settings modules that set a lock_timeout (ML705 is quiet in their projects). */
  private lockTimeoutSettings = new Set<string>();
  /** Package folder named by MIGRATION_MODULES -> app label. */
  private moduleDirs = new Map<string, string>();
  /** Migrations folder -> the app label its project's rebuild settled on. */
  private dirLabels = new Map<string, string>();
  private applied = new Map<string, readonly AppliedRow[]>();
  private histories = new Map<string, History>();
  private probeResults = new Map<string, ReadonlyMap<string, ProbeResult>>();
  private rules: readonly Rule[] = RULES;
  /** Set while scanFiles runs: files are parsed and placed, their rules wait for analyzeAll. */
  private deferRules = false;
  /** The base branch's blobs per git repository; undefined until known (or without git). */
  private baseline: readonly BaselineRepo[] | undefined;
  /** The engine each project's impact is judged for, and where that came from; '' holds the default for all. */
  private readonly engines = new Map<string, { engine: Engine; source: string }>();
  private impactOptions: ImpactOptions = { bigTableRows: BIG_TABLE_ROWS };

  constructor(
    private roots: string[],
    private readonly fsl: FileSystemLike = nodeFileSystem,
  ) {}

  /** Reads every migration file under the roots from disk and analyzes it. Returns the paths analyzed. */
  scanAll(texts?: ReadonlyMap<string, string>): string[] {
    this.scanFiles(texts);
    for (const root of this.graphs.keys()) for (const e of this.unanalyzed(root)) this.analyze(e);
    return this.paths();
  }

  /**
   * The first half of scanAll: reads and parses every migration file and builds the graphs, without
   * running the rules. The projects, apps and migrations are known (for the tree) long before
   * every finding is; analyzeAll does the rest.
   */
  scanFiles(texts?: ReadonlyMap<string, string>): string[] {
    this.deferRules = true;
    try {
      return this.scanFilesNow(texts);
    } finally {
      this.deferRules = false;
    }
  }

  /**
   * The second half: runs the rules of each project. `pause` is awaited every 20 ms of work, so
   * that a server answers requests meanwhile. Returns the paths analyzed.
   */
  async analyzeAll(pause: () => Promise<void>): Promise<string[]> {
    let since = Date.now();
    for (const root of [...this.graphs.keys()]) {
      const graph = this.graphs.get(root);
      if (!graph) continue;
      for (const e of this.unanalyzed(root)) {
        // An edit or a rebuild while paused may have analyzed it already, or moved it.
        if (!e.analyzed && this.entries.get(e.path) === e && this.graphs.get(root) === graph) this.analyze(e);
        if (Date.now() - since > 20) {
          await pause();
          since = Date.now();
        }
      }
    }
    return this.paths();
  }

  /** The project's files still without findings, with its state replayed for their rules. */
  private unanalyzed(root: string): Entry[] {
    const members = [...this.entries.values()].filter((e) => e.project === root && e.shown && !e.analyzed);
    if (members.length) this.states.set(root, new ProjectState(this.graphs.get(root)!));
    return members;
  }

  private analyze(e: Entry): void {
    e.fileFindings = this.runRules(e, 'file');
    e.projectFindings = this.runRules(e, 'project');
    e.analyzed = true;
  }

  /**
   * scanFiles for a server that must answer meanwhile: the files are listed first (`listed` gets
   * each project's apps and migrations by name, before any is parsed), then parsed with `pause`
   * awaited every 20 ms of work.
   */
  async scanFilesGradually(texts: ReadonlyMap<string, string> | undefined, pause: () => Promise<void>, listed: (projects: ListedProject[]) => void): Promise<string[]> {
    this.deferRules = true;
    try {
      const files = this.discover(texts);
      listed(this.listing(files));
      let since = Date.now();
      for (const f of files) {
        this.loadListed(f);
        if (Date.now() - since > 20) {
          await pause();
          since = Date.now();
        }
      }
      this.rebuildAllProjects();
      return this.paths();
    } finally {
      this.deferRules = false;
      this.listedTexts.clear();
    }
  }

  /** `texts`: the editor's text of open files, read instead of the disk. */
  private scanFilesNow(texts?: ReadonlyMap<string, string>): string[] {
    for (const f of this.discover(texts)) this.loadListed(f);
    this.listedTexts.clear();
    this.rebuildAllProjects();
    return this.paths();
  }

  /** The texts read while listing, for loadListed (the disk is read once). */
  private readonly listedTexts = new Map<string, string>();

  private loadListed(file: string): void {
    const where = this.where(file);
    const text = this.listedTexts.get(file);
    if (where && text !== undefined) this.load(file, text, {}, where);
  }

  /** Each project's apps and migrations from the file names (before parsing): for the first tree rows. */
  private listing(files: readonly string[]): ListedProject[] {
    const projects = new Map<string, Map<string, ListedProject['apps'][number]>>();
    for (const file of files) {
      const where = this.where(file);
      const text = this.listedTexts.get(file);
      if (!where || text === undefined || !/^class Migration\b/m.test(text)) continue;
      const root = projectRootFor(where.appDir, this.manageDirs, this.roots);
      const label = this.labelOf(where);
      const apps = projects.get(root) ?? new Map();
      projects.set(root, apps);
      const app = apps.get(label) ?? { label, migrations: [] };
      apps.set(label, app);
      const at = text.search(/^class Migration\b/m);
      app.migrations.push({ name: where.name, path: file, classLine: text.slice(0, at).split('\n').length - 1 });
    }
    return [...projects].map(([root, apps]) => ({ root, hasManagePy: this.manageDirs.has(root), apps: [...apps.values()] }));
  }

  /** Finds the migration files and reads them (into listedTexts); sorted. */
  private discover(texts?: ReadonlyMap<string, string>): string[] {
    const found = scan(this.roots, this.fsl);
    this.manageDirs = new Set(found.manageDirs);
    this.appLabels = new Map();
    for (const f of found.appsFiles) {
      const label = appLabelFromAppsPy(this.fsl.readFile(f) ?? '');
      if (label) this.appLabels.set(path.dirname(f), label);
    }
    this.migrationModules = found.migrationModules;
    this.lockTimeoutSettings = new Set(found.lockTimeoutSettings);
    this.moduleDirs = this.resolveModuleDirs();
    this.dirLabels.clear();
    for (const e of this.entries.values()) e.tree?.delete();
    this.entries.clear();
    const files = new Set(found.migrationFiles);
    for (const dir of this.moduleDirs.keys()) for (const f of candidateModules(dir, this.fsl)) files.add(f);
    this.listedTexts.clear();
    const sorted = [...files].sort();
    for (const file of sorted) {
      const text = this.where(file) && (texts?.get(file) ?? this.fsl.readFile(file));
      if (text !== undefined) this.listedTexts.set(file, text);
    }
    return sorted;
  }

  setRoots(roots: string[]): string[] {
    const before = this.paths();
    this.roots = roots;
    const after = this.scanAll();
    return [...new Set([...before, ...after])];
  }

  /**
   * A file's text changed (edited, created, or changed on disk). Returns every path whose findings
   * may have changed, including paths that are no longer migrations.
   */
  update(file: string, text: string, opts: UpdateOptions = {}): string[] {
    const base = path.basename(file);
    if (base === 'manage.py' || base === 'apps.py') return this.structureChanged(file, text);
    const where = this.where(file);
    if (!where) return isSettingsPath(file) ? this.settingsChanged(file, text) : [];
    const existing = this.entries.get(file);
    const before = existing && { signature: existing.signature, project: existing.project, model: existing.model };
    const entry = this.load(file, text, opts, where);
    if (!before || before.signature !== entry.signature || before.project !== entry.project) {
      const projects = new Set([entry.project, before?.project].filter((p): p is string => !!p));
      return [...projects].flatMap((p) => this.rebuildProject(p));
    }
    return this.refreshWithinProject(entry, before.model);
  }

  /**
   * Many files changed at once (a checkout, a generated batch, a watcher event with thousands of
   * files): each is loaded, then every project concerned is rebuilt once. `text` undefined: deleted.
   */
  updateMany(changes: readonly { file: string; text: string | undefined }[]): string[] {
    const out: string[] = [];
    const projects = new Set<string>();
    for (const { file, text } of changes) {
      const base = path.basename(file);
      const where = this.where(file);
      if (base === 'manage.py' || base === 'apps.py' || (text === undefined && !this.entries.has(file)) || (!where && isSettingsPath(file))) {
        out.push(...(text === undefined ? this.remove(file) : this.update(file, text)));
        continue;
      }
      if (text === undefined) {
        const gone = this.entries.get(file)!;
        gone.tree?.delete();
        this.entries.delete(file);
        if (gone.shown) out.push(file);
        projects.add(gone.project);
        continue;
      }
      if (!where) continue;
      const existing = this.entries.get(file);
      const project = existing?.project;
      const entry = this.load(file, text, {}, where);
      for (const p of [project, entry.project]) if (p) projects.add(p);
    }
    for (const p of projects) out.push(...this.rebuildProject(p));
    return [...new Set(out)];
  }

  /** A file was deleted (or is no longer in the workspace). */
  remove(file: string): string[] {
    const base = path.basename(file);
    if (base === 'manage.py' || base === 'apps.py') return this.structureChanged(file, undefined);
    if (!this.where(file) && isSettingsPath(file)) return this.settingsChanged(file, undefined);
    const removed: string[] = [];
    const projects = new Set<string>();
    for (const [p, e] of this.entries) {
      if (p === file || p.startsWith(file + path.sep)) {
        e.tree?.delete();
        this.entries.delete(p);
        if (e.shown) removed.push(p);
        projects.add(e.project);
      }
    }
    // A folder removed with settings modules in it: what MIGRATION_MODULES maps may change too.
    const settings = [...this.migrationModules.keys()].filter((p) => p.startsWith(file + path.sep));
    for (const p of settings) this.migrationModules.delete(p);
    const moved = settings.length ? this.moduleDirsChanged() : [];
    if (moved.length) return [...new Set([...removed, ...moved])];
    return [...removed, ...[...projects].flatMap((p) => this.rebuildProject(p))];
  }

  /** Drops the kept syntax tree of a file closed in the editor. */
  release(file: string): void {
    const e = this.entries.get(file);
    e?.tree?.delete();
    if (e) {
      e.tree = undefined;
      e.operationCache = undefined;
    }
  }

  /**
   * The rows of the project's `django_migrations` (undefined: unknown). They decide which squashes
   * are in effect, which migrations are pending and what is drift.
   */
  setApplied(projectRoot: string, rows: readonly AppliedRow[] | undefined): string[] {
    const before = this.applied.get(projectRoot);
    if (before && rows && JSON.stringify(before) === JSON.stringify(rows)) return [];
    if (rows) this.applied.set(projectRoot, rows);
    else this.applied.delete(projectRoot);
    return this.rebuildProject(projectRoot);
  }

  /** What the live-data probes counted for the project's pending migrations; replaces earlier results. */
  setProbeResults(projectRoot: string, results: readonly ProbeResult[]): string[] {
    this.probeResults.set(projectRoot, new Map(results.map((r) => [r.id, r])));
    return [...this.entries.values()].filter((e) => e.shown && e.project === projectRoot).map((e) => e.path);
  }

  /** The probes worth running for the project's pending migrations (none until the history is known). */
  probeSpecs(projectRoot: string): ProbeSpec[] {
    const out: ProbeSpec[] = [];
    for (const e of this.entries.values()) {
      if (e.shown && e.project === projectRoot && this.isPending(e.path)) out.push(...probeSpecs(this.keyOf(e), this.findings(e.path)));
    }
    // The size of every existing table a pending schema operation locks, rewrites or reads.
    const tables = new Set<string>();
    for (const e of this.entries.values()) {
      if (!e.shown || e.project !== projectRoot || !this.isPending(e.path)) continue;
      for (const { impacts } of this.impacts(e.path)) {
        for (const i of impacts) {
          if (tables.has(i.table)) continue;
          tables.add(i.table);
          out.push({ id: sizeProbeId(i.table), migration: this.keyOf(e), source: 'impact', probe: { kind: 'size', table: i.table } });
        }
      }
    }
    return out;
  }

  /** The merged history of a project; undefined until its database has been read. */
  historyOf(projectRoot: string): History | undefined {
    return this.histories.get(projectRoot);
  }

  setRules(rules: readonly Rule[]): string[] {
    this.rules = rules;
    for (const e of this.entries.values()) e.fileFindings = this.runRules(e, 'file');
    return this.rebuildAllProjects();
  }

  /** The findings of a file after suppression comments, with what the live-data probes derived from them. */
  findings(file: string): Finding[] {
    const e = this.shown(file);
    if (!e) return [];
    const kept = (f: Finding) => !isSuppressed(e.model, f.code, f.range.start.line) && !isSuppressed(e.model, f.code, f.range.end.line);
    const own = [...e.fileFindings, ...e.projectFindings, ...(e.labelFinding ? [e.labelFinding] : [])].filter(kept);
    const results = this.probeResults.get(e.project);
    const live = results && this.isPending(file) ? [...derivedFindings(this.keyOf(e), own, results, this.rules), ...this.impactFindings(file)].filter(kept) : [];
    const moot = mootReason(e.model, this.graphs.get(e.project), this.keyOf(e));
    return (
      [...own, ...live]
        // A squash's reason wins over the rule's own (it holds for every database the squash reaches).
        .map((f) => {
          const reason = (moot && RULES_BY_CODE.get(f.code)?.risk && f.code !== 'ML301' && f.code !== 'ML302' ? moot : undefined) ?? f.moot;
          return reason ? mootFinding(f, reason) : f;
        })
        .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code))
    );
  }

  /** The engine rules' findings for a pending file, from its operations' impact on tables of known size. */
  private impactFindings(file: string): Finding[] {
    const rules = this.rules.filter((r) => r.impact);
    if (!rules.length) return [];
    const { engine } = this.engineOf(file);
    const out: Finding[] = [];
    for (const { op, impacts } of this.impacts(file)) {
      for (const i of impacts) {
        for (const r of rules) {
          const f = r.impact!.finding(op, engine, i, this.impactOptions);
          if (f) out.push(f);
        }
      }
    }
    return out;
  }

  /** Options of the engine rules (the size from which a table is big). */
  setImpactOptions(options: Partial<ImpactOptions>): void {
    this.impactOptions = { ...this.impactOptions, ...options };
  }

  /** Whether the file is reported: a migration, or a module without a Migration class among migrations. */
  has(file: string): boolean {
    return !!this.shown(file);
  }

  paths(): string[] {
    return [...this.entries.values()].filter((e) => e.shown).map((e) => e.path);
  }

  model(file: string): MigrationFile | undefined {
    return this.shown(file)?.model;
  }

  private shown(file: string): Entry | undefined {
    const e = this.entries.get(file);
    return e?.shown ? e : undefined;
  }

  /** The rule context of a file, for quick fixes. */
  context(file: string): RuleContext | undefined {
    const e = this.shown(file);
    return e && this.graphs.get(e.project) ? this.contextOf(e, 'project') : undefined;
  }

  private contextOf(e: Entry, scope: Rule['scope']): RuleContext {
    return {
      file: e.model,
      text: e.text,
      graph: this.graphs.get(e.project) ?? EMPTY_GRAPH,
      key: migrationKey(e.model.app, e.model.name),
      state: scope === 'project' ? this.states.get(e.project) : undefined,
      textOf: scope === 'project' ? (p: string) => this.shown(p)?.text : undefined,
      history: scope === 'project' ? this.histories.get(e.project) : undefined,
      releaseOf: scope === 'project' ? (key: string) => this.releaseOfKey(e.project, key) : undefined,
      isFirstRelease: scope === 'project' ? (key: string) => this.isFirstRelease(e.project, key) : undefined,
      retiredBefore: scope === 'project' ? (model: string) => this.retiredBefore(e.path, model) : undefined,
      engine: scope === 'project' ? this.knownEngine(e.project) : undefined,
      lockTimeout: scope === 'project' ? [...this.lockTimeoutSettings].find((f) => f.startsWith(e.project + path.sep)) : undefined,
    };
  }

  private isFirstRelease(project: string, key: string): boolean {
    const file = this.graphs.get(project)?.files.get(key);
    const repo = file && this.baseline && repoOf(this.baseline, file.path);
    const release = file && repo?.releases?.get(file.path);
    return !!release?.startsWith(FIRST_RELEASE) && !this.squashedInto(repo!, project, release);
  }

  private releaseOfKey(project: string, key: string): string | undefined {
    const file = this.graphs.get(project)?.files.get(key);
    return file && this.releaseOf(file.path);
  }

  /** The release running before the file's own when it no longer defines, or never uses, the model the file deletes. */
  private retiredBefore(file: string, model: string): { release: string; unused: boolean } | undefined {
    const r = this.baseline && repoOf(this.baseline, file)?.retired?.get(file);
    if (r?.models.includes(model)) return { release: r.release, unused: false };
    return r?.unused.includes(model) ? { release: r.release, unused: true } : undefined;
  }

  /** Whether the database of the file's project has the migration applied (false when unknown). */
  isApplied(file: string): boolean {
    const e = this.shown(file);
    return !!e && !!this.histories.get(e.project)?.appliedKeys.has(this.keyOf(e));
  }

  /**
   * The base branch's version of the files (from git). Migrations unchanged there are history
   * while the database is not read. Returns the paths whose standing may have changed.
   */
  setBaseline(repos: readonly BaselineRepo[] | undefined): string[] {
    const releases = () =>
      this.paths()
        .map((p) => `${this.releaseOf(p) ?? ''}:${this.baseline && JSON.stringify(repoOf(this.baseline, p)?.retired?.get(p) ?? '')}`)
        .join('\0');
    const before = releases();
    this.baseline = repos;
    this.firstReleaseSquash = new WeakMap();
    for (const e of this.entries.values()) e.baseline = undefined;
    // The rules judge what the running release knows: when the releases move, they judge again.
    if (releases() !== before) this.rebuildAllProjects();
    return this.paths();
  }

  /**
   * The release that ships the file: the version of the tag that first did, `unreleased` for a file
   * no tag has yet (or, without release tags, one new on this branch), undefined when unknown.
   */
  releaseOf(file: string): string | undefined {
    const e = this.shown(file);
    if (!e || !this.baseline) return undefined;
    const repo = repoOf(this.baseline, e.path);
    if (repo?.releases) {
      const release = repo.releases.get(e.path);
      if (release?.startsWith(FIRST_RELEASE)) return this.squashedInto(repo, e.project, release) ? undefined : release.slice(FIRST_RELEASE.length);
      return release === undefined ? UNRELEASED : release || undefined; // '' : before the first tag, unknown
    }
    return this.baselineOf(file) === 'new' ? UNRELEASED : undefined;
  }

  /**
   * Whether the project's first release ships a squash that names what it replaces: then releases
   * ran before it, whose migrations were folded in, and what it holds is of unknown release. A file
   * named `_squashed_` with no `replaces` (BookWyrm's, made and settled before its first tag) runs
   * as an ordinary migration on every database and tells of no older release.
   */
  private squashedInto(repo: BaselineRepo, project: string, release: string): boolean {
    const graph = this.graphs.get(project);
    if (!graph) return true;
    let known = this.firstReleaseSquash.get(graph);
    if (known === undefined) {
      // One migration standing in for one of a renamed app (Saleor's `account` for `userprofile`) folds in no history.
      known = [...graph.files.values()].some((m) => (m.replaces.length > 1 || (m.replaces.length > 0 && /_squashed_/.test(m.name))) && repo.releases?.get(m.path) === release);
      this.firstReleaseSquash.set(graph, known);
    }
    return known;
  }

  /**
   * The file against the base branch: undefined without a baseline or outside any repository. A
   * squash of migrations that are all unchanged there counts as unchanged: it runs only on an empty
   * database, so it is not new work for any database the base branch reached.
   */
  baselineOf(file: string): BaselineState | undefined {
    const e = this.shown(file);
    if (!e || !this.baseline) return undefined;
    if (e.baseline === undefined) {
      e.baseline = baselineState(this.baseline, e.path, e.text) ?? null;
      if (e.baseline !== 'unchanged' && e.baseline && e.model.replaces.length) {
        const graph = this.graphs.get(e.project);
        const replaced = e.model.replaces.map((r) => graph?.files.get(migrationKey(r.app ?? e.model.app, r.name)));
        if (replaced.every((m) => m && m.path !== e.path && this.baselineOf(m.path) === 'unchanged')) e.baseline = 'unchanged';
      }
    }
    return e.baseline ?? undefined;
  }

  /** The ref the file is compared against, when it is. */
  baselineRef(file: string): string | undefined {
    return this.baseline && repoOf(this.baseline, file)?.ref;
  }

  /**
   * History, whose risk is said quietly: applied, when the project's database has been read;
   * otherwise unchanged on the base branch. Without either, everything is new work.
   */
  isHistory(file: string): boolean {
    const e = this.shown(file);
    if (!e) return false;
    if (this.histories.has(e.project)) return this.isApplied(file);
    return this.baselineOf(file) === 'unchanged';
  }

  /** Whether the database is known and has not applied the migration. */
  isPending(file: string): boolean {
    const e = this.shown(file);
    const h = e && this.histories.get(e.project);
    return !!h && !h.appliedKeys.has(this.keyOf(e!));
  }

  private keyOf(e: Entry): string {
    return migrationKey(e.model.app, e.model.name);
  }

  /** The replayed state of the file's project. */
  stateOf(file: string): ProjectState | undefined {
    const e = this.shown(file);
    return e && this.states.get(e.project);
  }

  /**
   * The engine a project's impact is judged for: its database's (`source` says where it was read),
   * else the one set for every project (CLI `--engine`, the editor's setting); undefined root: all.
   */
  setEngine(projectRoot: string | undefined, engine: Engine | undefined, source: string): string[] {
    const before = JSON.stringify([...this.engines.entries()].map(([k, v]) => [k, v.engine]));
    if (engine) this.engines.set(projectRoot ?? '', { engine, source });
    else this.engines.delete(projectRoot ?? '');
    // Rules that depend on the engine (ML302 is PostgreSQL's) judge again when it changes.
    return JSON.stringify([...this.engines.entries()].map(([k, v]) => [k, v.engine])) === before ? [] : this.rebuildAllProjects();
  }

  /**
   * Where the engine is neither set nor read: the one a project's settings name statically, asked
   * once per project when it is first judged (the CLI's; set before the scan, so nothing is judged twice).
   */
  setDeclaredEngines(declared: ((projectRoot: string) => { engine: Engine; source: string } | undefined) | undefined): void {
    this.declaredEngine = declared;
    this.declaredEngines.clear();
  }

  private engineEntry(project: string | undefined): { engine: Engine; source: string } | undefined {
    const set = this.engines.get('') ?? (project !== undefined ? this.engines.get(project) : undefined);
    if (set || project === undefined || !this.declaredEngine) return set;
    if (!this.declaredEngines.has(project)) this.declaredEngines.set(project, this.declaredEngine(project));
    return this.declaredEngines.get(project);
  }

  private knownEngine(project: string): Engine | undefined {
    return this.engineEntry(project)?.engine;
  }

  /** The engine of the file's project, or PostgreSQL assumed (`assumed`) when nothing says. */
  engineOf(file: string): { engine: Engine; source: string; assumed: boolean } {
    const e = this.shown(file);
    // What the user set (production's engine) wins over the database the editor happens to read.
    const known = this.engineEntry(e?.project);
    return known ? { ...known, assumed: false } : { engine: { name: 'postgresql' }, source: 'assumed', assumed: true };
  }

  /**
   * What each schema operation of the file does to the existing tables it touches, on the
   * project's engine: the lock, algorithm or rebuild, a rewrite or full read, and who waits.
   * `operation` is the index in the migration's operations list (nested ones count as their parent's).
   */
  impacts(file: string): Array<{ operation: number; op: Operation; impacts: TableImpact[] }> {
    const e = this.shown(file);
    const state = e && this.states.get(e.project);
    if (!e || !state) return [];
    const { engine } = this.engineOf(file);
    const app = e.model.app;
    const tableOf = (target: PyValue): string | undefined => {
      if (target.kind !== 'str') return undefined;
      const [a, m] = target.value.includes('.') ? target.value.split('.') : [app, target.value];
      const model = state.latest(a)?.get(m.toLowerCase());
      // A table this migration creates holds no rows and no one waits on it.
      if (model?.createdIn === migrationKey(app, e.model.name)) return undefined;
      return model ? tableName(a, model, m.toLowerCase()) : `${a}_${m.toLowerCase()}`.toLowerCase();
    };
    const out: Array<{ operation: number; op: Operation; impacts: TableImpact[] }> = [];
    e.model.operations.forEach((top, index) => {
      for (const op of allOperations([top])) {
        const view = state.view(op);
        const name = targetModel(op) ?? '';
        const found = impactsOf(engine, op, view, tableName(app, view?.model, name), tableOf).map((i) => {
          const size = this.probeResults.get(e.project)?.get(sizeProbeId(i.table));
          return { ...i, ...(size?.count !== undefined ? { rows: size.count } : {}), ...(size?.bytes !== undefined ? { bytes: size.bytes } : {}) };
        });
        if (found.length) out.push({ operation: index, op, impacts: found });
      }
    });
    return out;
  }

  /** The text analyzed for a file (the editor's, while it is open). */
  textOf(file: string): string | undefined {
    return this.shown(file)?.text;
  }

  graphOf(file: string): ProjectGraph | undefined {
    const e = this.shown(file);
    return e && this.graphs.get(e.project);
  }

  projects(): ProjectGraph[] {
    return [...this.graphs.values()].sort((a, b) => a.root.localeCompare(b.root));
  }

  /** Where a candidate migration module sits (a folder named `migrations`, or a MIGRATION_MODULES package). */
  private where(file: string): MigrationPlace | undefined {
    return parseMigrationPath(file, this.moduleDirs);
  }

  /** The label a folder has until its project's rebuild infers one: MIGRATION_MODULES, apps.py, the folder name. */
  private labelOf(where: MigrationPlace): string {
    return this.dirLabels.get(where.dir) ?? where.label ?? this.appLabels.get(where.appDir) ?? path.basename(where.appDir);
  }

  private load(file: string, text: string, opts: UpdateOptions, where: MigrationPlace): Entry {
    const existing = this.entries.get(file);
    // A huge file (generated, or pasted by mistake) is read up to its operations list: its place in
    // the graph is known, its operations are not analyzed, and one keystroke stays cheap.
    const huge = text.length > MAX_ANALYZED_CHARS;
    const source = huge ? text.slice(0, /^[ \t]*operations\s*=/m.exec(text)?.index ?? MAX_ANALYZED_CHARS) : text;
    // A file no editor holds, written as makemigrations writes, is read from its text: no parse.
    const plain = opts.keepTree ? undefined : readPlainModule(source, file, this.labelOf(where), where.name);
    let tree: Tree | undefined;
    if (plain) tree = undefined;
    else if (existing?.tree && opts.edits?.length && !huge && existing.text.length <= MAX_ANALYZED_CHARS) {
      for (const e of opts.edits) existing.tree.edit(e);
      tree = parse(text, existing.tree);
    } else {
      tree = parse(source);
    }
    existing?.tree?.delete();
    // An open file keeps what its operations read as, for the next keystroke to reuse.
    const cache = opts.keepTree && !huge ? { previous: existing?.operationCache, next: { entries: new Map() } } : undefined;
    const model = plain ?? extractMigration(tree!, source, file, this.labelOf(where), where.name, cache);
    if (huge) {
      model.size = text.length;
      model.syntaxErrors = [];
      model.unresolved.push({
        range: model.classRange,
        message: `the file is ${(text.length / 1048576).toFixed(1)} MB; its operations are not analyzed above ${MAX_ANALYZED_CHARS / 1048576} MB (its dependencies are).`,
      });
    }
    if (!opts.keepTree) tree?.delete();
    const entry: Entry = {
      path: file,
      text,
      model,
      dir: where.dir,
      appDir: where.appDir,
      project: projectRootFor(where.appDir, this.manageDirs, this.roots),
      shown: existing?.shown ?? false,
      signature: signatureOf(model),
      tree: opts.keepTree ? tree : undefined,
      operationCache: cache?.next,
      fileFindings: [],
      projectFindings: existing?.projectFindings ?? [],
      labelFinding: existing?.labelFinding && { ...existing.labelFinding, range: model.classRange },
      // The project rules run in the same call (rebuild or refresh), or all later in analyzeAll.
      analyzed: !this.deferRules,
    };
    this.entries.set(file, entry);
    if (!this.deferRules) entry.fileFindings = this.runRules(entry, 'file');
    return entry;
  }

  /** manage.py or apps.py changed: projects and labels may move; re-derive them from the texts we hold. */
  private structureChanged(file: string, text: string | undefined): string[] {
    if (isIgnoredPath(file)) return [];
    const dir = path.dirname(file);
    if (path.basename(file) === 'manage.py') {
      if (text === undefined) this.manageDirs.delete(dir);
      else this.manageDirs.add(dir);
    } else {
      const label = text === undefined ? undefined : appLabelFromAppsPy(text);
      if (label === this.appLabels.get(dir)) return [];
      if (label) this.appLabels.set(dir, label);
      else this.appLabels.delete(dir);
    }
    for (const e of this.entries.values()) e.project = projectRootFor(e.appDir, this.manageDirs, this.roots);
    // A project root bounds where MIGRATION_MODULES packages are looked up.
    const moved = path.basename(file) === 'manage.py' ? this.moduleDirsChanged() : [];
    // Labels are re-derived by each project's rebuild.
    return moved.length ? moved : this.rebuildAllProjects();
  }

  /** A settings module changed: what MIGRATION_MODULES maps may have. */
  private settingsChanged(file: string, text: string | undefined): string[] {
    if (isIgnoredPath(file)) return [];
    const lockTimeout = text !== undefined && namesLockTimeout(text);
    if (lockTimeout !== this.lockTimeoutSettings.has(file)) {
      if (lockTimeout) this.lockTimeoutSettings.add(file);
      else this.lockTimeoutSettings.delete(file);
      const moved = this.settingsModulesChanged(file, text);
      return moved.length ? moved : this.rebuildAllProjects();
    }
    return this.settingsModulesChanged(file, text);
  }

  private settingsModulesChanged(file: string, text: string | undefined): string[] {
    const mapped = text === undefined ? [] : readMigrationModules(text);
    if (JSON.stringify(mapped) === JSON.stringify(this.migrationModules.get(file) ?? [])) return [];
    if (mapped.length) this.migrationModules.set(file, mapped);
    else this.migrationModules.delete(file);
    return this.moduleDirsChanged();
  }

  /**
   * The packages MIGRATION_MODULES names, as folders: looked up from each settings module upwards
   * to its project's root. A `None` entry (the app's migrations turned off, typically in test
   * settings) is not followed: the files on disk are still the app's migrations elsewhere.
   */
  private resolveModuleDirs(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [file, mapped] of [...this.migrationModules].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const root = projectRootFor(path.dirname(file), this.manageDirs, this.roots);
      for (const m of mapped) {
        if (m.module === null) continue;
        const dir = resolvePackageDir(file, m.module, root, this.fsl);
        if (dir && !out.has(dir) && !isIgnoredPath(dir)) out.set(dir, m.label);
      }
    }
    return out;
  }

  /** MIGRATION_MODULES changed: packages that are no longer named leave, newly named ones are read from disk. */
  private moduleDirsChanged(): string[] {
    const before = this.moduleDirs;
    this.moduleDirs = this.resolveModuleDirs();
    if (before.size === this.moduleDirs.size && [...before].every(([d, l]) => this.moduleDirs.get(d) === l)) return [];
    const out: string[] = [];
    for (const [p, e] of this.entries) {
      const where = this.where(p);
      if (!where) {
        e.tree?.delete();
        this.entries.delete(p);
        if (e.shown) out.push(p);
      } else if (before.get(e.dir) !== where.label) this.dirLabels.delete(e.dir);
    }
    for (const dir of this.moduleDirs.keys()) {
      if (before.has(dir)) continue;
      this.dirLabels.delete(dir);
      for (const f of candidateModules(dir, this.fsl)) {
        const where = this.where(f);
        const text = where && !this.entries.has(f) ? this.fsl.readFile(f) : undefined;
        if (where && text !== undefined) this.load(f, text, {}, where);
      }
    }
    return [...out, ...this.rebuildAllProjects()];
  }

  /**
   * Two folders of one project with the same app label: Django refuses to start with such apps
   * installed together, and here their migrations read as one app. Said once per folder, on its
   * first migration (information, as ML506: the label could not be told apart statically).
   */
  private markDuplicateLabels(members: Entry[]): void {
    const firstByDir = new Map<string, Entry>();
    for (const e of members) {
      e.labelFinding = undefined;
      if (!e.model.hasMigrationClass) continue;
      const first = firstByDir.get(e.dir);
      if (!first || e.model.name < first.model.name) firstByDir.set(e.dir, e);
    }
    const byLabel = new Map<string, Entry[]>();
    for (const e of firstByDir.values()) byLabel.set(e.model.app, [...(byLabel.get(e.model.app) ?? []), e]);
    if (!this.rules.some((r) => r.code === 'ML506')) return;
    for (const [label, firsts] of byLabel) {
      if (firsts.length < 2) continue;
      firsts.sort((a, b) => (a.dir < b.dir ? -1 : 1));
      const rel = (e: Entry) => path.relative(e.project, e.dir) || e.dir;
      for (const e of firsts) {
        const others = firsts.filter((o) => o !== e);
        e.labelFinding = {
          code: 'ML506',
          range: e.model.classRange,
          message:
            `Not fully analyzed: the app label of ${rel(e)} is \`${label}\`, and so is that of ${others.map(rel).join(', ')}; ` +
            `their migrations are read here as one app. Django refuses two apps with one label ("Application labels aren't unique"). ` +
            `If apps.py sets the label in code, write it as a literal (\`label = "..."\`) so that it can be read.`,
          related: others.map((o) => ({ path: o.path, range: o.model.classRange, message: `also app \`${label}\`: ${rel(o)}` })),
        };
      }
    }
  }

  /**
   * Settles the app label of every migrations folder of a project (see inferLabels) and relabels
   * the files whose label changed. Linear in the project's references.
   */
  private assignLabels(members: Entry[]): void {
    const folders = new Map<string, FolderEvidence & { names: Set<string>; refs: FolderEvidence['refs'][number][] }>();
    for (const e of members) {
      let f = folders.get(e.dir);
      if (!f) {
        const fixed = this.moduleDirs.get(e.dir) ?? this.appLabels.get(e.appDir);
        folders.set(e.dir, (f = { dir: e.dir, fixed, fallback: path.basename(e.appDir), names: new Set(), refs: [] }));
      }
      const m = e.model;
      if (!m.hasMigrationClass) continue;
      f.names.add(m.name);
      for (const r of m.replaces) if (r.app !== undefined) f.names.add(r.name);
      for (const list of [m.dependencies, m.replaces, m.runBefore]) {
        for (const r of list) if (r.app !== undefined) f.refs.push({ app: r.app, name: r.name, from: m.name });
      }
    }
    const labels = inferLabels([...folders.values()].sort((a, b) => (a.dir < b.dir ? -1 : 1)));
    for (const e of members) {
      const label = labels.get(e.dir)!;
      this.dirLabels.set(e.dir, label);
      if (e.model.app === label) continue;
      e.model.app = label;
      e.signature = signatureOf(e.model);
      e.fileFindings = this.runRules(e, 'file');
    }
  }

  private rebuildAllProjects(): string[] {
    const roots = new Set([...this.entries.values()].map((e) => e.project));
    for (const r of this.graphs.keys()) {
      if (!roots.has(r)) {
        this.graphs.delete(r);
        this.states.delete(r);
        this.histories.delete(r);
      }
    }
    return [...roots].flatMap((r) => this.rebuildProject(r));
  }

  /**
   * Rebuilds one project's labels, graph and state, and re-runs the project rules on all its
   * files. Returns the files shown, and those that stopped being shown.
   */
  private rebuildProject(root: string): string[] {
    const all = [...this.entries.values()].filter((e) => e.project === root);
    const wasShown = all.filter((e) => e.shown).map((e) => e.path);
    this.assignLabels(all);
    const withMigrations = new Set(all.filter((e) => e.model.hasMigrationClass).map((e) => e.dir));
    for (const e of all) e.shown = withMigrations.has(e.dir);
    const members = all.filter((e) => e.shown);
    for (const e of all) if (!e.shown) e.projectFindings = [];
    this.markDuplicateLabels(members);
    if (!members.length) {
      this.graphs.delete(root);
      this.states.delete(root);
      this.histories.delete(root);
      return wasShown;
    }
    const rows = this.applied.get(root);
    const graph = buildGraph(
      root,
      members.map((e) => e.model),
      { applied: rows && appliedKeys(rows) },
    );
    this.graphs.set(root, graph);
    if (rows) this.histories.set(root, mergeHistory(graph, rows));
    else this.histories.delete(root);
    if (this.deferRules) {
      this.states.delete(root);
      for (const e of members) e.analyzed = false;
    } else {
      this.states.set(root, new ProjectState(graph));
      for (const e of members) {
        if (!e.analyzed) e.fileFindings = this.runRules(e, 'file');
        e.projectFindings = this.runRules(e, 'project');
        e.analyzed = true;
      }
    }
    return [...new Set([...members.map((e) => e.path), ...wasShown])];
  }

  /**
   * The file's place in the graph is unchanged: swap its model into the graph, replay the state
   * from this migration on, and re-run the project rules where a verdict may change: this file,
   * the migrations after it in its app (their state changed), the one before it (rules pair
   * neighbouring migrations) and files whose findings point into this one. Returns the edited file
   * and the files whose findings changed.
   */
  private refreshWithinProject(entry: Entry, previous: MigrationFile): string[] {
    if (!entry.shown) return [];
    const graph = this.graphs.get(entry.project);
    const state = this.states.get(entry.project);
    if (!graph || !state) return this.rebuildProject(entry.project);
    if (!entry.model.hasMigrationClass) {
      // Not in the graph: only its own findings can change.
      entry.projectFindings = this.runRules(entry, 'project');
      return [entry.path];
    }
    const key = migrationKey(entry.model.app, entry.model.name);
    graph.files.set(key, entry.model);
    const node = graph.nodes.get(key);
    if (node) node.file = entry.model;
    const affected = new Set(state.update(key, graph, previous));
    const n = state.neighbours(key);
    if (n && n.index > 0) affected.add(n.keys[n.index - 1]);
    const touched = [entry.path];
    entry.projectFindings = this.runRules(entry, 'project');
    for (const e of this.entries.values()) {
      if (e === entry || !e.shown || e.project !== entry.project) continue;
      const pointsHere = e.projectFindings.some((f) => f.related?.some((r) => r.path === entry.path));
      if (!pointsHere && !affected.has(migrationKey(e.model.app, e.model.name))) continue;
      const before = JSON.stringify(e.projectFindings);
      e.projectFindings = this.runRules(e, 'project');
      if (JSON.stringify(e.projectFindings) !== before) touched.push(e.path);
    }
    return touched;
  }

  private runRules(e: Entry, scope: Rule['scope']): Finding[] {
    const graph = this.graphs.get(e.project);
    if (scope === 'project' && !graph) return [];
    const ctx = this.contextOf(e, scope);
    const out: Finding[] = [];
    for (const rule of this.rules) {
      if (rule.scope !== scope) continue;
      try {
        out.push(...rule.check(ctx));
      } catch (err) {
        // A rule bug must not take the file's other findings (or the server) down with it.
        out.push({
          code: 'ML506',
          range: e.model.classRange,
          message: `Not fully analyzed: rule ${rule.code} failed on this file (${(err as Error).message}).`,
        });
      }
    }
    return out;
  }
}

const EMPTY_GRAPH: ProjectGraph = {
  root: '',
  nodes: new Map(),
  files: new Map(),
  apps: new Map(),
  leaves: new Map(),
  missing: new Map(),
  cycleRefs: new Map(),
  replacedBy: new Map(),
  unknownReplaces: new Map(),
  byNumber: new Map(),
  order: [],
};

/** What decides a file's place in the graph; ranges excluded. */
function signatureOf(m: MigrationFile): string {
  const refs = (l: MigrationFile['dependencies']) => l.map((d) => `${d.app ?? `$${d.swappable}`}.${d.name}`).join(',');
  return `${m.app}|${m.name}|${m.hasMigrationClass}|${refs(m.dependencies)}|${refs(m.replaces)}|${refs(m.runBefore)}`;
}

/** A squashed migration runs only on a database that applied none of the migrations it replaces. */
function mootReason(m: MigrationFile, graph: ProjectGraph | undefined, key: string): string | undefined {
  const squash = graph?.replacedBy.get(key);
  if (squash && !graph!.nodes.has(key)) {
    // Replaced by a squash in effect: a new database runs the squash instead, and one that applied it already ran this.
    return `Not a risk here: ${squash} replaces this migration: a database that applied none of the migrations it replaces runs the squash instead, and one that applied them all is past this one (with the database read, a partly applied squash is judged as it stands).`;
  }
  // A squash whose `replaces` is gone (the transition's last step): Django recorded it as applied
  // wherever the migrations it replaced had run, so it runs only on a new database.
  if (!m.replaces.length && /^\d+_.*_squashed_\d+/.test(m.name)) {
    return (
      'Not a risk here: this squashed migration no longer lists what it replaced; every database that had applied those has it ' +
      'recorded as applied too (Django records a squash once all it replaces are applied), so it runs only on a new, empty database.'
    );
  }
  if (!m.replaces.length) return undefined;
  return (
    `Not a risk here: this squashed migration replaces ${m.replaces.length} migration${m.replaces.length === 1 ? '' : 's'} and runs only on a ` +
    'database that has applied none of them (a new, empty one); databases that have them skip it.'
  );
}

const sizeProbeId = (table: string): string => `size:${table}`;

/** A project as its files list it, before they are parsed: the tree's first rows. */
export interface ListedProject {
  root: string;
  hasManagePy: boolean;
  apps: Array<{ label: string; migrations: Array<{ name: string; path: string; classLine: number }> }>;
}
