// ML706: an AddField whose new column the database must compute for every existing row: a stored
// GeneratedField, or a `db_default` that differs per row (Random(), RandomUUID()). PostgreSQL
// rewrites the table under ACCESS EXCLUSIVE, MySQL and MariaDB copy it for a stored generated
// column (both observed: docs/impact.md). A constant or Now() default costs nothing.
import { className, databaseOperations, safeWay, tableName } from '../analysis/risk';
import { describeImpact, impactsOf } from '../analysis/impact';
import { opArg } from '../analysis/extract';
import { fieldInfo, isStoredGenerated, volatileDbDefault } from '../analysis/fields';
import type { Finding, Rule, RuleContext } from './types';

const KINDS = new Set(['AddField']);

export const rule: Rule = {
  code: 'ML706',
  name: 'column-rewrites-table',
  title: 'New column computed for every row: a stored GeneratedField or a volatile db_default rewrites the table',
  defaultSeverity: 'information',
  risk: 'low',
  scope: 'project',
  docs: [
    'Adding a nullable column, or one with a constant default, only changes the catalog on',
    'PostgreSQL 11+ and runs INSTANT on MySQL 8 and MariaDB 10.3+. Two kinds of column cannot be',
    'added that way, because the database must compute a value for every existing row:',
    '',
    '- a stored `GeneratedField` (`db_persist=True`): PostgreSQL rewrites the table under ACCESS',
    '  EXCLUSIVE (reads and writes wait), MySQL and MariaDB copy it (writes wait);',
    '- a `db_default` that differs per row (`Random()`, `RandomUUID()`): PostgreSQL writes a value',
    '  into every row, rewriting the table under ACCESS EXCLUSIVE. (`Now()` is the same for the',
    '  whole statement and costs nothing; MariaDB adds such a column INSTANT.)',
    '',
    'Reported on a table that exists before the migration, for PostgreSQL (known, or assumed when',
    'no engine is known), and for MySQL/MariaDB where it copies the table. With the database read,',
    'ML701 says the same as a warning once the table is big.',
    '',
    'Safe way:',
    '```python',
    '# a per-row default: add the column without it, fill it in batches, then set the default',
    'migrations.AddField("order", "token", models.UUIDField(null=True)),',
    '# next migration: RunPython that fills NULL tokens a few thousand rows at a time (atomic = False)',
    '# then: AlterField("order", "token", models.UUIDField(db_default=RandomUUID()))  # SET DEFAULT: no rewrite',
    '',
    '# a generated value: a plain column the code (or a trigger) keeps current, filled in batches,',
    '# or the expression computed in queries: Order.objects.annotate(total=F("qty") * F("price"))',
    '```',
    '',
    'Suppress with `# migration-lens: ignore ML706` on the operation when the table is small or a',
    'maintenance window covers it.',
  ].join('\n'),

  check(ctx: RuleContext): Finding[] {
    const engine = ctx.engine ?? { name: 'postgresql' as const };
    if (engine.name === 'sqlite') return [];
    const out: Finding[] = [];
    for (const { op, view, model, field } of databaseOperations(ctx, KINDS)) {
      const f = fieldInfo(opArg(op, 2, 'field'));
      if (!model || !field || !f || view?.newTable) continue;
      const why = isStoredGenerated(f) ? 'a stored generated column' : volatileDbDefault(f) ? `a column whose database default differs per row (${volatileDbDefault(f)})` : undefined;
      if (!why) continue;
      const table = tableName(ctx.file.app, view?.model, model);
      const impact = impactsOf(engine, op, view, table, () => undefined).find((i) => i.table === table && i.rewrite);
      if (!impact) continue;
      out.push({
        code: 'ML706',
        range: op.nameRange,
        message: `AddField ${className(view?.model, model)}.${field} adds ${why}: every existing row gets a value. ${describeImpact(engine, impact)}`,
        help: safeWay(
          isStoredGenerated(f)
            ? ['# a plain nullable column, filled in batches (RunPython) and kept current by the code,', '# or the expression computed in queries: .annotate(...)']
            : [
                `migrations.AddField("${model}", "${field}", ...the field with null=True and without db_default...),`,
                '# next migration: fill it in batches (RunPython, atomic = False), then AlterField with the db_default (SET DEFAULT: no rewrite)',
              ],
        ),
        data: { model, field, table, engine: engine.name },
      });
    }
    return out;
  },
};
