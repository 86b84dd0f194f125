// What the SQL lenses and the SQL document say, from the bridge's `sql` answer and the server's
// summary. No vscode import: the wording is tested in Node.
import type { AppSummary, MigrationSummary } from '../protocol';
import type { OperationSql, SqlResult } from '../../../core/src/django/bridge-protocol';

const isComment = (line: string) => line.trimStart().startsWith('--');

/** Statements Django runs for the migration (comments and BEGIN/COMMIT excluded). */
export function statementCount(sql: SqlResult): number {
  if (!sql.split) return sql.text.split('\n').filter((l) => l.trim() && !isComment(l) && l !== sql.begin && l !== sql.commit).length;
  return sql.operations.reduce((n, op) => n + op.sql.filter((l) => !isComment(l)).length, 0) + sql.deferred.length;
}

/** The lens over one operation: its first statement, shortened, or what Django says instead of SQL. */
export function operationTitle(op: OperationSql | undefined, max = 90): string {
  if (!op) return 'SQL: see the whole migration';
  const statements = op.sql.filter((l) => !isComment(l));
  if (!statements.length) return op.reducesToSql ? "no SQL: changes only Django's model state" : 'no SQL: runs Python code';
  const first = statements[0].replace(/\s+/g, ' ').trim();
  const more = statements.length > 1 ? ` (+${statements.length - 1} more)` : '';
  const room = max - more.length;
  return (first.length > room ? `${first.slice(0, room - 1)}…` : first) + more;
}

export type RunLens = { title: string; command: 'applyTo' | 'rollbackTo' | 'unapply'; target: string } | undefined;

/** Apply up to here, roll back to here, or unapply, according to the migration's state in the database. */
export function runLens(m: MigrationSummary, app: AppSummary): RunLens {
  if (m.replacedBy || m.status === 'unknown' || m.drift) return undefined;
  const list = app.migrations.filter((x) => !x.replacedBy);
  const i = list.findIndex((x) => x.name === m.name);
  if (m.status === 'pending') return { title: '$(play) Apply up to here', command: 'applyTo', target: m.name };
  const laterApplied = list.slice(i + 1).some((x) => x.status === 'applied');
  if (laterApplied) return { title: '$(debug-step-back) Roll back to here', command: 'rollbackTo', target: m.name };
  return { title: '$(debug-step-back) Unapply', command: 'unapply', target: i > 0 ? list[i - 1].name : 'zero' };
}

/** The read-only SQL document: a header naming what it is, then exactly what sqlmigrate prints. */
export function sqlDocument(sql: SqlResult, vendor: string): string {
  const direction = sql.backwards ? 'backward (unapply)' : 'forward (apply)';
  const cmd = `manage.py sqlmigrate ${sql.backwards ? '--backwards ' : ''}${sql.app} ${sql.name}`;
  return [`-- ${sql.app}.${sql.name}: ${direction} on ${vendor}`, `-- exactly what \`${cmd}\` prints; read-only`, '', sql.text].join('\n');
}

/** The line of an operation's section in the SQL document (Django heads each with `-- <description>`). */
export function operationLine(document: string, op: OperationSql | undefined): number {
  if (!op) return 0;
  const lines = document.split('\n');
  const at = lines.findIndex((l) => l === `-- ${op.description}`);
  return at < 0 ? 0 : Math.max(0, at - 1);
}
