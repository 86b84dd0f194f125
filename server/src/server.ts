// LSP wiring: documents in, diagnostics, symbols, definitions and quick fixes out.
import {
  CodeAction,
  CodeActionKind,
  CompletionItem,
  CompletionItemKind,
  CreateFile,
  createConnection,
  Diagnostic,
  DiagnosticSeverity,
  DidChangeConfigurationNotification,
  DocumentSymbol,
  FileChangeType,
  InitializeResult,
  Location,
  ProposedFeatures,
  SymbolKind,
  TextDocumentEdit,
  TextDocumentSyncKind,
  WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import * as fs from 'fs';
import * as path from 'path';
import type { Edit } from 'web-tree-sitter';
import { initParser } from './analysis/parser';
import { ListedProject, Workspace } from './analysis/workspace';
import { baselineRepo } from './analysis/baseline';
import { parseEngine } from './analysis/impact';
import { CONFIG_FILES, findConfig, LoadedConfig, RuleSetting } from './analysis/config';
import { BIG_TABLE_ROWS } from './rules/ml701-blocking-big-table';
import { Operation, Position, Range } from './analysis/model';
import { describeOperation } from './analysis/describe';
import { RULES, RULES_BY_CODE } from './rules/registry';
import { saidQuietly } from './rules/levels';
import type { CodeFix, Finding, Severity } from './rules/types';
import { ignoreFixes } from './rules/ignore-fixes';
import {
  AppliedNotification,
  BaselineChangedNotification,
  BaselineRequest,
  DiagnosticData,
  InitializationOptions,
  ProbeResultsNotification,
  ProbesRequest,
  ProjectsChangedNotification,
  ProjectsRequest,
  BaselineResult,
  ServerSettings,
  StatusNotification,
} from './protocol';
import { listedSummary, summarizeProjects } from './analysis/summary';
import { contains, hoverAt } from './features/hover';
import { completeDependency, links, referencesTo, targetOf } from './features/dependencies';

const connection = createConnection(ProposedFeatures.all);
const documents = new Map<string, TextDocument>();
let workspace: Workspace | undefined;
/** Each workspace folder's `migrationLens.rules` (resource scope): code -> severity or `off`. */
let folderRules = new Map<string, Record<string, RuleSetting>>();
/** Each project's configuration file ([tool.migration-lens] / .migration-lens.toml), by project root. */
let projectConfigs = new Map<string, LoadedConfig | undefined>();
/** Configuration files whose problems are published as diagnostics. */
const configProblems = new Set<string>();
let appliedRisk: NonNullable<ServerSettings['appliedRisk']> = 'hint';
let configurationSupport = false;
let folderSupport = false;
let createFileSupport = false;
let baselineSupport = false;
/** The rule pages' folder (a URI), when the client ships them. */
let docsBase: string | undefined;
const published = new Map<string, string>();

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

const toPath = (uri: string) => URI.parse(uri).fsPath;
const toUri = (p: string) => URI.file(p).toString();

// The server must outlive any bug in a rule or the parser: log it and keep serving.
process.on('unhandledRejection', (e) => connection.console.error(`Migration Lens: ${(e as Error)?.stack ?? e}`));
process.on('uncaughtException', (e) => connection.console.error(`Migration Lens: ${e.stack ?? e}`));

let roots: string[] = [];
let resolveReady!: () => void;
/** Every file analyzed: features wait for this. */
const ready = new Promise<void>((r) => (resolveReady = r));
/** The files are listed (names, before parsing): the projects request waits only for this. */
let resolveListed!: () => void;
const listed = new Promise<void>((r) => (resolveListed = r));
let listedProjects: ListedProject[] = [];
/** Every file parsed and placed in its graph: the projects request answers from the graphs. */
let parsedDone = false;
/** Lets requests and notifications through between chunks of the first analysis. */
const yieldToRequests = () => new Promise<void>((r) => setImmediate(r));

connection.onInitialize((params): InitializeResult => {
  roots = (params.workspaceFolders ?? []).map((f) => toPath(f.uri));
  if (!roots.length && params.rootUri) roots = [toPath(params.rootUri)];
  configurationSupport = !!params.capabilities.workspace?.configuration;
  const editCaps = params.capabilities.workspace?.workspaceEdit;
  createFileSupport = !!editCaps?.documentChanges && !!editCaps.resourceOperations?.includes('create');
  folderSupport = !!params.capabilities.workspace?.workspaceFolders;
  baselineSupport = !!(params.initializationOptions as InitializationOptions | undefined)?.baseline;
  docsBase = (params.initializationOptions as InitializationOptions | undefined)?.docs?.replace(/\/$/, '');
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      documentSymbolProvider: true,
      definitionProvider: true,
      hoverProvider: true,
      referencesProvider: true,
      documentLinkProvider: { resolveProvider: false },
      completionProvider: { triggerCharacters: ['"', "'"] },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'migration-lens', version: '0.1.0' },
  };
});

connection.onInitialized(async () => {
  // The parser's WebAssembly compiles while the client answers the settings request.
  const parser = initParser();
  workspace = new Workspace(roots);
  if (configurationSupport) {
    void connection.client.register(DidChangeConfigurationNotification.type, { section: 'migrationLens' });
    await loadSettings();
  }
  await parser;
  // First the files (the tree can show them), then the baseline, then the rules a chunk at a time.
  const t0 = Date.now();
  // The file names first (the tree's first rows), then the parse, answering requests meanwhile.
  // The baseline is asked for as soon as the files are listed: git runs in the client while the
  // server parses.
  let early: EarlyBaseline | undefined;
  await workspace.scanFilesGradually(new Map([...documents.values()].map((d) => [toPath(d.uri), d.getText()])), yieldToRequests, (projects) => {
    listedProjects = projects;
    resolveListed();
    early = requestBaselineEarly(projects.flatMap((p) => p.apps.flatMap((a) => a.migrations.map((m) => m.path))));
    const count = projects.reduce((n, p) => n + p.apps.reduce((m, a) => m + a.migrations.length, 0), 0);
    void connection.sendNotification(StatusNotification, { state: 'analyzing', files: count });
  });
  const files = workspace.paths().length;
  const t1 = Date.now();
  parsedDone = true;
  listedProjects = [];
  void connection.sendNotification(StatusNotification, { state: 'analyzing', files });
  // The baseline comes before the first diagnostics: history must not flash as new work.
  await loadBaseline(early);
  const t2 = Date.now();
  await workspace.analyzeAll(yieldToRequests);
  // The projects are known now: each finds its configuration file.
  loadProjectConfigs();
  resolveReady();
  publish(workspace.paths());
  void connection.sendNotification(StatusNotification, { state: 'ready', files: workspace.paths().length });
  connection.console.info(`Migration Lens: ${files} migration files read in ${t1 - t0} ms, the baseline in ${t2 - t1} ms, every rule in ${Date.now() - t2} ms`);
  if (folderSupport) {
    connection.workspace.onDidChangeWorkspaceFolders(async (e) => {
      await ready;
      const removed = new Set(e.removed.map((f) => toPath(f.uri)));
      roots = [...roots.filter((r) => !removed.has(r)), ...e.added.map((f) => toPath(f.uri))];
      const before = new Set(workspace!.paths());
      const changed = workspace!.setRoots(roots);
      await loadSettings();
      publish([...changed, ...workspace!.paths()]);
      projectsChanged();
      for (const p of before) if (!workspace!.has(p)) clear(p);
    });
  }
});

/** Git can hang on a network file system; the analysis does not wait for it longer than this. */
const BASELINE_TIMEOUT_MS = 5000;

/** A baseline request sent before the parse ended, with the paths it asked about. */
interface EarlyBaseline {
  paths: ReadonlySet<string>;
  result: Promise<BaselineResult>;
}

function requestBaselineEarly(paths: string[]): EarlyBaseline | undefined {
  if (!baselineSupport || !paths.length) return undefined;
  const result = connection.sendRequest(BaselineRequest, { paths });
  result.catch(() => undefined); // awaited (or dropped) by loadBaseline
  return { paths: new Set(paths), result };
}

/**
 * Asks the client for the base branch's blobs of every migration (or takes the answer to `early`
 * when it asked about every file the parse found); returns the paths to republish.
 */
let baselineSeq = 0;
async function loadBaseline(early?: EarlyBaseline): Promise<string[]> {
  if (!baselineSupport || !workspace) return [];
  // A newer request (HEAD moved again) wins over one still in flight.
  const seq = ++baselineSeq;
  let timer: NodeJS.Timeout | undefined;
  const paths = workspace.paths();
  const covered = early && paths.every((p) => early.paths.has(p));
  try {
    const result = await Promise.race([
      covered ? early.result : connection.sendRequest(BaselineRequest, { paths }),
      new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), BASELINE_TIMEOUT_MS))),
    ]);
    if (result === 'timeout') {
      connection.console.warn(`Migration Lens: git did not answer within ${BASELINE_TIMEOUT_MS / 1000} s; every migration counts as new until it does.`);
      return [];
    }
    if (seq !== baselineSeq) return [];
    const repos = result?.repos.map(baselineRepo);
    return workspace.setBaseline(repos?.length ? repos : undefined);
  } catch (e) {
    if (seq !== baselineSeq) return [];
    connection.console.warn(`Migration Lens: no baseline (${(e as Error).message ?? e}); every migration counts as new.`);
    return workspace.setBaseline(undefined);
  } finally {
    clearTimeout(timer);
  }
}

let baselineTimer: NodeJS.Timeout | undefined;
/** Re-reads the baseline soon: a checkout moves HEAD and many files at once; one request covers them. */
function baselineSoon(): void {
  if (!baselineSupport) return;
  clearTimeout(baselineTimer);
  baselineTimer = setTimeout(
    () =>
      void loadBaseline().then((paths) => {
        publish(paths);
        if (paths.length) projectsChanged();
      }),
    300,
  );
}

connection.onNotification(BaselineChangedNotification, async () => {
  await ready;
  baselineSoon();
});

async function loadSettings(): Promise<void> {
  let settings: ServerSettings = {};
  try {
    settings = ((await connection.workspace.getConfiguration('migrationLens')) as ServerSettings) ?? {};
  } catch {
    // A client without configuration support keeps the defaults.
  }
  appliedRisk = settings.appliedRisk && ['hint', 'information', 'unchanged', 'off'].includes(settings.appliedRisk) ? settings.appliedRisk : 'hint';
  // Rules per workspace folder (the setting's resource scope): a folder's own value wins over the window's.
  const valid = (rules: ServerSettings['rules']) => Object.fromEntries(Object.entries(rules ?? {}).filter(([, s]) => s === 'off' || s in SEVERITY)) as Record<string, RuleSetting>;
  const rules: Array<[string, Record<string, RuleSetting>]> = [];
  for (const root of roots) {
    let scoped: ServerSettings | undefined;
    try {
      scoped = (await connection.workspace.getConfiguration({ scopeUri: toUri(root), section: 'migrationLens' })) as ServerSettings | undefined;
    } catch {
      scoped = undefined;
    }
    rules.push([root, valid(scoped?.rules ?? settings.rules)]);
  }
  folderRules = longestFirst(rules);
  // Every rule runs; `off` and severities are applied per file when publishing.
  workspace?.setRules(RULES);
  loadProjectConfigs();
  const engine = settings.engine?.trim() ? parseEngine(settings.engine) : undefined;
  if (settings.engine?.trim() && !engine)
    connection.console.warn(`Migration Lens: migrationLens.engine "${settings.engine}" is not postgresql, mysql, mariadb or sqlite[:version]; the database's engine is used.`);
  workspace?.setEngine(undefined, engine, 'the migrationLens.engine setting');
  const bigTableRows = settings.impact?.bigTableRows;
  workspace?.setImpactOptions({ bigTableRows: typeof bigTableRows === 'number' && bigTableRows > 0 ? bigTableRows : BIG_TABLE_ROWS });
}

connection.onDidChangeConfiguration(async () => {
  await ready;
  await loadSettings();
  published.clear();
  publish(workspace!.paths());
});

connection.onDidOpenTextDocument(async ({ textDocument: t }) => {
  const doc = TextDocument.create(t.uri, t.languageId, t.version, t.text);
  documents.set(t.uri, doc);
  await ready;
  publish(workspace!.update(toPath(t.uri), doc.getText(), { keepTree: true }));
});

connection.onDidChangeTextDocument(async ({ textDocument: t, contentChanges }) => {
  const doc = documents.get(t.uri);
  if (!doc) return;
  // Each change is relative to the text after the previous one; turn each into a tree-sitter edit.
  const edits: Edit[] = [];
  let incremental = true;
  let current = doc;
  for (const change of contentChanges) {
    if ('range' in change) {
      const startIndex = current.offsetAt(change.range.start);
      const oldEndIndex = current.offsetAt(change.range.end);
      const newEndIndex = startIndex + change.text.length;
      const next = TextDocument.update(current, [change], t.version);
      const startPosition = { row: change.range.start.line, column: change.range.start.character };
      const oldEndPosition = { row: change.range.end.line, column: change.range.end.character };
      const ne = next.positionAt(newEndIndex);
      edits.push({
        startIndex,
        oldEndIndex,
        newEndIndex,
        startPosition,
        oldEndPosition,
        newEndPosition: { row: ne.line, column: ne.character },
      } as Edit);
      current = next;
    } else {
      current = TextDocument.update(current, [change], t.version);
      incremental = false; // a full replacement: parse from scratch
    }
  }
  documents.set(t.uri, current);
  await ready;
  publish(workspace!.update(toPath(t.uri), current.getText(), { keepTree: true, edits: incremental ? edits : undefined }));
});

connection.onDidCloseTextDocument(async ({ textDocument: t }) => {
  documents.delete(t.uri);
  await ready;
  const p = toPath(t.uri);
  workspace!.release(p);
  // The editor may have held unsaved text: the file on disk is what counts again.
  let disk: string | undefined;
  try {
    disk = fs.readFileSync(p, 'utf8');
  } catch {
    disk = undefined;
  }
  publish(disk === undefined ? workspace!.remove(p) : workspace!.update(p, disk));
  if (!workspace!.has(p)) clear(p);
});

connection.onDidChangeWatchedFiles(async ({ changes: all }) => {
  await ready;
  const touched = new Set<string>();
  // A configuration file changed: every file is judged with it again.
  const isConfig = (uri: string) => (CONFIG_FILES as readonly string[]).includes(path.basename(toPath(uri)));
  if (all.some((c) => isConfig(c.uri))) {
    loadProjectConfigs();
    for (const p of workspace!.paths()) touched.add(p);
  }
  const changes = all.filter((c) => !isConfig(c.uri));
  // Files are read first and applied as one batch: a checkout of thousands of migrations rebuilds
  // each project once, not once per file.
  const batch: { file: string; text: string | undefined }[] = [];
  for (const c of changes) {
    const p = toPath(c.uri);
    if (documents.has(c.uri) && c.type !== FileChangeType.Deleted) continue; // the editor's text wins
    if (c.type === FileChangeType.Deleted) {
      batch.push({ file: p, text: undefined });
      continue;
    }
    let text: string | undefined;
    try {
      text = fs.statSync(p).isDirectory() ? undefined : fs.readFileSync(p, 'utf8');
    } catch {
      text = undefined;
    }
    if (text === undefined && fs.existsSync(p)) {
      // A new folder (e.g. a moved app): rescan everything, it is rare.
      for (const r of workspace!.setRoots(roots)) touched.add(r);
    } else batch.push({ file: p, text });
  }
  // One file: the incremental path (an edit that leaves the state alone replays only its migration).
  const known = new Set(workspace!.paths());
  const result = batch.length === 1 ? (batch[0].text === undefined ? workspace!.remove(batch[0].file) : workspace!.update(batch[0].file, batch[0].text)) : workspace!.updateMany(batch);
  for (const r of result) touched.add(r);
  // A migration the baseline was not asked about may exist on the base branch (a checkout, a pull).
  if (workspace!.paths().some((p) => !known.has(p))) baselineSoon();
  publish([...touched]);
  for (const p of touched) if (!workspace!.has(p)) clear(p);
  // A checkout moves states without always changing a diagnostic (typing does not: its diagnostics tell).
  if (touched.size) projectsChanged();
});

connection.onNotification(AppliedNotification, async (params) => {
  await ready;
  const rejudged = workspace!.setEngine(params.projectRoot, params.engine, params.engineSource ?? 'read from the database');
  publish([...new Set([...rejudged, ...workspace!.setApplied(params.projectRoot, params.applied ?? undefined)])]);
  projectsChanged();
});

connection.onRequest(ProbesRequest, async (params) => {
  await ready;
  return workspace!.probeSpecs(params.projectRoot);
});

connection.onNotification(ProbeResultsNotification, async (params) => {
  await ready;
  publish(workspace!.setProbeResults(params.projectRoot, params.results));
});

connection.onRequest(ProjectsRequest, async () => {
  await listed;
  // While the files are parsed: the projects as their file names list them.
  return parsedDone ? summarizeProjects(workspace!) : listedSummary(listedProjects);
});

/**
 * What the user set for a rule on a file: the folder's `migrationLens.rules` (the editor's own
 * word), else the project's configuration file; undefined: the rule's default.
 */
function ruleSetting(file: string, code: string): RuleSetting | undefined {
  return innermost(folderRules, file)?.[code] ?? configOf(file)?.config.rules[code];
}

function configOf(file: string): LoadedConfig | undefined {
  return innermost(projectConfigs, file);
}

/** The value of the innermost folder holding `file` (the maps are kept longest folder first). */
function innermost<T>(byFolder: ReadonlyMap<string, T>, file: string): T | undefined {
  for (const [folder, value] of byFolder) if (file.startsWith(folder + path.sep)) return value;
  return undefined;
}

const longestFirst = <T>(entries: Array<[string, T]>): Map<string, T> => new Map(entries.sort((a, b) => b[0].length - a[0].length));

/** Finds each project's configuration file again, publishes its problems, and applies its engine. */
function loadProjectConfigs(): void {
  if (!workspace) return;
  projectConfigs = longestFirst(workspace.projects().map((g): [string, LoadedConfig | undefined] => [g.root, findConfig(g.root)]));
  const files = new Map<string, LoadedConfig>();
  for (const [root, c] of projectConfigs) {
    if (c) files.set(c.file, c);
    workspace.setEngine(root, c?.config.engine, c ? path.relative(root, c.file) || c.file : '');
  }
  for (const f of configProblems) if (!files.has(f)) void connection.sendDiagnostics({ uri: toUri(f), diagnostics: [] });
  configProblems.clear();
  for (const c of files.values()) {
    configProblems.add(c.file);
    void connection.sendDiagnostics({
      uri: toUri(c.file),
      diagnostics: c.problems.map((p) => ({
        range: { start: { line: p.line, character: 0 }, end: { line: p.line, character: 1000 } },
        severity: DiagnosticSeverity.Warning,
        source: 'Migration Lens',
        message: p.message,
      })),
    });
  }
}

function toDiagnostic(f: Finding, history: boolean, file: string): Diagnostic {
  const rule = RULES_BY_CODE.get(f.code);
  const set = ruleSetting(file, f.code);
  let severity: Severity = set && set !== 'off' ? set : (rule?.defaultSeverity ?? 'information');
  // An applied migration (or one unchanged on the base branch) is history: say its findings
  // quietly. Errors stay: a broken graph or drift stops every migrate, old or new.
  if (history && quietInHistory(file, f.code) && appliedRisk !== 'unchanged' && appliedRisk !== 'off') severity = appliedRisk;
  if (saidQuietly(f) && (severity === 'error' || severity === 'warning')) severity = 'information';
  const data: DiagnosticData = { ...(f.data ?? {}), code: f.code, ...(f.help ? { help: f.help } : {}) };
  return {
    range: f.range,
    severity: SEVERITY[severity],
    code: f.code,
    ...(docsBase && rule ? { codeDescription: { href: `${docsBase}/${f.code}.md` } } : {}),
    source: 'Migration Lens',
    // The Problems panel shows plain text: code spans lose their backticks (the hover renders them,
    // with the safe way as a Python block; the data carries it apart for the client).
    message: plainText(f.message),
    relatedInformation: f.related?.map((r) => ({ location: { uri: toUri(r.path), range: r.range }, message: r.message })),
    data,
  };
}

/** Findings said quietly in history: all but the errors (graph errors, drift) and what the user made an error. */
function quietInHistory(file: string, code: string): boolean {
  const set = ruleSetting(file, code);
  return (set && set !== 'off' ? set : RULES_BY_CODE.get(code)?.defaultSeverity) !== 'error';
}

function plainText(message: string): string {
  return message.replace(/`([^`\n]+)`/g, '$1');
}

let changedTimer: NodeJS.Timeout | undefined;
/** Tells the client to read the projects again: states can change where no diagnostic does. */
function projectsChanged(): void {
  changedTimer ??= setTimeout(() => {
    changedTimer = undefined;
    void connection.sendNotification(ProjectsChangedNotification);
  }, 200);
}

function publish(paths: Iterable<string>): void {
  const all = new Set(paths);
  for (const p of all) {
    const history = workspace!.isHistory(p);
    // A file the project's configuration excludes is analyzed (the graph needs it), not reported.
    const excluded = configOf(p)?.excludes(p) ?? false;
    const diagnostics = excluded
      ? []
      : workspace!
          .findings(p)
          .filter((f) => ruleSetting(p, f.code) !== 'off' && !(history && appliedRisk === 'off' && quietInHistory(p, f.code)))
          .map((f) => toDiagnostic(f, history, p));
    const json = JSON.stringify(diagnostics);
    if (published.get(p) === json) continue;
    published.set(p, json);
    void connection.sendDiagnostics({ uri: toUri(p), diagnostics });
  }
}

function clear(p: string): void {
  if (!published.has(p)) return;
  published.delete(p);
  void connection.sendDiagnostics({ uri: toUri(p), diagnostics: [] });
}

connection.onCodeAction(async ({ textDocument, context }) => {
  await ready;
  const p = toPath(textDocument.uri);
  const ctx = workspace!.context(p);
  if (!ctx) return [];
  const actions: CodeAction[] = [];
  const findings = workspace!.findings(p);
  for (const d of context.diagnostics) {
    if (d.source !== 'Migration Lens') continue;
    const finding = findings.find((f) => f.code === d.code && sameRange(f.range, d.range));
    if (!finding) continue;
    const rule = RULES_BY_CODE.get(finding.code);
    const fixes: CodeFix[] = [...(rule?.fixes?.(finding, ctx) ?? []), ...ignoreFixes(finding, ctx.text)];
    for (const fix of fixes) {
      const action = toAction(fix, textDocument.uri, d);
      if (action) actions.push(action);
    }
  }
  return actions;
});

function toAction(fix: CodeFix, uri: string, diagnostic: Diagnostic): CodeAction | undefined {
  let edit: WorkspaceEdit | undefined;
  if (fix.newFiles?.length) {
    // New migration files: created, then filled, in one undoable workspace edit.
    if (!createFileSupport) return undefined;
    const version = (u: string) => documents.get(u)?.version ?? null;
    edit = {
      documentChanges: [
        ...(fix.edits?.length ? [TextDocumentEdit.create({ uri, version: version(uri) }, fix.edits)] : []),
        ...(fix.otherEdits ?? []).map((o) => TextDocumentEdit.create({ uri: toUri(o.path), version: version(toUri(o.path)) }, o.edits)),
        ...fix.newFiles.flatMap((n) => [
          CreateFile.create(toUri(n.path), { overwrite: false, ignoreIfExists: false }),
          TextDocumentEdit.create({ uri: toUri(n.path), version: null }, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: n.text }]),
        ]),
      ],
    };
  } else if (fix.edits?.length || fix.otherEdits?.length) {
    const changes: Record<string, typeof fix.edits> = {};
    if (fix.edits?.length) changes[uri] = fix.edits;
    for (const o of fix.otherEdits ?? []) changes[toUri(o.path)] = o.edits;
    edit = { changes: changes as WorkspaceEdit['changes'] };
  }
  return {
    title: fix.title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: fix.preferred,
    edit,
    command: fix.command,
  };
}

const sameRange = (a: Range, b: Range) => a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;

connection.onDocumentSymbol(async ({ textDocument }) => {
  await ready;
  const m = workspace!.model(toPath(textDocument.uri));
  if (!m || !m.hasMigrationClass) return [];
  const symbol = (op: Operation): DocumentSymbol => ({
    name: describeOperation(op),
    detail: op.conditional ? 'conditional' : undefined,
    kind: SymbolKind.Method,
    range: op.range,
    selectionRange: op.nameRange,
    children: [...(op.databaseOperations ?? []), ...(op.stateOperations ?? [])].map(symbol),
  });
  const ops = m.operations.map(symbol);
  const classEnd = ops.length ? ops[ops.length - 1].range.end : m.classRange.end;
  return [
    {
      name: `Migration ${m.app}.${m.name}`,
      kind: SymbolKind.Class,
      range: { start: m.classRange.start, end: maxPos(classEnd, m.classRange.end) },
      selectionRange: m.classRange,
      children: ops,
    },
  ];
});

const maxPos = (a: Position, b: Position) => (a.line > b.line || (a.line === b.line && a.character >= b.character) ? a : b);

connection.onDefinition(async ({ textDocument, position }): Promise<Location[]> => {
  await ready;
  const p = toPath(textDocument.uri);
  const m = workspace!.model(p);
  const graph = workspace!.graphOf(p);
  if (!m || !graph) return [];
  const ref = [...m.dependencies, ...m.replaces, ...m.runBefore].find((d) => contains(d.range, position));
  const target = ref && targetOf(graph, ref);
  return target ? [{ uri: toUri(target.path), range: target.classRange }] : [];
});

connection.onHover(async ({ textDocument, position }) => {
  await ready;
  const h = hoverAt(workspace!, toPath(textDocument.uri), position);
  return h ? { contents: { kind: 'markdown', value: h.contents }, range: h.range } : null;
});

connection.onReferences(async ({ textDocument }): Promise<Location[]> => {
  await ready;
  return referencesTo(workspace!, toPath(textDocument.uri)).map((r) => ({ uri: toUri(r.path), range: r.range }));
});

connection.onDocumentLinks(async ({ textDocument }) => {
  await ready;
  return links(workspace!, toPath(textDocument.uri)).map((l) => ({ range: l.range, target: toUri(l.target), tooltip: l.tooltip }));
});

connection.onCompletion(async ({ textDocument, position }): Promise<CompletionItem[]> => {
  await ready;
  const doc = documents.get(textDocument.uri);
  if (!doc) return [];
  return completeDependency(workspace!, toPath(textDocument.uri), doc.getText(), position).map((c) => ({
    label: c.label,
    detail: c.detail,
    kind: c.kind === 'app' ? CompletionItemKind.Module : CompletionItemKind.File,
  }));
});

connection.listen();
