// ML701: a pending schema operation rewrites or reads every row of a big table while other
// sessions wait: its impact on the project's engine (server/src/analysis/impact.ts) with the table's
// size read from the database. Nothing is said until the size is known: on a small table the same
// statement is over before anyone notices.
import { describeImpact, Engine, TableImpact } from '../analysis/impact';
import type { Operation } from '../analysis/model';
import { safeWay } from '../analysis/risk';
import type { Finding, Rule } from './types';

/** The default size from which a blocking rewrite or full read is worth a warning. */
export const BIG_TABLE_ROWS = 100_000;
const BIG_TABLE_BYTES = 1e9;

export const rule: Rule = {
  code: 'ML701',
  name: 'blocking-big-table',
  title: 'Pending operation rewrites or reads a big table while others wait (engine and size read)',
  defaultSeverity: 'warning',
  risk: 'high',
  scope: 'live',
  docs: [
    'What a schema operation costs depends on the engine and the table. On PostgreSQL an',
    '`ALTER COLUMN ... TYPE` that is not binary-compatible rewrites the table under ACCESS EXCLUSIVE,',
    '`SET NOT NULL` and a new CHECK or FOREIGN KEY read every row under it, and `CREATE INDEX` blocks',
    'writes until the index is built; on MySQL and MariaDB a change that runs with `ALGORITHM=COPY`',
    'copies the table while writes wait; on SQLite Django rebuilds the table. On a table of a few',
    'thousand rows that is over in a moment; on millions of rows the application stops for minutes.',
    '',
    'Reported for pending migrations once the database is read: the engine and version it reports',
    '(or `migrationLens.engine`), the table size from the catalog (PostgreSQL `pg_class.reltuples`',
    'and `pg_total_relation_size`, MySQL/MariaDB `information_schema.TABLES`, SQLite a bounded count).',
    'Big means `migrationLens.impact.bigTableRows` rows (default 100,000; CLI `--big-table`) or 1 GB.',
    '',
    'Safe ways on PostgreSQL:',
    '```python',
    '# an index: build it without blocking writes, outside a transaction',
    'from django.contrib.postgres.operations import AddIndexConcurrently',
    'class Migration(migrations.Migration):',
    '    atomic = False',
    '    operations = [AddIndexConcurrently("order", models.Index(fields=["status"], name="order_status_idx"))]',
    '',
    '# a CHECK constraint: add it NOT VALID (no scan), validate it later (no write lock)',
    'from django.contrib.postgres.operations import AddConstraintNotValid, ValidateConstraint',
    'operations = [AddConstraintNotValid("order", models.CheckConstraint(check=models.Q(qty__gte=0), name="qty_gte_0")),',
    '              ValidateConstraint("order", "qty_gte_0")]',
    '',
    '# NOT NULL (PostgreSQL 12+): a validated CHECK lets SET NOT NULL skip its scan',
    'migrations.RunSQL("ALTER TABLE orders_order ADD CONSTRAINT note_not_null CHECK (note IS NOT NULL) NOT VALID"),',
    'migrations.RunSQL("ALTER TABLE orders_order VALIDATE CONSTRAINT note_not_null"),',
    '# then the AlterField (SET NOT NULL uses the constraint), then drop the CHECK',
    '```',
    'A type change: add a new column, fill it in batches, switch the code, drop the old one.',
    'On MySQL/MariaDB a COPY can run online with pt-online-schema-change or gh-ost.',
    '',
    'Suppress with `# migration-lens: ignore ML701` on the operation when a maintenance window covers it.',
  ].join('\n'),
  check: () => [],
  impact: { finding: (op, engine, impact, options) => blockingBigTable(op, engine, impact, options.bigTableRows) },
};

/** The finding for one table an operation touches, or undefined when it is quick or its size unknown. */
export function blockingBigTable(op: Operation, engine: Engine, impact: TableImpact, bigTableRows = BIG_TABLE_ROWS): Finding | undefined {
  const heavy = impact.rewrite || impact.scan || impact.rebuild;
  if (!heavy || !impact.blocks.length) return undefined;
  const big = (impact.rows !== undefined && impact.rows >= bigTableRows) || (impact.bytes !== undefined && impact.bytes >= BIG_TABLE_BYTES);
  if (!big) return undefined;
  return {
    code: 'ML701',
    range: op.nameRange,
    message: `${op.kind} on a big table. ${describeImpact(engine, impact)}`,
    help: safeWay(safeSteps(op, engine, impact)),
    data: { table: impact.table, rows: impact.rows, bytes: impact.bytes, engine: engine.name },
  };
}

function safeSteps(op: Operation, engine: Engine, impact: TableImpact): string[] {
  if (engine.name === 'postgresql') {
    if (impact.lock === 'SHARE') return ['# build the index without blocking writes (atomic = False on the migration):', 'from django.contrib.postgres.operations import AddIndexConcurrently'];
    if (impact.rewrite) return ['# add a new column, fill it in batches (RunPython), switch the code, then drop the old column'];
    if (op.kind === 'AddConstraint')
      return ['# add it NOT VALID, then validate it apart (no write lock while it reads):', 'from django.contrib.postgres.operations import AddConstraintNotValid, ValidateConstraint'];
    return [
      '# NOT NULL: add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, then SET NOT NULL (PostgreSQL 12+ skips its scan);',
      '# a unique column: CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX;',
      '# a foreign key: ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT',
    ];
  }
  if (engine.name === 'sqlite') return ['# SQLite copies the table: run it when no one writes, or keep the table small'];
  return ['# run the change online with pt-online-schema-change or gh-ost, or split it: add a new column (INSTANT), fill it in batches, swap'];
}
