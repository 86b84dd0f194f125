// ML705: a migration takes ACCESS EXCLUSIVE on a table that already exists, and nothing bounds how
// long it waits for that lock. Behind a long transaction (a report, a stuck worker) the ALTER
// waits, and every query on the table queues behind the ALTER: the application stops although the
// change itself is instant. A lock_timeout makes the migration fail fast instead, to be retried.
import { databaseOperations, safeWay, tableName } from '../analysis/risk';
import { impactsOf } from '../analysis/impact';
import { lineText } from '../analysis/edits';
import { targetModel } from '../analysis/state';
import type { CodeFix, Finding, Rule, RuleContext } from './types';

export const rule: Rule = {
  code: 'ML705',
  name: 'no-lock-timeout',
  title: 'ACCESS EXCLUSIVE on an existing table without a lock_timeout (PostgreSQL)',
  defaultSeverity: 'information',
  risk: 'low',
  scope: 'project',
  docs: [
    'Most schema changes on PostgreSQL take ACCESS EXCLUSIVE on the table, if only for a moment',
    '(adding a nullable column, renaming, dropping). The lock is granted only when every other',
    'transaction that touched the table has ended; meanwhile the ALTER waits in the lock queue, and',
    'every later query on the table, reads included, queues behind it. One long report or an idle',
    'transaction left open is enough to stop the application for as long as it runs.',
    '',
    'A `lock_timeout` makes the migration give up instead (nothing is changed; retry it later).',
    'Reported once per migration, on its first operation that takes ACCESS EXCLUSIVE on an existing',
    'table, where the engine is known to be PostgreSQL (read from the database, set, or named in the',
    'settings module; not when it is only assumed). Quiet when the migration sets',
    'a lock_timeout itself, or when a settings module of the project names `lock_timeout` (the',
    "connection's `OPTIONS`). The extension's own migrate can pass one too:",
    '`migrationLens.migrate.lockTimeout`.',
    '',
    'Safe way, for every migration (settings.py):',
    '```python',
    'DATABASES["default"]["OPTIONS"] = {"options": "-c lock_timeout=5s"}  # psycopg; or a deploy-only settings module',
    '```',
    'or in one atomic migration, as its first operation:',
    '```python',
    'migrations.RunSQL("SET LOCAL lock_timeout = \'5s\'", migrations.RunSQL.noop),',
    '```',
    '',
    'Suppress with `# migration-lens: ignore ML705` on the operation.',
  ].join('\n'),

  check(ctx: RuleContext): Finding[] {
    // Only where PostgreSQL is known (read, set or named in the settings), not merely assumed: on
    // every other engine the advice is noise, and it would be said of nearly every migration.
    const engine = ctx.engine;
    if (engine?.name !== 'postgresql' || ctx.lockTimeout || /lock_timeout/i.test(ctx.text)) return [];
    for (const { op, view } of databaseOperations(ctx)) {
      const table = tableName(ctx.file.app, view?.model, targetModel(op) ?? '');
      const exclusive = impactsOf(engine, op, view, table, () => undefined).find((i) => i.lock === 'ACCESS EXCLUSIVE');
      if (!exclusive) continue;
      return [
        {
          code: 'ML705',
          range: op.nameRange,
          message: `${op.kind} takes ACCESS EXCLUSIVE on ${exclusive.table}, with no lock_timeout: if another transaction holds a lock on the table, the migration waits for it, and every query on ${exclusive.table} waits behind the migration.`,
          help: safeWay([
            "# every migration: the connection's OPTIONS in settings.py",
            'DATABASES["default"]["OPTIONS"] = {"options": "-c lock_timeout=5s"}',
            '# or this migration alone (atomic), as its first operation:',
            'migrations.RunSQL("SET LOCAL lock_timeout = \'5s\'", migrations.RunSQL.noop),',
          ]),
          data: { table: exclusive.table },
        },
      ];
    }
    return [];
  },

  // SET LOCAL lasts until the migration's transaction ends: offered for an atomic migration.
  fixes(_finding: Finding, { file, text }: RuleContext): CodeFix[] {
    const first = file.operations[0];
    if (file.atomic === false || !first) return [];
    const at = { line: first.range.start.line, character: first.range.start.character };
    // The next operation's own line and indentation, or the same line when it shares one with `[`.
    const before = lineText(text, at.line).slice(0, at.character);
    const sep = /^\s*$/.test(before) ? `\n${before}` : ' ';
    return [
      {
        title: "Set a lock_timeout for this migration (SET LOCAL lock_timeout = '5s')",
        preferred: true,
        edits: [{ range: { start: at, end: at }, newText: `migrations.RunSQL("SET LOCAL lock_timeout = '5s'", migrations.RunSQL.noop),${sep}` }],
      },
    ];
  },
};
