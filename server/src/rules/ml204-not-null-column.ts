// ML204: a NOT NULL column added to an existing table without a database default. Django writes its
// default into the existing rows and then drops it, so inserts from the release still running
// during the deploy fail; without any default the migration itself fails on a table with rows.
import { databaseOperations, fieldSource, safeWay } from '../analysis/risk';
import { fieldInfo, hasDbDefault, hasDefault, isManyToMany, isNullable } from '../analysis/fields';
import { opArg } from '../analysis/extract';
import type { Finding, Rule, RuleContext } from './types';

const KINDS = new Set(['AddField']);

export const rule: Rule = {
  code: 'ML204',
  name: 'not-null-column',
  title: 'NOT NULL column added without a database default',
  defaultSeverity: 'warning',
  risk: 'medium',
  scope: 'project',
  docs: [
    'Django adds a NOT NULL column with its `default` only for the existing rows and then drops the',
    'default from the database. The release still running during the deploy inserts rows without the',
    'column and fails. Without any default, the migration fails on a table that has rows.',
    '',
    'Safe way: add the column nullable, backfill, then set NOT NULL in a later migration; on Django 5+',
    'a `db_default` keeps the default in the database:',
    '```python',
    'migrations.AddField("order", "priority", models.IntegerField(null=True)),',
    '# backfill with RunPython, then in the next release:',
    'migrations.AlterField("order", "priority", models.IntegerField(default=0)),',
    '```',
  ].join('\n'),

  check(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    for (const { op, view, model, field } of databaseOperations(ctx, KINDS)) {
      const f = fieldInfo(opArg(op, 2, 'field'));
      if (!model || !field || !f || view?.newTable) continue;
      if (isNullable(f) || isManyToMany(f) || hasDbDefault(f)) continue;
      const withDefault = hasDefault(f);
      const nullable = view?.fieldAfter ? fieldSource(ctx, view.fieldAfter, { null: 'True', default: null }) : `models.${f.cls}(null=True)`;
      out.push({
        code: 'ML204',
        range: op.nameRange,
        message:
          (withDefault
            ? `AddField ${model}.${field} adds a NOT NULL column whose default Django drops after filling the existing rows: ` +
              'inserts from the release still running during the deploy fail.'
            : `AddField ${model}.${field} adds a NOT NULL column without a default: the migration fails on a table that has rows.`) +
          safeWay([
            `migrations.AddField("${model}", "${field}", ${nullable}),`,
            '# backfill with RunPython; in the next release, once the code writes it:',
            `migrations.AlterField("${model}", "${field}", ${view?.fieldAfter ? fieldSource(ctx, view.fieldAfter) : '...'}),`,
          ]),
        data: { model, field, default: withDefault },
      });
    }
    return out;
  },
};
