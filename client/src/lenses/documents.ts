// Read-only virtual documents: the SQL of a migration (language `sql`) and the migration plan
// (markdown). Their text is produced on open and again when the source changes.
import * as path from 'path';
import * as vscode from 'vscode';
import { operationLine, sqlDocument } from '../views/sql-text';
import type { SqlSource } from './source';

export const SCHEME = 'migration-lens';

export interface SqlTarget {
  projectRoot: string;
  app: string;
  name: string;
  backwards?: boolean;
  /** Index of the operation to reveal. */
  operation?: number;
}

export class VirtualDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly producers = new Map<string, () => Promise<string>>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly sql: SqlSource) {
    this.disposables = [
      vscode.workspace.registerTextDocumentContentProvider(SCHEME, this),
      this.changed,
      // When the SQL may have changed, open SQL documents are produced again.
      sql.onDidChange(() => {
        for (const doc of vscode.workspace.textDocuments) if (doc.uri.scheme === SCHEME && doc.uri.path.endsWith('.sql')) this.changed.fire(doc.uri);
      }),
    ];
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const produce = this.producers.get(uri.toString());
    if (!produce) return '-- Nothing to show: open this document again from a lens or a command.\n';
    try {
      return await produce();
    } catch (err) {
      return `-- Migration Lens could not produce this document:\n-- ${(err as Error).message.split('\n').join('\n-- ')}\n`;
    }
  }

  /** Opens the SQL of a migration beside the editor, at the operation when one is given. */
  async showSql(t: SqlTarget): Promise<vscode.TextEditor> {
    const uri = vscode.Uri.from({
      scheme: SCHEME,
      path: `/${path.basename(t.projectRoot)}/${t.app}/${t.name}${t.backwards ? '.backwards' : ''}.sql`,
      query: new URLSearchParams({ root: t.projectRoot }).toString(),
    });
    this.producers.set(uri.toString(), async () => sqlDocument(await this.sql.get(t.projectRoot, t.app, t.name, !!t.backwards), this.sql.vendor(t.projectRoot)));
    this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: false });
    if (t.operation !== undefined) {
      const result = await this.sql.get(t.projectRoot, t.app, t.name, !!t.backwards);
      const line = operationLine(
        doc.getText(),
        result.operations.find((o) => o.index === t.operation),
      );
      const at = new vscode.Position(line, 0);
      editor.selection = new vscode.Selection(at, at);
      editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.AtTop);
    }
    return editor;
  }

  /** Opens a markdown document (the plan) under a stable name. */
  async showMarkdown(name: string, projectRoot: string, produce: () => Promise<string>): Promise<vscode.TextEditor> {
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${path.basename(projectRoot)}/${name}.md`, query: new URLSearchParams({ root: projectRoot }).toString() });
    this.producers.set(uri.toString(), produce);
    this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
