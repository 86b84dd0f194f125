// Keeps the language server told what each project's database has applied and what the probes
// counted: on start, when the database file, `.env` or settings change, when a migration is saved,
// and on demand. Shows the resolved source (never the password) in the status bar.
import { declaredDatabase } from '../../../shared/src/settings-file';
import * as path from 'path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { AppliedNotification, AppliedParams, ProbeResultsNotification, ProbesRequest, ProjectsRequest } from '../protocol';
import { Connection, DatabaseSettings, isUnconfigured, ResolveInputs } from '../../../core/src/config/connection';
import { AppliedReport, ProjectDatabase } from '../../../core/src/database/session';

const SECRET_PREFIX = 'migrationLens.database.password:';

export class DatabaseSync implements vscode.Disposable {
  private readonly dbs = new Map<string, ProjectDatabase>();
  private readonly reports = new Map<string, AppliedReport>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly status = vscode.window.createStatusBarItem('migrationLens.database', vscode.StatusBarAlignment.Left, 10);
  private readonly disposables: vscode.Disposable[] = [];
  private readonly didRead = new vscode.EventEmitter<string>();
  /** Fires with the project root after each read of its database. */
  readonly onDidRead = this.didRead.event;
  private roots: string[] = [];
  private debounce: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: LanguageClient,
    private readonly secrets: vscode.SecretStorage,
    private readonly output: vscode.LogOutputChannel,
    /** settings.DATABASES from Django, asked only when neither the settings nor DB_* name a database. */
    private readonly django?: (projectRoot: string) => Promise<Omit<Connection, 'source'> | undefined>,
  ) {
    this.status.name = 'Migration Lens database';
    this.status.command = 'migrationLens.refreshDatabase';
    const watcher = vscode.workspace.createFileSystemWatcher('**/{*.sqlite3,*.sqlite3-wal,*.sqlite3-journal,*.db,.env}');
    // Migrations changed on disk by anything (a save, a git checkout, makemigrations in a terminal):
    // the pending set and the probes' questions change with them.
    const migrations = vscode.workspace.createFileSystemWatcher('**/*migrations/*.py');
    this.disposables.push(
      watcher,
      watcher.onDidChange(() => this.soon()),
      watcher.onDidCreate(() => this.soon()),
      watcher.onDidDelete(() => this.soon()),
      migrations,
      migrations.onDidChange(() => this.soon()),
      migrations.onDidCreate(() => this.soon()),
      migrations.onDidDelete(() => this.soon()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('migrationLens.database')) this.soon();
      }),
      this.secrets.onDidChange((e) => {
        if (e.key.startsWith(SECRET_PREFIX)) this.soon();
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
    );
    // Servers change behind our back (another developer, a deploy): look again while the window has focus.
    this.poll = setInterval(() => {
      if (vscode.window.state.focused && [...this.reports.values()].some((r) => r.connection && r.connection.engine !== 'sqlite')) this.soon();
    }, 30_000);
  }

  /** Reads every project's database now. */
  async refreshAll(): Promise<void> {
    const projects = await this.client.sendRequest(ProjectsRequest, {});
    this.roots = projects.filter((p) => p.hasManagePy).map((p) => p.root);
    await Promise.all(this.roots.map((r) => this.refresh(r)));
    this.render();
  }

  /** One read per project at a time; a request during a read runs once after it. */
  refresh(root: string): Promise<void> {
    const busy = this.running.get(root);
    if (busy) {
      this.again.add(root);
      return busy;
    }
    const run = this.read(root).finally(() => {
      this.didRead.fire(root);
      this.running.delete(root);
      if (this.again.delete(root)) void this.refresh(root);
    });
    this.running.set(root, run);
    return run;
  }

  /** The last read of a project's database: where it is (never the password) and what went wrong. */
  reportFor(root: string): Pick<AppliedReport, 'description' | 'problem'> | undefined {
    return this.reports.get(root);
  }

  /** The connection of the last read, for manage.py's environment. */
  connectionFor(root: string): Connection | undefined {
    return this.reports.get(root)?.connection;
  }

  async setPassword(projectRoot?: string): Promise<void> {
    const root = projectRoot ?? (await this.pickProjectRoot());
    if (!root) return;
    const password = await vscode.window.showInputBox({
      title: `Database password for ${path.basename(root)}`,
      prompt: "Kept in VS Code's secret storage; used instead of DB_PASSWORD. Leave empty to forget it.",
      password: true,
      ignoreFocusOut: true,
    });
    if (password === undefined) return;
    if (password) await this.secrets.store(SECRET_PREFIX + root, password);
    else await this.secrets.delete(SECRET_PREFIX + root);
    await this.refresh(root);
    this.render();
  }

  async showSource(): Promise<void> {
    const lines = this.roots.map((r) => {
      const rep = this.reports.get(r);
      return `${r}: ${rep?.description ?? 'not read yet'}${rep?.problem ? `\n  ${rep.problem.message}` : ''}`;
    });
    this.output.info(lines.join('\n'));
    this.output.show(true);
  }

  dispose(): void {
    clearTimeout(this.debounce);
    clearInterval(this.poll);
    for (const d of this.disposables) d.dispose();
    this.status.dispose();
    this.didRead.dispose();
    for (const db of this.dbs.values()) void db.close();
  }

  private soon(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.refreshAll().catch((e) => this.output.error(String(e))), 300);
  }

  private async read(root: string): Promise<void> {
    let db = this.dbs.get(root);
    const config = vscode.workspace.getConfiguration('migrationLens', vscode.Uri.file(root));
    const options = {
      statementTimeoutMs: config.get<number>('database.statementTimeout', 5000),
      connectTimeoutMs: 5000,
    };
    if (!db) {
      db = new ProjectDatabase(root, options);
      this.dbs.set(root, db);
    }
    const settings: DatabaseSettings = {
      engine: config.get<string>('database.engine') || undefined,
      host: config.get<string>('database.host') || undefined,
      port: config.get<number>('database.port') || undefined,
      name: config.get<string>('database.name') || undefined,
      user: config.get<string>('database.user') || undefined,
    };
    const started = Date.now();
    const inputs: ResolveInputs = { projectRoot: root, settings, storedPassword: await this.secrets.get(SECRET_PREFIX + root), env: process.env };
    if (this.django && isUnconfigured(inputs)) inputs.django = await this.django(root);
    const report = await db.readApplied(inputs);
    const previous = this.reports.get(root);
    this.reports.set(root, report);
    if (report.problem) {
      if (previous?.problem?.message !== report.problem.message) this.output.warn(`${path.basename(root)}: ${report.problem.message}`);
    } else if (previous?.description !== report.description || previous?.rows?.length !== report.rows?.length) {
      this.output.info(
        `${path.basename(root)}: ${report.rows!.length} applied rows from ${report.description} in ${Date.now() - started} ms${report.notes.length ? ` (${report.notes.join(', ')})` : ''}`,
      );
    }
    const applied: AppliedParams = { projectRoot: root, applied: report.rows ?? null, ...engineOf(root, report.engine) };
    await this.client.sendNotification(AppliedNotification, applied);
    if (!report.rows || !config.get<boolean>('database.probes', true)) {
      await this.client.sendNotification(ProbeResultsNotification, { projectRoot: root, results: [] });
      return;
    }
    const specs = await this.client.sendRequest(ProbesRequest, { projectRoot: root });
    const results = await db.probe(specs);
    for (const r of results) if (r.error) this.output.warn(`${path.basename(root)}: probe for ${r.id.split('|')[0]} failed: ${r.error}`);
    await this.client.sendNotification(ProbeResultsNotification, { projectRoot: root, results });
  }

  private render(): void {
    const file = vscode.window.activeTextEditor?.document.uri.fsPath;
    const root = (file && this.roots.filter((r) => file.startsWith(r + path.sep)).sort((a, b) => b.length - a.length)[0]) ?? this.roots[0];
    const report = root && this.reports.get(root);
    if (!report) {
      this.status.hide();
      return;
    }
    if (report.problem) {
      this.status.text = '$(database) $(warning) database';
      this.status.tooltip = `${report.problem.message}\nClick to read it again.`;
    } else {
      this.status.text = `$(database) ${report.rows!.length} applied`;
      this.status.tooltip = `${report.description}\nClick to read it again.`;
    }
    this.status.show();
  }

  async pickProjectRoot(): Promise<string | undefined> {
    if (!this.roots.length) await this.refreshAll();
    if (this.roots.length <= 1) return this.roots[0];
    const pick = await vscode.window.showQuickPick(
      this.roots.map((r) => ({ label: path.basename(r), description: r, root: r })),
      { title: 'Which project?' },
    );
    return pick?.root;
  }
}

/** The engine the database reported; without one, the engine the settings name statically. */
function engineOf(root: string, reported: AppliedParams['engine']): Pick<AppliedParams, 'engine' | 'engineSource'> {
  if (reported) return { engine: reported };
  const declared = declaredDatabase(root);
  const name = declared?.engine === 'postgres' ? 'postgresql' : declared?.engine === 'mysql' || declared?.engine === 'sqlite' ? declared.engine : undefined;
  return name ? { engine: { name }, engineSource: `named in ${declared!.file}` } : {};
}
