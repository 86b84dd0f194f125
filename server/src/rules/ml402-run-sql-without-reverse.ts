// ML402: RunSQL without reverse_sql cannot be rolled back.
import { allOperations, PyValue } from '../analysis/model';
import { opArg } from '../analysis/extract';
import { appendKeywordArgument } from '../analysis/edits';
import type { CodeFix, Finding, Rule, RuleContext } from './types';

export const rule: Rule = {
  code: 'ML402',
  name: 'run-sql-without-reverse',
  title: 'RunSQL without reverse_sql',
  defaultSeverity: 'warning',
  scope: 'file',
  docs: [
    'A `RunSQL` without `reverse_sql` is irreversible: rolling back past it stops with',
    '`IrreversibleError` after Django has already unapplied the migrations above it.',
    '',
    'Give the SQL that undoes it, or `migrations.RunSQL.noop` when nothing needs undoing:',
    '```python',
    'migrations.RunSQL(',
    '    sql="CREATE INDEX order_created_idx ON orders_order (created_at);",',
    '    reverse_sql="DROP INDEX order_created_idx;",',
    ')',
    '```',
  ].join('\n'),

  check({ file }: RuleContext): Finding[] {
    const out: Finding[] = [];
    allOperations(file.operations).forEach((op, index) => {
      if (op.kind !== 'RunSQL' || op.origin !== 'django') return;
      const reverse = opArg(op, 1, 'reverse_sql');
      if (reverse && reverse.kind !== 'none') return;
      out.push({
        code: 'ML402',
        range: op.nameRange,
        message:
          'RunSQL has no reverse_sql: this migration cannot be rolled back, and a rollback past it fails ' +
          'after unapplying the migrations above it. Add the SQL that undoes it, or ' +
          '`reverse_sql=migrations.RunSQL.noop` if nothing needs undoing.',
        data: { operation: index },
      });
    });
    return out;
  },

  fixes(finding, { file, text }): CodeFix[] {
    const op = allOperations(file.operations)[finding.data?.operation as number];
    if (!op || op.kind !== 'RunSQL') return [];
    const fixes: CodeFix[] = [];
    const noop = appendKeywordArgument(text, op, 'reverse_sql', 'migrations.RunSQL.noop');
    if (noop) fixes.push({ title: 'Add reverse_sql=migrations.RunSQL.noop', edits: [noop] });
    const derived = reverseFor(opArg(op, 0, 'sql'));
    const skeleton = appendKeywordArgument(text, op, 'reverse_sql', derived ? pyString(derived) : pyString('-- SQL that undoes the statement above'));
    if (skeleton) {
      fixes.push({
        title: derived ? `Add reverse_sql: ${derived}` : 'Add a reverse_sql skeleton',
        preferred: !!derived,
        edits: [skeleton],
      });
    }
    return fixes;
  },
};

const CREATE =
  /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:UNIQUE\s+)?(TABLE|INDEX|VIEW|MATERIALIZED\s+VIEW|SEQUENCE|EXTENSION|SCHEMA|TYPE|TRIGGER|FUNCTION)\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?("[^"]+"|`[^`]+`|[\w.]+)(\s+ON\s+("[^"]+"|`[^`]+`|[\w.]+))?/i;

/** The DROP that undoes a single CREATE statement, when the SQL is that simple. */
export function reverseFor(sql: PyValue | undefined): string | undefined {
  if (sql?.kind !== 'str') return undefined;
  const statements = sql.value
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  if (statements.length !== 1) return undefined;
  const m = CREATE.exec(statements[0]);
  if (!m) return undefined;
  const kind = m[1].toUpperCase().replace(/\s+/g, ' ');
  if (kind === 'FUNCTION') return undefined; // DROP FUNCTION needs the argument types
  const on = kind === 'TRIGGER' && m[4] ? ` ON ${m[4]}` : '';
  return `DROP ${kind} IF EXISTS ${m[2]}${on};`;
}

function pyString(s: string): string {
  return JSON.stringify(s); // a JSON string of plain SQL is a valid Python string literal
}
