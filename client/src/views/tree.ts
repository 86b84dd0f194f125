// The Migrations view: project -> app -> migration in graph order, each with its state, risk and a
// tooltip built from the server's summary and the file's diagnostics (which carry the live counts).
import * as path from 'path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { AppSummary, GhostMigration, MigrationSummary, ProjectSummary, ProjectsRequest, ProjectsResult, StatusParams } from '../protocol';
import { appSummary, isToRun, MigrationState, oneLine, riskLabel, shortRef, stateLabel, stateOf } from './states';

export type TreeNode =
  | { kind: 'project'; project: ProjectSummary }
  | { kind: 'app'; project: ProjectSummary; app: AppSummary }
  | { kind: 'migration'; project: ProjectSummary; app: AppSummary; migration: MigrationSummary; state: MigrationState }
  | { kind: 'ghost'; project: ProjectSummary; ghost: GhostMigration }
  | { kind: 'external'; project: ProjectSummary }
  | { kind: 'database'; project: ProjectSummary; description: string; problem?: string };

/** Where a project's database is and why it could not be read; set once the workspace is trusted. */
export type DatabaseReport = (root: string) => { description: string; problem?: { message: string } } | undefined;

const ICONS: Record<MigrationState, [string, string | undefined]> = {
  applied: ['pass-filled', 'testing.iconPassed'],
  pending: ['circle-large-outline', 'charts.yellow'],
  drift: ['error', 'errorForeground'],
  conflict: ['git-merge', 'errorForeground'],
  squashed: ['fold', 'disabledForeground'],
  history: ['history', 'disabledForeground'],
  new: ['diff-added', 'charts.yellow'],
  unknown: ['question', undefined],
};

/** From this many migration files on, the first analysis also shows a progress notification. */
const BIG_WORKSPACE = 500;

/** Above this many apps in a project, apps start collapsed (those with a conflict stay open). */
const EXPANDED_APPS = 6;

export class MigrationTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private projects: ProjectsResult = [];
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private debounce: NodeJS.Timeout | undefined;
  /** Resolves after each reload, for commands that must see the new state. */
  private loaded: Promise<void> = Promise.resolve();
  /** When the rows were first ready to draw: from the files, then with the database's state. */
  readonly firstLoad: { files?: number; database?: number; analyzed?: number } = {};
  private markAnalyzed!: () => void;
  /** Resolves once the server's first analysis is done (every finding published). */
  readonly analyzed = new Promise<void>((r) => (this.markAnalyzed = r));
  /** Set when the database layer runs (trusted workspaces). */
  database: DatabaseReport | undefined;
  /** The view, once created: its message says what the server is doing. */
  view: vscode.TreeView<TreeNode> | undefined;
  private progress: { done(): void } | undefined;

  constructor(private readonly client: LanguageClient) {
    // Diagnostics change after every edit, read of the database and probe: the tree follows them.
    this.disposables.push(
      vscode.languages.onDidChangeDiagnostics(() => this.soon()),
      this.changed,
    );
  }

  get current(): ProjectsResult {
    return this.projects;
  }

  /**
   * The server's first analysis: the rows come from the files as soon as they are parsed, with
   * "Analyzing N migration files…" above them until every finding is in (and a progress
   * notification on big workspaces).
   */
  status({ state, files }: StatusParams): void {
    if (state === 'ready') this.markAnalyzed();
    if (state === 'analyzing') {
      if (this.view) this.view.message = `Analyzing ${files.toLocaleString('en-US')} migration file${files === 1 ? '' : 's'}…`;
      if (files >= BIG_WORKSPACE && !this.progress) {
        let done!: () => void;
        const finished = new Promise<void>((r) => (done = r));
        this.progress = { done };
        void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Migration Lens: analyzing ${files.toLocaleString('en-US')} migration files` }, () => finished);
      }
    } else {
      if (this.view) this.view.message = undefined;
      this.progress?.done();
      this.progress = undefined;
    }
    void this.refresh()
      .then(() => {
        // Every finding is in the rows now.
        if (state === 'ready') this.firstLoad.analyzed ??= Date.now();
      })
      .catch(() => undefined);
  }

  refresh(): Promise<void> {
    this.loaded = (async () => {
      this.projects = (await this.client.sendRequest(ProjectsRequest, {})).filter((p) => p.apps.length || p.hasManagePy);
      void vscode.commands.executeCommand('setContext', 'migrationLens.loading', false);
      void vscode.commands.executeCommand('setContext', 'migrationLens.hasProjects', this.projects.length > 0);
      if (this.projects.length) this.firstLoad.files ??= Date.now();
      if (this.projects.some((p) => p.historyKnown)) this.firstLoad.database ??= Date.now();
      this.changed.fire(undefined);
    })();
    return this.loaded;
  }

  /** The migration whose file is `file`, with its project and app. */
  migrationAt(file: string | undefined): { project: ProjectSummary; app: AppSummary; migration: MigrationSummary } | undefined {
    for (const project of this.projects) {
      for (const app of project.apps) {
        const migration = app.migrations.find((m) => m.path === file);
        if (migration) return { project, app, migration };
      }
    }
    return undefined;
  }

  ready(): Promise<void> {
    return this.loaded;
  }

  soon(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.refresh().catch(() => undefined), 250);
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (!node) {
      // One project: show its apps directly.
      if (this.projects.length === 1) return this.getChildren({ kind: 'project', project: this.projects[0] });
      return this.projects.map((project) => ({ kind: 'project', project }));
    }
    if (node.kind === 'project') {
      const p = node.project;
      const nodes: TreeNode[] = [];
      const report = p.hasManagePy ? this.database?.(p.root) : undefined;
      if (report) nodes.push({ kind: 'database', project: p, description: report.description, problem: report.problem?.message });
      nodes.push(...p.apps.map((app): TreeNode => ({ kind: 'app', project: p, app })));
      nodes.push(...p.ghosts.map((ghost): TreeNode => ({ kind: 'ghost', project: p, ghost })));
      if (p.externalApps.length) nodes.push({ kind: 'external', project: p });
      return nodes;
    }
    if (node.kind === 'app') {
      return node.app.migrations.map((migration) => ({ kind: 'migration', project: node.project, app: node.app, migration, state: stateOf(migration, node.app) }));
    }
    return [];
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'project': {
        const item = new vscode.TreeItem(path.basename(node.project.root), vscode.TreeItemCollapsibleState.Expanded);
        item.description = node.project.root;
        item.iconPath = new vscode.ThemeIcon('project');
        item.contextValue = 'project';
        return item;
      }
      case 'app': {
        const { app } = node;
        const { toRun, risk, newWork } = appSummary(app);
        const conflict = app.leaves.length > 1;
        const expanded = conflict || node.project.apps.length <= EXPANDED_APPS;
        const item = new vscode.TreeItem(app.label, expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        const parts = [`${app.migrations.length}`];
        if (toRun) parts.push(`${toRun} ${newWork ? 'new' : 'pending'}`);
        if (toRun && risk) parts.push(riskLabel(risk));
        if (conflict) parts.push(`conflict: ${app.leaves.join(', ')}`);
        item.description = parts.join(' · ');
        item.tooltip =
          `${app.label}: ${app.migrations.length} migration${app.migrations.length === 1 ? '' : 's'}` +
          (toRun ? `, ${toRun} ${newWork ? `new on this branch (not on ${shortRef(node.project.baselineRef)})` : 'not applied'}${risk ? `, worst: ${riskLabel(risk)}` : ''}` : '') +
          (conflict ? `; conflicting leaves ${app.leaves.join(', ')}` : '');
        item.iconPath = new vscode.ThemeIcon(app.leaves.length > 1 ? 'git-merge' : 'package', app.leaves.length > 1 ? new vscode.ThemeColor('errorForeground') : undefined);
        item.contextValue = app.leaves.length > 1 ? 'app.conflict' : 'app';
        item.id = `${node.project.root}\0${app.label}`;
        return item;
      }
      case 'migration':
        return this.migrationItem(node.migration, node.state, node.project);
      case 'ghost': {
        const item = new vscode.TreeItem(`${node.ghost.app}.${node.ghost.name}`, vscode.TreeItemCollapsibleState.None);
        item.description = 'applied, file missing';
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        item.tooltip = `The database records ${node.ghost.app}.${node.ghost.name} as applied${node.ghost.appliedAt ? ` (${node.ghost.appliedAt})` : ''}, but no file exists for it (ML605).`;
        item.contextValue = 'ghost';
        return item;
      }
      case 'database': {
        const item = new vscode.TreeItem(node.problem ? 'database not reachable' : 'database', vscode.TreeItemCollapsibleState.None);
        item.description = node.problem ?? node.description;
        item.iconPath = new vscode.ThemeIcon(node.problem ? 'warning' : 'database', node.problem ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined);
        item.tooltip = new vscode.MarkdownString(
          `${escape(node.description)}${node.problem ? `\n\n$(warning) ${escape(node.problem)}\n\nThe tree shows the files; applied state and live counts need the database.` : ''}\n\n[Configure Database](command:migrationLens.configureDatabase) · [Set Password](command:migrationLens.setDatabasePassword)`,
          true,
        );
        (item.tooltip as vscode.MarkdownString).isTrusted = { enabledCommands: ['migrationLens.configureDatabase', 'migrationLens.setDatabasePassword'] };
        item.contextValue = node.problem ? 'database.problem' : 'database';
        if (node.problem) item.command = { command: 'migrationLens.configureDatabase', title: 'Configure Database', arguments: [{ projectRoot: node.project.root }] };
        item.id = `${node.project.root}\0database`;
        return item;
      }
      case 'external': {
        const item = new vscode.TreeItem('external apps', vscode.TreeItemCollapsibleState.None);
        item.description = node.project.externalApps.join(', ');
        item.iconPath = new vscode.ThemeIcon('library');
        item.tooltip = 'Apps with applied migrations outside the workspace (Django contrib, installed packages).';
        return item;
      }
    }
  }

  private migrationItem(m: MigrationSummary, state: MigrationState, project: ProjectSummary): vscode.TreeItem {
    const item = new vscode.TreeItem(m.name, vscode.TreeItemCollapsibleState.None);
    const uri = vscode.Uri.file(m.path);
    const risk = m.risk;
    const status = stateLabel(state, m, project.baselineRef);
    // Risk is badged on what is still to run; in history it is in the tooltip and the hints.
    const badged = isToRun(state, m) || state === 'unknown' || state === 'drift' || state === 'conflict';
    item.description = [status, badged ? riskLabel(risk) : ''].filter(Boolean).join(' · ');
    const [icon, color] = ICONS[state];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    item.resourceUri = uri;
    item.id = `${project.root}\0${m.app}.${m.name}`;
    item.contextValue = `migration.${state}`;
    item.command = { command: 'vscode.open', title: 'Open Migration', arguments: [uri] };

    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**${m.app}.${m.name}**${status ? ` — ${escape(status)}` : ''}${riskLabel(risk) ? ` · ${riskLabel(risk)}` : ''}\n\n`);
    tip.appendMarkdown(`${escape(standing(state, m, project))}\n\n`);
    if (m.drift) tip.appendMarkdown(`$(error) ${markdownInline(m.drift)}\n\n`);
    if (m.dependencies.length) tip.appendMarkdown(`Depends on: ${m.dependencies.map((d) => `\`${d}\``).join(', ')}\n\n`);
    if (m.operations.length) tip.appendMarkdown(`Operations: ${m.operations.map((o) => escape(o.label)).join('; ')}\n\n`);
    const diagnostics = vscode.languages.getDiagnostics(uri).filter((d) => String(typeof d.code === 'object' ? d.code.value : d.code).startsWith('ML'));
    for (const d of diagnostics.sort((a, b) => a.severity - b.severity).slice(0, 8)) {
      const code = typeof d.code === 'object' ? d.code.value : d.code;
      tip.appendMarkdown(`- **${code}** ${escape(oneLine(d.message))}\n`);
    }
    item.tooltip = tip;
    return item;
  }

  dispose(): void {
    this.progress?.done();
    clearTimeout(this.debounce);
    for (const d of this.disposables) d.dispose();
  }
}

function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** Text whose `code` spans render as code: everything outside them is escaped. */
function markdownInline(s: string): string {
  return s
    .split(/(`[^`\n]+`)/)
    .map((part, i) => (i % 2 ? part : escape(part)))
    .join('');
}

/** One sentence on where the migration stands and why its risk is loud or quiet. */
function standing(state: MigrationState, m: MigrationSummary, project: ProjectSummary): string {
  const base = shortRef(project.baselineRef);
  switch (state) {
    case 'history':
      return `Unchanged on ${base}: history, its risk findings are hints. The database was not read; its applied rows decide once it is.`;
    case 'new':
      return m.baseline === 'modified' ? `Changed on this branch since it left ${base}: new work, its risk is reported in full.` : `New on this branch (not on ${base}): its risk is reported in full.`;
    case 'unknown':
      return 'The database was not read and there is no git base branch to compare with: every migration counts as new work.';
    default:
      return '';
  }
}
