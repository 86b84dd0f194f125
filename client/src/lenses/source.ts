// The SQL Django will run for a migration, asked of the project's warm bridge and kept until a
// migration file, the models or the interpreter change. Shared by the lenses and the SQL document.
import * as vscode from 'vscode';
import type { SqlResult } from '../../../core/src/django/bridge-protocol';
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
  /** Why Django did not start, per project, until something that could fix it changes. */
  private readonly failures = new Map<string, NoDjangoError>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when what was cached may be wrong: a migration or model file changed. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly django: DjangoService) {
    // Any migration can change the state the next ones start from; models and settings make the bridge restart.
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.py');
    const env = vscode.workspace.createFileSystemWatcher('**/.env');
    // A failed boot is tried again only when what could fix it changed: not for a migration's save.
    const changed = (uri: vscode.Uri) => this.clear(!/[\\/][^\\/]*migrations[\\/][^\\/]+\.py$/.test(uri.fsPath));
    const retry = () => this.clear(true);
    this.disposables.push(
      watcher,
      env,
      watcher.onDidChange(changed),
      watcher.onDidCreate(changed),
      watcher.onDidDelete(changed),
      env.onDidChange(retry),
      env.onDidCreate(retry),
      env.onDidDelete(retry),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('migrationLens.pythonPath') || e.affectsConfiguration('migrationLens.database')) retry();
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

  /** Why Django did not start in the project, while that stands (the lenses then say it once). */
  failure(root: string): NoDjangoError | undefined {
    return this.failures.get(root);
  }

  /** Forgets the SQL; `retry`: also let Django boot again where it failed. */
  clear(retry = false): void {
    if (retry && this.failures.size) {
      this.failures.clear();
      this.django.retryFailed();
    } else if (!this.cache.size) return;
    this.cache.clear();
    this.changed.fire();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private async fetch(root: string, app: string, name: string, backwards: boolean): Promise<SqlResult> {
    const found = await this.django.tryBridge(root);
    if (!found.bridge) {
      const error = new NoDjangoError(found.reason, found.noDjango);
      if (!this.failures.has(root)) {
        this.failures.set(root, error);
        this.changed.fire(); // the lenses fold into one
      }
      throw error;
    }
    this.failures.delete(root);
    if (!this.vendors.has(root)) {
      const { databases } = await found.bridge.request('databases');
      const backend = databases.default?.backend ?? '';
      this.vendors.set(root, backend.replace(/^django\.db\.backends\./, '') || 'the project database');
    }
    return found.bridge.request('sql', { app, name, backwards });
  }
}
