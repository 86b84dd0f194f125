// ML103: AlterField to another column type: the database converts every value in place, under a
// lock that blocks the table, and the migration fails on the first value that does not convert.
import { alterations, fieldSource, filledSince, safeWay, relationKey, unlessSameRelease } from '../analysis/risk';
import { introducedIn } from '../analysis/state';
import { convertProbe } from '../analysis/live';
import { FieldInfo, typeChange } from '../analysis/fields';
import type { Finding, Rule, RuleContext } from './types';

export const rule: Rule = {
  code: 'ML103',
  name: 'type-change',
  title: 'AlterField changes the column type without a conversion',
  defaultSeverity: 'warning',
  risk: 'high',
  scope: 'project',
  docs: [
    'Changing a field to another column type (CharField -> IntegerField, TextField -> DateField...) makes',
    'the database convert every existing value while the table is locked. One value that does not',
    'convert fails the migration; on MySQL in non-strict mode it is silently turned into 0 or NULL.',
    '',
    'Safe way: add a new column, convert the values in a data migration where you decide what to do',
    'with the ones that do not convert, switch the code over, then remove the old column.',
    '```python',
    'migrations.AddField("product", "sku_number", models.IntegerField(null=True)),',
    'migrations.RunPython(copy_sku_to_sku_number, reverse_code=migrations.RunPython.noop),',
    '# next release: RemoveField("product", "sku"), then RenameField sku_number -> sku',
    '```',
  ].join('\n'),

  check(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    for (const { op, index, view, model, field, before, after } of alterations(ctx)) {
      const change = typeChange(before.info, after, relationKey(ctx, view));
      if (change.kind !== 'convert') continue;
      // The safe way done: a data step of this migration, before the AlterField, works on the field
      // (wger `manager/0022` sets the '' values to NULL before text becomes a number).
      if (filledSince(ctx, field, ctx.key, index)) continue;
      // Text that only ever held generated UUIDs (`default=uuid.uuid4`, not editable) converts to UUIDField.
      if (after.cls === 'UUIDField' && generatedUuids(before.info)) continue;
      const temp = `${field}_new`;
      const newField = view?.fieldAfter ? fieldSource(ctx, view.fieldAfter, { null: 'True', default: null }) : `models.${after.cls}(null=True)`;
      out.push(
        unlessSameRelease(
          ctx,
          {
            code: 'ML103',
            range: op.nameRange,
            message: change.lost
              ? `AlterField ${model}.${field} changes the column type (${change.why}): every value converts, but ${change.lost} ` +
                'is dropped for good, and the table is locked while it is rewritten.'
              : `AlterField ${model}.${field} changes the column type (${change.why}): the table is locked while every ` +
                'value is converted, and one value that does not convert fails the migration (MySQL may store 0 or NULL instead).',
            help: safeWay([
              `migrations.AddField("${model}", "${temp}", ${newField}),`,
              `migrations.RunPython(convert_${field}, reverse_code=migrations.RunPython.noop),  # copy what converts, decide about the rest`,
              `# next release, once the code reads ${temp}:`,
              `migrations.RemoveField("${model}", "${field}"),`,
              `migrations.RenameField("${model}", "${temp}", "${field}"),`,
            ]),
            data: { model, field, from: before.info.cls, to: after.cls, probe: convertProbe(ctx.file.app, view?.model, model, before, after) },
          },
          // A field of this release holds only its default, unless a data migration copied values into it.
          filledSince(ctx, field, introducedIn(before) ?? before.definedIn, index) ? undefined : introducedIn(before),
          `the field ${model}.${field}`,
        ),
      );
    }
    return out;
  },
};

/** A text field whose values come from `uuid.uuid4` (or another uuid function) alone: not editable, wide enough. */
function generatedUuids(f: FieldInfo): boolean {
  const d = f.kwargs.default;
  const width = f.kwargs.max_length;
  return d?.kind === 'name' && /(^|\.)uuid[1345]$/.test(d.name) && f.kwargs.editable?.kind === 'bool' && !f.kwargs.editable.value && width?.kind === 'num' && width.value >= 32;
}
