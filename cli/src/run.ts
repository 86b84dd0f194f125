// The engine behind `migration-lens check`: analyze the projects holding the given paths, and
// report the files asked for (all of them, or those changed since a git ref).
import { ASSUMED, Engine, FIRST_RELEASE, LoadedConfig, ProjectConfig, RULES_BY_CODE, Workspace, baselineRepo, describeImpact, findConfig, initParser, loadConfig, migrationModuleName, saidQuietly, type Finding, type Risk, type Severity } from '../../server/src/engine';
import * as fs from 'fs';
import * as path from 'path';
import type { ProjectDatabaseLike } from './database';
import { GitError, readBaselines } from '../../core/src/git/git-baseline';

export class UsageError extends Error {}

export interface CheckedFinding extends Finding {
  severity: Severity;
  risk?: Risk;
}

export interface CheckedFile {
  path: string;
  migration: string;
  findings: CheckedFinding[];
  /** What each schema operation does to the existing tables on the engine (judged for `engine`). */
  impact: CheckedImpact[];
  /** The risk level from which a finding of this file fails the check (the flag, else its configuration). */
  failOn: FailOn;
}

export interface CheckedImpact {
  /** Index in the migration's operations list. */
  operation: number;
  engine: Engine['name'];
  /** null: unknown (SQLite is judged without one). */
  version: string | null;
  /** The engine was not given nor read: the judgement assumes it. */
  assumed: boolean;
  table: string;
  lock: string | null;
  algorithm: string | null;
  rebuild: boolean;
  rewrite: boolean;
  scan: boolean;
  blocks: string[];
  /** The table's size; null until read from a database. */
  rows: number | null;
  bytes: number | null;
  description: string;
}

export interface CheckOptions {
  /** Report only these files (absolute paths); the others still feed the graph and the state. */
  only?: (file: string) => boolean;
  /**
   * Read each project's database (resolved from DB_* / .env, else SQLite at _data/db.sqlite3):
   * drift (ML605), live counts for pending migrations (ML601–ML604), and risk in applied
   * migrations reported as history (hints that never fail the check).
   */
  database?: { open(projectRoot: string): Promise<ProjectDatabaseLike>; log(line: string): void };
  /** The engine a project's settings name statically, for projects with none given or configured. */
  declaredEngine?(projectRoot: string): { engine: Engine; file: string } | undefined;
  /**
   * Compare with a git ref (undefined: the upstream's default branch, else main/master): risk in
   * migrations unchanged at the merge base is history, as in the editor without a database.
   */
  baseline?: { ref?: string; log(line: string): void };
  /** Read git's release tags without a baseline (the baseline reads them too). */
  releases?: { log(line: string): void };
  /** The engine (and version) the impact of schema operations is judged for; default PostgreSQL, assumed. */
  engine?: Engine;
  /** Rows from which a table is big (ML701). */
  bigTableRows?: number;
  /** `--fail-on`; undefined: the configuration's `fail-on`, else `error`. */
  failOn?: FailOn;
  /** `--config <file>`: this configuration for every project instead of the one each project finds. */
  config?: string;
  /** Where configuration problems are said (file:line: message). */
  log?(line: string): void;
}

/** Folder holding manage.py above the migration `file`, else the folder above its app. */
function rootForFile(file: string): string {
  const appDir = path.dirname(path.dirname(file));
  for (let d = appDir; ;) {
    if (fs.existsSync(path.join(d, 'manage.py'))) return d;
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  return path.dirname(appDir);
}

const NOT_A_MIGRATION = "not a migration file (a module defining a Migration class in an app's migrations package, <app>/migrations/<name>.py, or in a package MIGRATION_MODULES names)";

export async function check(paths: string[], opts: CheckOptions = {}): Promise<CheckedFile[]> {
  await initParser();
  const roots = new Set<string>();
  const dirs: string[] = [];
  const files = new Map<string, string>();
  for (const p of paths.length ? paths : ['.']) {
    const abs = path.resolve(p);
    if (!fs.existsSync(abs)) throw new UsageError(`${p}: no such file or folder`);
    if (fs.statSync(abs).isDirectory()) {
      roots.add(abs);
      dirs.push(abs);
    } else {
      if (!migrationModuleName(abs)) throw new UsageError(`${p}: ${NOT_A_MIGRATION}`);
      roots.add(rootForFile(abs));
      files.set(abs, p);
    }
  }
  // A folder inside another given folder is already covered by it.
  const list = [...roots].filter((r) => ![...roots].some((o) => o !== r && r.startsWith(o + path.sep)));
  const ws = new Workspace(list);
  // Set before the scan, so that the rules judge once: --engine, else what the settings name (as
  // the editor does before it reads the database).
  if (opts.engine) ws.setEngine(undefined, opts.engine, '--engine');
  else if (opts.declaredEngine) {
    const declared = opts.declaredEngine;
    ws.setDeclaredEngines((root) => {
      const d = declared(root);
      return d && { engine: d.engine, source: `named in ${d.file}` };
    });
  }
  ws.scanAll();
  // Only the scan knows: a module of a MIGRATION_MODULES package, a test package that is not one.
  for (const [abs, p] of files) if (!ws.has(abs)) throw new UsageError(`${p}: ${NOT_A_MIGRATION}`);
  // Each project's configuration (pyproject.toml's [tool.migration-lens], .migration-lens.toml, or
  // --config); the command line wins over it.
  const configs = projectConfigs(ws, opts);
  const projectRoots = ws
    .projects()
    .map((g) => g.root)
    .sort((a, b) => b.length - a.length);
  const configOf = (file: string) => configs.get(projectRoots.find((r) => file.startsWith(r + path.sep)) ?? '');
  const first = <T>(pick: (c: ProjectConfig) => T | undefined): T | undefined => [...configs.values()].map((c) => c && pick(c.config)).find((v) => v !== undefined);
  for (const [root, c] of configs) if (c?.config.engine) ws.setEngine(root, c.config.engine, path.relative(root, c.file) || c.file);
  const bigTableRows = opts.bigTableRows ?? first((c) => c.bigTableRows);
  if (bigTableRows) ws.setImpactOptions({ bigTableRows });
  const log = opts.log ?? (() => undefined);
  const configured = first((c) => c.baseline);
  const baseline = opts.baseline ?? (configured && configured !== 'none' ? { ref: configured === 'auto' ? undefined : configured, log } : undefined);
  const releases = opts.releases ?? (first((c) => c.releases) ? { log } : undefined);
  if (baseline) await readBaseline(ws, baseline);
  else if (releases) await readReleaseTags(ws, releases);
  if (opts.database) await readDatabases(ws, opts.database);
  return ws
    .paths()
    .filter((p) => files.has(p) || dirs.some((d) => p.startsWith(d + path.sep)))
    .filter((p) => !opts.only || opts.only(p))
    .filter((p) => files.has(p) || !configOf(p)?.excludes(p))
    .sort()
    .map((p) => {
      const m = ws.model(p)!;
      const { engine, assumed } = ws.engineOf(p);
      const config = configOf(p)?.config;
      return {
        path: p,
        migration: `${m.app}.${m.name}`,
        failOn: opts.failOn ?? config?.failOn ?? 'error',
        impact: ws.impacts(p).flatMap(({ operation, impacts }) =>
          impacts.map((i) => ({
            operation,
            engine: engine.name,
            version: engine.version ?? (ASSUMED[engine.name] || null),
            assumed,
            table: i.table,
            lock: i.lock ?? null,
            algorithm: i.algorithm ?? null,
            rebuild: !!i.rebuild,
            rewrite: !!i.rewrite,
            scan: !!i.scan,
            blocks: i.blocks,
            rows: i.rows ?? null,
            bytes: i.bytes ?? null,
            description: describeImpact(engine, i),
          })),
        ),
        findings: ws
          .findings(p)
          .filter((f) => config?.rules[f.code] !== 'off')
          .map((f) => {
            const rule = RULES_BY_CODE.get(f.code);
            const set = config?.rules[f.code] as Severity | undefined;
            const severity = set ?? rule?.defaultSeverity ?? 'information';
            // History (applied, or unchanged on the base branch): hints that never fail; errors stay.
            if (severity !== 'error' && ws.isHistory(p)) return { ...f, severity: 'hint' as const };
            if (saidQuietly(f)) return { ...f, severity: severity === 'hint' ? severity : ('information' as const) };
            // A risk the project turned down to information or a hint no longer fails the check.
            return { ...f, severity, risk: set === 'information' || set === 'hint' ? undefined : rule?.risk };
          }),
      };
    });
}

async function readBaseline(ws: Workspace, baseline: NonNullable<CheckOptions['baseline']>): Promise<void> {
  let repos;
  try {
    repos = await readBaselines(ws.paths(), { ref: baseline.ref, timeoutMs: 60_000 });
  } catch (e) {
    if (e instanceof GitError) throw new UsageError(`--baseline: ${e.message}`);
    throw e;
  }
  if (!repos.length) throw new UsageError(`--baseline: no git repository with ${baseline.ref ?? 'a base branch (origin/HEAD, main or master)'} holds these migrations`);
  ws.setBaseline(repos.map(baselineRepo));
  for (const r of repos) {
    const here = ws.paths().filter((p) => p.startsWith(r.root + path.sep));
    const unchanged = here.filter((p) => ws.baselineOf(p) === 'unchanged').length;
    baseline.log(`${r.root}: ${unchanged} of ${here.length} migrations unchanged since ${r.ref} (history); ${here.length - unchanged} new or modified`);
  }
}

/** Only which release tag shipped each migration (`--releases`): nothing becomes history. */
async function readReleaseTags(ws: Workspace, releases: NonNullable<CheckOptions['releases']>): Promise<void> {
  const repos = await readBaselines(ws.paths(), { releasesOnly: true, timeoutMs: 60_000 }).catch((e) => {
    if (e instanceof GitError) throw new UsageError(`--releases: ${e.message}`);
    throw e;
  });
  // A repository without version tags says nothing: every migration stays of unknown release.
  ws.setBaseline(repos.filter((r) => r.releases).map(baselineRepo));
  for (const r of repos) {
    const values = Object.values(r.releases ?? {});
    const first = values.filter((v) => v.startsWith(FIRST_RELEASE)).length;
    const tagged = values.filter(Boolean).length - first;
    releases.log(
      r.releases
        ? first
          ? `${r.root}: ${first} migrations shipped in the oldest tag (numbered as a first release), ${tagged} in later release tags, the others in none yet`
          : `${r.root}: ${tagged} migrations shipped in a release tag after the first, the others before it (release unknown) or in none yet`
        : `${r.root}: no version tags (or a shallow clone); releases unknown`,
    );
  }
  if (!repos.length) releases.log('--releases: these migrations are in no git repository; releases unknown');
}

async function readDatabases(ws: Workspace, database: NonNullable<CheckOptions['database']>): Promise<void> {
  for (const g of ws.projects()) {
    if (!fs.existsSync(path.join(g.root, 'manage.py'))) continue;
    const db = await database.open(g.root);
    try {
      const report = await db.readApplied({ projectRoot: g.root, env: process.env });
      if (!report.rows) {
        database.log(`${g.root}: ${report.problem?.message ?? 'database not read'}`);
        continue;
      }
      ws.setApplied(g.root, report.rows);
      if (report.engine) ws.setEngine(g.root, report.engine, 'read from the database');
      const specs = ws.probeSpecs(g.root);
      const results = await db.probe(specs);
      ws.setProbeResults(g.root, results);
      const failed = results.filter((r) => r.error);
      database.log(
        `${g.root}: ${report.rows.length} applied rows from ${report.description}; ${results.length - failed.length} of ${specs.length} probes counted` +
          (failed.length ? ` (${failed[0].error})` : ''),
      );
    } finally {
      await db.close();
    }
  }
}

export type FailOn = 'error' | 'high' | 'medium' | 'low';
const RISK_RANK: Record<Risk, number> = { high: 3, medium: 2, low: 1 };

/** Whether a finding fails the check: errors always; risks at or above the `--fail-on` level. */
export function fails(f: CheckedFinding, failOn: FailOn): boolean {
  if (f.severity === 'error') return true;
  if (failOn === 'error' || !f.risk) return false;
  return RISK_RANK[f.risk] >= RISK_RANK[failOn];
}

/** The configuration of each project of the workspace; its problems are said once per file. */
function projectConfigs(ws: Workspace, opts: CheckOptions): Map<string, LoadedConfig | undefined> {
  const out = new Map<string, LoadedConfig | undefined>();
  let given: LoadedConfig | undefined;
  if (opts.config) {
    if (!fs.existsSync(opts.config)) throw new UsageError(`--config: ${opts.config}: no such file`);
    given = loadConfig(path.resolve(opts.config));
    if (!given) throw new UsageError(`--config: ${opts.config} has no [tool.migration-lens] table`);
  }
  const said = new Set<string>();
  for (const g of ws.projects()) {
    const c = given ?? findConfig(g.root);
    out.set(g.root, c);
    if (!c || said.has(c.file)) continue;
    said.add(c.file);
    for (const p of c.problems) opts.log?.(`${path.relative(process.cwd(), c.file) || c.file}:${p.line + 1}: ${p.message}`);
  }
  return out;
}
