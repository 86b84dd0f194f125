// Code lenses on migration files: over `class Migration` the SQL (n statements), the reverse SQL and
// apply / roll back according to the state; over each operation the first line of its SQL. The
// lenses are placed at once from the server's summary; their SQL is resolved through the bridge.
import * as vscode from 'vscode';
import type { AppSummary, MigrationSummary, ProjectSummary } from '../protocol';
import type { MigrationTree } from '../views/tree';
import { operationTitle, runLens, statementCount } from '../views/sql-text';
import { NoDjangoError, SqlSource } from './source';

type Where = { project: ProjectSummary; app: AppSummary; migration: MigrationSummary };
type Role = { kind: 'sql' } | { kind: 'reverse' } | { kind: 'run' } | { kind: 'operation'; index: number } | { kind: 'no-django' } | { kind: 'log' };

class MigrationLens extends vscode.CodeLens {
  constructor(
    range: vscode.Range,
    readonly where: Where,
    readonly role: Role,
  ) {
    super(range);
  }
}

export class MigrationLenses implements vscode.CodeLensProvider<MigrationLens>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly tree: MigrationTree,
    private readonly sql: SqlSource,
  ) {
    this.disposables = [
      this.changed,
      tree.onDidChangeTreeData(() => this.changed.fire()),
      sql.onDidChange(() => this.changed.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('migrationLens.codeLens')) this.changed.fire();
      }),
    ];
  }

  provideCodeLenses(document: vscode.TextDocument): MigrationLens[] {
    const config = vscode.workspace.getConfiguration('migrationLens', document.uri);
    if (!config.get<boolean>('codeLens.enabled', true)) return [];
    const where = this.tree.migrationAt(document.uri.fsPath);
    if (!where) return [];
    const top = new vscode.Range(where.migration.classLine, 0, where.migration.classLine, 0);
    // Django does not start: one line says why and what to do, not one lens per operation.
    if (this.sql.failure(where.project.root)) return [new MigrationLens(top, where, { kind: 'no-django' }), new MigrationLens(top, where, { kind: 'log' })];
    const lenses = [new MigrationLens(top, where, { kind: 'sql' }), new MigrationLens(top, where, { kind: 'reverse' })];
    if (runLens(where.migration, where.app)) lenses.push(new MigrationLens(top, where, { kind: 'run' }));
    if (config.get<boolean>('codeLens.operations', true)) {
      where.migration.operations.forEach((op, index) => {
        if (op.line >= 0 && op.line < document.lineCount) lenses.push(new MigrationLens(new vscode.Range(op.line, 0, op.line, 0), where, { kind: 'operation', index }));
      });
    }
    return lenses;
  }

  async resolveCodeLens(lens: MigrationLens): Promise<MigrationLens> {
    const { project, app, migration } = lens.where;
    const target = { projectRoot: project.root, app: app.label, name: migration.name };
    if (lens.role.kind === 'log') {
      lens.command = { title: 'Show Log', command: 'migrationLens.showLog' };
      return lens;
    }
    const failure = lens.role.kind === 'no-django' && this.sql.failure(project.root);
    if (failure) {
      lens.command = failedLens(failure, project.root, true);
      return lens;
    }
    if (lens.role.kind === 'run') {
      const run = runLens(migration, app)!;
      const node = { kind: 'migration', project, app, migration: { ...migration, name: run.target }, state: migration.status };
      lens.command =
        run.command === 'unapply'
          ? run.target === 'zero'
            ? { title: run.title, command: 'migrationLens.unapplyApp', arguments: [{ kind: 'app', project, app }], tooltip: `migrate ${app.label} zero` }
            : { title: run.title, command: 'migrationLens.rollbackTo', arguments: [node], tooltip: `migrate ${app.label} ${run.target}` }
          : { title: run.title, command: `migrationLens.${run.command}`, arguments: [{ ...node, migration }], tooltip: `migrate ${app.label} ${migration.name}` };
      return lens;
    }
    const backwards = lens.role.kind === 'reverse';
    try {
      const sql = await this.sql.get(project.root, app.label, migration.name, backwards);
      if (lens.role.kind === 'operation') {
        const index = lens.role.index;
        const op = sql.split ? sql.operations.find((o) => o.index === index) : undefined;
        lens.command = { title: operationTitle(op), command: 'migrationLens.showSql', arguments: [{ ...target, operation: index }], tooltip: op?.sql.join('\n') };
      } else {
        const n = statementCount(sql);
        const title = backwards ? (n ? `Reverse SQL (${n})` : 'Reverse SQL: none') : `$(database) SQL (${n} statement${n === 1 ? '' : 's'})`;
        lens.command = {
          title,
          command: 'migrationLens.showSql',
          arguments: [{ ...target, backwards }],
          tooltip: `manage.py sqlmigrate ${backwards ? '--backwards ' : ''}${app.label} ${migration.name}`,
        };
      }
    } catch (err) {
      lens.command = failedLens(err, project.root, lens.role.kind === 'sql');
    }
    return lens;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** One lens says why there is no SQL and offers the fix; the others stay quiet. */
function failedLens(err: unknown, projectRoot: string, speak: boolean): vscode.Command {
  if (!speak) return { title: 'SQL unavailable', command: 'migrationLens.showLog' };
  if (err instanceof NoDjangoError && err.noDjango) {
    return { title: '$(warning) SQL needs a Python with Django: Select Interpreter', command: 'migrationLens.selectInterpreter', arguments: [{ projectRoot }], tooltip: err.message };
  }
  const message = (err as Error).message ?? String(err);
  if (err instanceof NoDjangoError) {
    // "Django did not start with settings 'x': ModuleNotFoundError: No module named 'environ'; ..."
    const reason = message.replace(/^Django did not start with settings '[^']*': /, '').split(/[;\n]/)[0];
    return {
      title: `$(warning) SQL needs Django to start: ${reason.length > 90 ? `${reason.slice(0, 89)}…` : reason} — Select Interpreter`,
      command: 'migrationLens.selectInterpreter',
      arguments: [{ projectRoot }],
      tooltip: message,
    };
  }
  const first = message.split('\n')[0];
  return { title: `$(warning) SQL unavailable: ${first.length > 120 ? `${first.slice(0, 119)}…` : first}`, command: 'migrationLens.showLog', tooltip: message };
}
