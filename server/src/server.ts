// LSP wiring: documents in, diagnostics, symbols, definitions and quick fixes out.
import {
  CodeAction,
  CodeActionKind,
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
  TextDocumentSyncKind,
  WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import * as fs from 'fs';
import type { Edit } from 'web-tree-sitter';
import { initParser } from './analysis/parser';
import { Workspace } from './analysis/workspace';
import { migrationKey, Operation, Position, Range } from './analysis/model';
import { describeOperation } from './analysis/describe';
import { RULES, RULES_BY_CODE } from './rules/registry';
import type { CodeFix, Finding, Severity } from './rules/types';
import { ignoreFixes } from './rules/ignore-fixes';
import {
  AppliedNotification,
  AppliedParams,
  DiagnosticData,
  ProjectsRequest,
  ProjectsResult,
  ServerSettings,
} from './protocol';
import { summarizeProjects } from './analysis/summary';

const connection = createConnection(ProposedFeatures.all);
const documents = new Map<string, TextDocument>();
let workspace: Workspace | undefined;
let severities = new Map<string, Severity>();
let configurationSupport = false;
let folderSupport = false;
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
const ready = new Promise<void>((r) => (resolveReady = r));

connection.onInitialize((params): InitializeResult => {
  roots = (params.workspaceFolders ?? []).map((f) => toPath(f.uri));
  if (!roots.length && params.rootUri) roots = [toPath(params.rootUri)];
  configurationSupport = !!params.capabilities.workspace?.configuration;
  folderSupport = !!params.capabilities.workspace?.workspaceFolders;
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      documentSymbolProvider: true,
      definitionProvider: true,
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'migration-lens', version: '0.1.0' },
  };
});

connection.onInitialized(async () => {
  await initParser();
  workspace = new Workspace(roots);
  if (configurationSupport) {
    void connection.client.register(DidChangeConfigurationNotification.type, { section: 'migrationLens' });
    await loadSettings();
  }
  workspace.scanAll();
  for (const doc of documents.values()) workspace.update(toPath(doc.uri), doc.getText(), { keepTree: true });
  resolveReady();
  publish(workspace.paths());
  if (folderSupport) {
    connection.workspace.onDidChangeWorkspaceFolders(async (e) => {
      await ready;
      const removed = new Set(e.removed.map((f) => toPath(f.uri)));
      roots = [...roots.filter((r) => !removed.has(r)), ...e.added.map((f) => toPath(f.uri))];
      const before = new Set(workspace!.paths());
      const changed = workspace!.setRoots(roots);
      publish(changed);
      for (const p of before) if (!workspace!.has(p)) clear(p);
    });
  }
});

async function loadSettings(): Promise<void> {
  let settings: ServerSettings = {};
  try {
    settings = ((await connection.workspace.getConfiguration('migrationLens')) as ServerSettings) ?? {};
  } catch {
    // A client without configuration support keeps the defaults.
  }
  severities = new Map();
  const active = RULES.filter((r) => {
    const s = settings.rules?.[r.code];
    if (s === 'off') return false;
    if (s && s in SEVERITY) severities.set(r.code, s);
    return true;
  });
  workspace?.setRules(active);
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

connection.onDidChangeWatchedFiles(async ({ changes }) => {
  await ready;
  const touched = new Set<string>();
  for (const c of changes) {
    const p = toPath(c.uri);
    if (documents.has(c.uri) && c.type !== FileChangeType.Deleted) continue; // the editor's text wins
    let result: string[];
    if (c.type === FileChangeType.Deleted) result = workspace!.remove(p);
    else {
      let text: string | undefined;
      try {
        text = fs.statSync(p).isDirectory() ? undefined : fs.readFileSync(p, 'utf8');
      } catch {
        text = undefined;
      }
      if (text === undefined && fs.existsSync(p)) {
        // A new folder (e.g. a moved app): rescan everything, it is rare.
        result = workspace!.setRoots(roots);
      } else {
        result = text === undefined ? workspace!.remove(p) : workspace!.update(p, text);
      }
    }
    for (const r of result) touched.add(r);
  }
  publish([...touched]);
  for (const p of touched) if (!workspace!.has(p)) clear(p);
});

connection.onNotification(AppliedNotification, async (params: AppliedParams) => {
  await ready;
  publish(workspace!.setApplied(params.projectRoot, params.applied ? new Set(params.applied) : undefined));
});

connection.onRequest(ProjectsRequest, async (): Promise<ProjectsResult> => {
  await ready;
  return summarizeProjects(workspace!);
});

function toDiagnostic(f: Finding): Diagnostic {
  const severity = severities.get(f.code) ?? RULES_BY_CODE.get(f.code)?.defaultSeverity ?? 'information';
  const data: DiagnosticData = { ...(f.data ?? {}), code: f.code };
  return {
    range: f.range,
    severity: SEVERITY[severity],
    code: f.code,
    source: 'Migration Lens',
    message: f.message,
    relatedInformation: f.related?.map((r) => ({ location: { uri: toUri(r.path), range: r.range }, message: r.message })),
    data,
  };
}

function publish(paths: Iterable<string>): void {
  for (const p of new Set(paths)) {
    const diagnostics = workspace!.findings(p).map(toDiagnostic);
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
    for (const fix of fixes) actions.push(toAction(fix, textDocument.uri, d));
  }
  return actions;
});

function toAction(fix: CodeFix, uri: string, diagnostic: Diagnostic): CodeAction {
  const edit: WorkspaceEdit | undefined = fix.edits?.length ? { changes: { [uri]: fix.edits } } : undefined;
  return {
    title: fix.title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: fix.preferred,
    edit,
    command: fix.command,
  };
}

const sameRange = (a: Range, b: Range) =>
  a.start.line === b.start.line &&
  a.start.character === b.start.character &&
  a.end.line === b.end.line &&
  a.end.character === b.end.character;

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
const contains = (r: Range, p: Position) =>
  (p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character)) &&
  (p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character));

connection.onDefinition(async ({ textDocument, position }): Promise<Location[]> => {
  await ready;
  const p = toPath(textDocument.uri);
  const m = workspace!.model(p);
  const graph = workspace!.graphOf(p);
  if (!m || !graph) return [];
  const ref = [...m.dependencies, ...m.replaces, ...m.runBefore].find((d) => contains(d.range, position));
  if (!ref?.app) return [];
  let key = migrationKey(ref.app, ref.name);
  if (ref.name === '__first__' || ref.name === '__latest__') {
    const keys = graph.apps.get(ref.app) ?? [];
    const leaves = graph.leaves.get(ref.app) ?? [];
    key = (ref.name === '__latest__' ? leaves[0] : graph.order.find((k) => keys.includes(k))) ?? key;
  }
  const target = graph.files.get(key);
  return target ? [{ uri: toUri(target.path), range: target.classRange }] : [];
});

connection.listen();
