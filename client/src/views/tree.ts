// The Migrations view: project -> app -> migration in graph order, each with its state, risk and a
// tooltip built from the server's summary and the file's diagnostics (which carry the live counts).
import * as path from 'path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { AppSummary, GhostMigration, MigrationSummary, ProjectSummary, ProjectsRequest, ProjectsResult } from '../../../server/src/protocol';
import { appliedLabel, MigrationState, riskLabel, riskOf, stateOf } from './states';

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
  unknown: ['question', undefined],
};

export class MigrationTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private projects: ProjectsResult = [];
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private debounce: NodeJS.Timeout | undefined;
  /** Resolves after each reload, for commands that must see the new state. */
  private loaded: Promise<void> = Promise.resolve();
  /** When the rows were first ready to draw: from the files, then with the database's state. */
  readonly firstLoad: { files?: number; database?: number } = {};
  /** Set when the database layer runs (trusted workspaces). */
  database: DatabaseReport | undefined;

  constructor(private readonly client: LanguageClient) {
    // Diagnostics change after every edit, read of the database and probe: the tree follows them.
    this.disposables.push(vscode.languages.onDidChangeDiagnostics(() => this.soon()), this.changed);
  }

  get current(): ProjectsResult {
    return this.projects;
  }

  refresh(): Promise<void> {
    this.loaded = (async () => {
      this.projects = ((await this.client.sendRequest(ProjectsRequest, {})) as ProjectsResult).filter((p) => p.apps.length || p.hasManagePy);
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
        const pending = app.migrations.filter((m) => m.status === 'pending' && !m.replacedBy).length;
        const item = new vscode.TreeItem(app.label, vscode.TreeItemCollapsibleState.Expanded);
        const parts = [`${app.migrations.length} migration${app.migrations.length === 1 ? '' : 's'}`];
        if (pending) parts.push(`${pending} pending`);
        if (app.leaves.length > 1) parts.push(`conflict: ${app.leaves.join(', ')}`);
        item.description = parts.join(' · ');
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
    const risk = riskOf(m.findings);
    const status =
      state === 'applied' ? appliedLabel(m.appliedAt) : state === 'drift' ? 'drift' : state === 'squashed' ? `replaced by ${m.replacedBy}` : state;
    item.description = [status, riskLabel(risk)].filter(Boolean).join(' · ');
    const [icon, color] = ICONS[state];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    item.resourceUri = uri;
    item.id = `${project.root}\0${m.app}.${m.name}`;
    item.contextValue = `migration.${state}`;
    item.command = { command: 'vscode.open', title: 'Open Migration', arguments: [uri] };

    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**${m.app}.${m.name}** — ${status}\n\n`);
    if (m.drift) tip.appendMarkdown(`$(error) ${escape(m.drift)}\n\n`);
    if (m.dependencies.length) tip.appendMarkdown(`Depends on: ${m.dependencies.map((d) => `\`${d}\``).join(', ')}\n\n`);
    if (m.operations.length) tip.appendMarkdown(`Operations: ${m.operations.map((o) => escape(o.label)).join('; ')}\n\n`);
    const diagnostics = vscode.languages.getDiagnostics(uri).filter((d) => String(typeof d.code === 'object' ? d.code.value : d.code).startsWith('ML'));
    for (const d of diagnostics.sort((a, b) => a.severity - b.severity).slice(0, 8)) {
      const code = typeof d.code === 'object' ? d.code.value : d.code;
      tip.appendMarkdown(`- **${code}** ${escape(d.message.split('\n')[0])}\n`);
    }
    item.tooltip = tip;
    return item;
  }

  dispose(): void {
    clearTimeout(this.debounce);
    for (const d of this.disposables) d.dispose();
  }
}

function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
