// "3 pending" for the active project; warning colours when it has a conflict or drift. Click: the tree.
import * as path from 'path';
import * as vscode from 'vscode';
import { projectCounts } from './states';
import type { MigrationTree } from './tree';

export class PendingStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('migrationLens.pending', vscode.StatusBarAlignment.Left, 11);
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly tree: MigrationTree) {
    this.item.name = 'Migration Lens pending migrations';
    this.item.command = 'migrationLens.migrations.focus';
    this.disposables = [tree.onDidChangeTreeData(() => this.render()), vscode.window.onDidChangeActiveTextEditor(() => this.render())];
  }

  render(): void {
    const file = vscode.window.activeTextEditor?.document.uri.fsPath;
    const projects = this.tree.current;
    const project = (file && projects.filter((p) => file.startsWith(p.root + path.sep)).sort((a, b) => b.root.length - a.root.length)[0]) || projects[0];
    if (!project || !project.historyKnown) {
      this.item.hide();
      return;
    }
    const { pending, conflict, drift } = projectCounts(project.apps);
    const troubles = [conflict && 'conflict', drift && 'drift'].filter(Boolean).join(', ');
    this.item.text = `$(${troubles ? 'warning' : 'checklist'}) ${pending} pending${troubles ? ` · ${troubles}` : ''}`;
    this.item.backgroundColor = troubles ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.tooltip = `${path.basename(project.root)}: ${pending} migration${pending === 1 ? '' : 's'} not applied${troubles ? `; ${troubles}` : ''}. Click to show the migrations.`;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
