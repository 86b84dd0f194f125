// The SQL Django will run for a migration, asked of the project's warm bridge and kept until a
// migration file, the models or the interpreter change. Shared by the lenses and the SQL document.
import * as vscode from 'vscode';
import type { SqlResult } from '../django/bridge-protocol';
import type { DjangoService } from '../django/service';

export class NoDjangoError extends Error {
  constructor(
    message: string,
    readonly noDjango: boolean,
  ) {
    super(message);
  }
}

export class SqlSource implements vscode.Disposable {
  private readonly cache = new Map<string, Promise<SqlResult>>();
  private readonly vendors = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when what was cached may be wrong: a migration or model file changed. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly django: DjangoService) {
    // Any migration can change the state the next ones start from; models and settings make the bridge restart.
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.py');
    const clear = () => this.clear();
    this.disposables.push(
      watcher,
      watcher.onDidChange(clear),
      watcher.onDidCreate(clear),
      watcher.onDidDelete(clear),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('migrationLens.pythonPath') || e.affectsConfiguration('migrationLens.database')) clear();
      }),
      this.changed,
    );
  }

  get(root: string, app: string, name: string, backwards: boolean): Promise<SqlResult> {
    const key = JSON.stringify([root, app, name, backwards]);
    let found = this.cache.get(key);
    if (!found) {
      found = this.fetch(root, app, name, backwards);
      this.cache.set(key, found);
      // A failure is not remembered: the next lens resolution asks again.
      found.catch(() => this.cache.delete(key));
    }
    return found;
  }

  /** Django's name for the database the SQL is written for ("postgresql 15", "sqlite", ...). */
  vendor(root: string): string {
    return this.vendors.get(root) ?? 'the project database';
  }

  clear(): void {
    if (!this.cache.size) return;
    this.cache.clear();
    this.changed.fire();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private async fetch(root: string, app: string, name: string, backwards: boolean): Promise<SqlResult> {
    const found = await this.django.tryBridge(root);
    if (!found.bridge) throw new NoDjangoError(found.reason, found.noDjango);
    if (!this.vendors.has(root)) {
      const { databases } = await found.bridge.request('databases');
      const backend = databases.default?.backend ?? '';
      this.vendors.set(root, backend.replace(/^django\.db\.backends\./, '') || 'the project database');
    }
    return found.bridge.request('sql', { app, name, backwards });
  }
}
