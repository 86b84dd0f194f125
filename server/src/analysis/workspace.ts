// All migration files of a workspace, their projects and graphs, and the findings of every rule.
// Edits are incremental: a file is re-parsed alone; its project's graph is rebuilt only when the
// file's place in the graph (name, dependencies, replaces, run_before) changed.
import * as path from 'path';
import type { Edit, Tree } from 'web-tree-sitter';
import { parse } from './parser';
import { extractMigration } from './extract';
import { buildGraph, ProjectGraph } from './graph';
import { ProjectState } from './state';
import { appliedKeys, History, mergeHistory } from './history';
import { derivedFindings, probeSpecs } from './probes';
import type { AppliedRow, ProbeResult, ProbeSpec } from '../protocol';
import { MigrationFile, migrationKey } from './model';

/** Above this many characters a file's operations are not analyzed (see load). */
export const MAX_ANALYZED_CHARS = 3 * 1048576;
import { isSuppressed } from './suppressions';
import {
  appLabelFromAppsPy,
  FileSystemLike,
  isIgnoredPath,
  nodeFileSystem,
  parseMigrationPath,
  projectRootFor,
  scan,
} from './discovery';
import { RULES, RULES_BY_CODE } from '../rules/registry';
import type { Finding, Rule, RuleContext } from '../rules/types';

interface Entry {
  path: string;
  text: string;
  model: MigrationFile;
  appDir: string;
  project: string;
  signature: string;
  /** Kept only while the file is open in an editor, for incremental re-parsing. */
  tree?: Tree;
  fileFindings: Finding[];
  projectFindings: Finding[];
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
  private appLabels = new Map<string, string>();
  private applied = new Map<string, readonly AppliedRow[]>();
  private histories = new Map<string, History>();
  private probeResults = new Map<string, ReadonlyMap<string, ProbeResult>>();
  private rules: readonly Rule[] = RULES;

  constructor(
    private roots: string[],
    private readonly fsl: FileSystemLike = nodeFileSystem,
  ) {}

  /** Reads every migration file under the roots from disk. Returns the paths analyzed. */
  scanAll(): string[] {
    const found = scan(this.roots, this.fsl);
    this.manageDirs = new Set(found.manageDirs);
    this.appLabels = new Map();
    for (const f of found.appsFiles) {
      const label = appLabelFromAppsPy(this.fsl.readFile(f) ?? '');
      if (label) this.appLabels.set(path.dirname(f), label);
    }
    for (const e of this.entries.values()) e.tree?.delete();
    this.entries.clear();
    for (const file of found.migrationFiles) {
      const text = this.fsl.readFile(file);
      if (text !== undefined) this.load(file, text, {});
    }
    this.rebuildAllProjects();
    return [...this.entries.keys()];
  }

  setRoots(roots: string[]): string[] {
    const before = [...this.entries.keys()];
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
    if (!parseMigrationPath(file)) return [];
    const existing = this.entries.get(file);
    const entry = this.load(file, text, opts);
    if (!existing || existing.signature !== entry.signature || existing.project !== entry.project) {
      const projects = new Set([entry.project, existing?.project].filter((p): p is string => !!p));
      return [...projects].flatMap((p) => this.rebuildProject(p));
    }
    return this.refreshWithinProject(entry, existing.model);
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
      if (base === 'manage.py' || base === 'apps.py' || (text === undefined && !this.entries.has(file))) {
        out.push(...(text === undefined ? this.remove(file) : this.update(file, text)));
        continue;
      }
      if (text === undefined) {
        this.entries.get(file)!.tree?.delete();
        this.entries.delete(file);
        out.push(file);
        projects.add(this.projectOf(file));
        continue;
      }
      if (!parseMigrationPath(file)) continue;
      const existing = this.entries.get(file);
      const entry = this.load(file, text, {});
      for (const p of [existing?.project, entry.project]) if (p) projects.add(p);
    }
    for (const p of projects) out.push(...this.rebuildProject(p));
    return [...new Set(out)];
  }

  /** A file was deleted (or is no longer in the workspace). */
  remove(file: string): string[] {
    const base = path.basename(file);
    if (base === 'manage.py' || base === 'apps.py') return this.structureChanged(file, undefined);
    const removed: string[] = [];
    for (const [p, e] of this.entries) {
      if (p === file || p.startsWith(file + path.sep)) {
        e.tree?.delete();
        this.entries.delete(p);
        removed.push(p);
      }
    }
    if (!removed.length) return [];
    const projects = new Set(removed.map((p) => this.projectOf(p)));
    return [...removed, ...[...projects].flatMap((p) => this.rebuildProject(p))];
  }

  /** Drops the kept syntax tree of a file closed in the editor. */
  release(file: string): void {
    const e = this.entries.get(file);
    e?.tree?.delete();
    if (e) e.tree = undefined;
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
    return [...this.entries.values()].filter((e) => e.project === projectRoot).map((e) => e.path);
  }

  /** The probes worth running for the project's pending migrations (none until the history is known). */
  probeSpecs(projectRoot: string): ProbeSpec[] {
    const out: ProbeSpec[] = [];
    for (const e of this.entries.values()) {
      if (e.project === projectRoot && this.isPending(e.path)) out.push(...probeSpecs(this.keyOf(e), this.findings(e.path)));
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
    const e = this.entries.get(file);
    if (!e) return [];
    const kept = (f: Finding) => !isSuppressed(e.model, f.code, f.range.start.line) && !isSuppressed(e.model, f.code, f.range.end.line);
    const own = [...e.fileFindings, ...e.projectFindings].filter(kept);
    const results = this.probeResults.get(e.project);
    const live = results && this.isPending(file) ? derivedFindings(this.keyOf(e), own, results, this.rules).filter(kept) : [];
    const moot = mootReason(e.model);
    return [...own, ...live]
      .map((f) => (moot && RULES_BY_CODE.get(f.code)?.risk && f.code !== 'ML301' && f.code !== 'ML302' ? { ...f, moot, message: `${f.message}\n\n${moot}` } : f))
      .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code));
  }

  has(file: string): boolean {
    return this.entries.has(file);
  }

  paths(): string[] {
    return [...this.entries.keys()];
  }

  model(file: string): MigrationFile | undefined {
    return this.entries.get(file)?.model;
  }

  /** The rule context of a file, for quick fixes. */
  context(file: string): RuleContext | undefined {
    const e = this.entries.get(file);
    return e && this.graphs.get(e.project) ? this.contextOf(e, 'project') : undefined;
  }

  private contextOf(e: Entry, scope: Rule['scope']): RuleContext {
    return {
      file: e.model,
      text: e.text,
      graph: this.graphs.get(e.project) ?? EMPTY_GRAPH,
      key: migrationKey(e.model.app, e.model.name),
      state: scope === 'project' ? this.states.get(e.project) : undefined,
      textOf: scope === 'project' ? (p: string) => this.entries.get(p)?.text : undefined,
      history: scope === 'project' ? this.histories.get(e.project) : undefined,
    };
  }

  /** Whether the database of the file's project has the migration applied (false when unknown). */
  isApplied(file: string): boolean {
    const e = this.entries.get(file);
    return !!e && !!this.histories.get(e.project)?.appliedKeys.has(this.keyOf(e));
  }

  /** Whether the database is known and has not applied the migration. */
  isPending(file: string): boolean {
    const e = this.entries.get(file);
    const h = e && this.histories.get(e.project);
    return !!h && !h.appliedKeys.has(this.keyOf(e!));
  }

  private keyOf(e: Entry): string {
    return migrationKey(e.model.app, e.model.name);
  }

  /** The replayed state of the file's project. */
  stateOf(file: string): ProjectState | undefined {
    const e = this.entries.get(file);
    return e && this.states.get(e.project);
  }

  /** The text analyzed for a file (the editor's, while it is open). */
  textOf(file: string): string | undefined {
    return this.entries.get(file)?.text;
  }

  graphOf(file: string): ProjectGraph | undefined {
    const e = this.entries.get(file);
    return e && this.graphs.get(e.project);
  }

  projects(): ProjectGraph[] {
    return [...this.graphs.values()].sort((a, b) => a.root.localeCompare(b.root));
  }

  private load(file: string, text: string, opts: UpdateOptions): Entry {
    const existing = this.entries.get(file);
    const where = parseMigrationPath(file)!;
    // A huge file (generated, or pasted by mistake) is read up to its operations list: its place in
    // the graph is known, its operations are not analyzed, and one keystroke stays cheap.
    const huge = text.length > MAX_ANALYZED_CHARS;
    const source = huge ? text.slice(0, /^[ \t]*operations\s*=/m.exec(text)?.index ?? MAX_ANALYZED_CHARS) : text;
    let tree: Tree;
    if (existing?.tree && opts.edits?.length && !huge && existing.text.length <= MAX_ANALYZED_CHARS) {
      for (const e of opts.edits) existing.tree.edit(e);
      tree = parse(text, existing.tree);
    } else {
      tree = parse(source);
    }
    existing?.tree?.delete();
    const app = this.appLabels.get(where.appDir) ?? path.basename(where.appDir);
    const model = extractMigration(tree, source, file, app, where.name);
    if (huge) {
      model.size = text.length;
      model.syntaxErrors = [];
      model.unresolved.push({
        range: model.classRange,
        message: `the file is ${(text.length / 1048576).toFixed(1)} MB; its operations are not analyzed above ${MAX_ANALYZED_CHARS / 1048576} MB (its dependencies are).`,
      });
    }
    if (!opts.keepTree) tree.delete();
    const entry: Entry = {
      path: file,
      text,
      model,
      appDir: where.appDir,
      project: projectRootFor(where.appDir, this.manageDirs, this.roots),
      signature: signatureOf(model),
      tree: opts.keepTree ? tree : undefined,
      fileFindings: [],
      projectFindings: existing?.projectFindings ?? [],
    };
    this.entries.set(file, entry);
    entry.fileFindings = this.runRules(entry, 'file');
    return entry;
  }

  private projectOf(file: string): string {
    const where = parseMigrationPath(file);
    return where ? projectRootFor(where.appDir, this.manageDirs, this.roots) : path.dirname(file);
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
    for (const e of this.entries.values()) {
      e.project = projectRootFor(e.appDir, this.manageDirs, this.roots);
      const app = this.appLabels.get(e.appDir) ?? path.basename(e.appDir);
      if (app !== e.model.app) {
        e.model.app = app;
        e.signature = signatureOf(e.model);
      }
    }
    return this.rebuildAllProjects();
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

  /** Rebuilds one project's graph and re-runs the project rules on all its files. */
  private rebuildProject(root: string): string[] {
    const members = [...this.entries.values()].filter((e) => e.project === root);
    if (!members.length) {
      this.graphs.delete(root);
      this.states.delete(root);
      this.histories.delete(root);
      return [];
    }
    const rows = this.applied.get(root);
    const graph = buildGraph(root, members.map((e) => e.model), { applied: rows && appliedKeys(rows) });
    this.graphs.set(root, graph);
    if (rows) this.histories.set(root, mergeHistory(graph, rows));
    else this.histories.delete(root);
    this.states.set(root, new ProjectState(graph));
    for (const e of members) e.projectFindings = this.runRules(e, 'project');
    return members.map((e) => e.path);
  }

  /**
   * The file's place in the graph is unchanged: swap its model into the graph, replay the state
   * from this migration on, and re-run the project rules where a verdict may change: this file,
   * the migrations after it in its app (their state changed), the one before it (rules pair
   * neighbouring migrations) and files whose findings point into this one. Returns the edited file
   * and the files whose findings changed.
   */
  private refreshWithinProject(entry: Entry, previous: MigrationFile): string[] {
    const graph = this.graphs.get(entry.project);
    const state = this.states.get(entry.project);
    if (!graph || !state) return this.rebuildProject(entry.project);
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
      if (e === entry || e.project !== entry.project) continue;
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
function mootReason(m: MigrationFile): string | undefined {
  if (!m.replaces.length) return undefined;
  return (
    `Not a risk here: this squashed migration replaces ${m.replaces.length} migration${m.replaces.length === 1 ? '' : 's'} and runs only on a ` +
    'database that has applied none of them (a new, empty one); databases that have them skip it.'
  );
}
