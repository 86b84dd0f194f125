// ML101: RemoveField drops the column with its data, and code from the previous release that still
// reads or writes the field fails until it is replaced.
import { databaseOperations, deployClause, valuesGo, fieldSource, isOperationOn, operationsAfter, safeWay, strArg, tableName, unlessSameRelease } from '../analysis/risk';
import { renamePairs } from '../analysis/renames';
import { lossProbe } from '../analysis/live';
import { columnOf, isManyToMany, isNullable } from '../analysis/fields';
import { introducedIn } from '../analysis/state';
import { allOperations } from '../analysis/model';
import type { Finding, Rule, RuleContext } from './types';

const KINDS = new Set(['RemoveField']);

export const rule: Rule = {
  code: 'ML101',
  name: 'remove-field',
  title: 'RemoveField drops a column and its data',
  defaultSeverity: 'warning',
  risk: 'high',
  scope: 'project',
  docs: [
    '`RemoveField` drops the column: its data is gone, and a rollback brings back an empty column.',
    'During the deploy the previous release is still running and still selects the column, so its',
    'queries fail until every process runs the new code.',
    '',
    'Safe way, over two releases:',
    '```python',
    '# Release 1: stop using the field in code; make it nullable so new rows need no value.',
    'migrations.AlterField("order", "note", models.TextField(null=True))',
    '# Release 2, once no running code uses it:',
    'migrations.RemoveField("order", "note")',
    '```',
  ].join('\n'),

  check(ctx: RuleContext): Finding[] {
    const renamed = new Set(renamePairs(ctx).map((p) => p.remove.op));
    const out: Finding[] = [];
    for (const { op, view, model, field } of databaseOperations(ctx, KINDS)) {
      if (!model || !field || view?.newTable || renamed.has(op)) continue;
      // The model's DeleteModel later in this migration drops the table: that is the finding.
      if (ctx.file.operations.some((o) => isOperationOn(o, 'DeleteModel', model))) continue;
      const table = tableName(ctx.file.app, view?.model, model);
      const before = view?.field;
      // A field of this release, or a name a RenameField of this release gave it (the running release
      // knows the column by its old name, and broke at the rename: ML201 says so there).
      const report = (message: string, help: string, data: Record<string, unknown>) => {
        const f = unlessSameRelease(ctx, { code: 'ML101', range: op.nameRange, message, help, data }, introducedIn(before ?? undefined), `the field ${model}.${field}`);
        out.push(f.moot || !before?.namedIn ? f : unlessSameRelease(ctx, f, before.namedIn, `the name ${model}.${field} (its column renamed)`));
      };
      if (before && isManyToMany(before.info)) {
        // A many-to-many has no column: Django drops its own join table, or nothing when `through=` names a model.
        if (before.info.kwargs.through) continue;
        report(
          `RemoveField ${model}.${field} drops the many-to-many table ${table}_${field.toLowerCase()} and its rows` + deployClause(ctx, 'it') + valuesGo(ctx, 'The rows go with the table'),
          safeWay(['# Release 1: stop using the field in code and deploy.', '# Release 2, once no running code uses it:', `migrations.RemoveField("${model}", "${field}"),`]),
          { model, field },
        );
        continue;
      }
      const column = before ? columnOf(field, before.info) : field;
      // A swap: a later RenameField of this migration gives another field this name. The field stays
      // in the model; what changes under its name is the column (its type, its values).
      // Only when the column it gets is the one dropped (Kiwi `testcases/0007`: the old field's
      // db_column was `isautomated`, the new one's column is `is_automated`: an ordinary drop).
      const swap = operationsAfter(ctx, op).find((o) => {
        if (o.kind !== 'RenameField' || o.origin !== 'django' || strArg(o, 0, 'model_name')?.toLowerCase() !== model.toLowerCase() || strArg(o, 2, 'new_name') !== field) return false;
        const moved = view?.model?.fields.get(strArg(o, 1, 'old_name')?.toLowerCase() ?? '');
        return !moved || columnOf(field, moved.info) === column;
      });
      if (swap) {
        const from = strArg(swap, 1, 'old_name');
        report(
          `RemoveField ${model}.${field} drops column "${column}" of ${table}, and RenameField ${from} -> ${field} in this migration puts another column under that name: ` +
            'the field stays in the model, but the release still running during the deploy reads and writes the new column as if it were the old one (its type, its values).',
          safeWay([
            `# keep both columns for a release: the code moves to ${from} (RunPython copies the values), and the old`,
            `# column goes a release later; or run this migration after the deploy that ships the new ${field}`,
          ]),
          { model, field, swap: from },
        );
        continue;
      }
      // The running code must not have the field any more when its column goes: Django selects every
      // field of the model class. So the field leaves models.py one release before this migration runs.
      const steps =
        ctx.file.deployPhase?.phase === 'after'
          ? [`# keep a copy if the values may be needed: manage.py dumpdata ${ctx.file.app}, or a backup table`]
          : [
              '# Release 1: remove the field from the model class (models.py), and let new rows omit the column:',
              ...(before && !isNullable(before.info) ? [`migrations.AlterField("${model}", "${field}", ${fieldSource(ctx, before, { null: 'True' })}),`] : []),
              '# Release 2, once no running code has the field (or mark this migration to run after the deploy):',
              `migrations.RemoveField("${model}", "${field}"),`,
            ];
      // A RenameField earlier in this migration gave the field this name: the running release knows
      // the column by the old one (Saleor `product/0107` renames `attributes` to `old_attributes`, copies, drops).
      const all = allOperations(ctx.file.operations);
      const renamedHere = all
        .slice(0, all.indexOf(op))
        .find(
          (o) =>
            o.kind === 'RenameField' && o.origin === 'django' && strArg(o, 0, 'model_name')?.toLowerCase() === model.toLowerCase() && strArg(o, 2, 'new_name')?.toLowerCase() === field.toLowerCase(),
        );
      const was = renamedHere && strArg(renamedHere, 1, 'old_name');
      const drops = was
        ? `RemoveField ${model}.${field} drops the column that the RenameField ${was} -> ${field} above renamed, which the release still running reads and writes as "${was}"`
        : `RemoveField ${model}.${field} drops column "${column}" of ${table}`;
      const advice = was
        ? [
            `# Release 1: stop using ${was} in the code (models.py), and copy its values where the new code reads them`,
            '# Release 2, once no running code has the field (or mark this migration to run after the deploy):',
            `migrations.RemoveField("${model}", "${was}"),`,
          ]
        : steps;
      report(drops + deployClause(ctx, 'it') + valuesGo(ctx, 'The values go with the column'), safeWay(advice), {
        model,
        field,
        probe: lossProbe(ctx.file.app, view?.model, model, before ?? undefined),
      });
    }
    return out;
  },
};
