// ML106: AlterField that leaves less room: max_length, max_digits/decimal_places or the integer
// width lowered. Values that no longer fit fail the migration, or are cut on MySQL.
import { addedEmptyHere, alterations, filledSince, kwargSource, safeWay, relationKey, unlessSameRelease } from '../analysis/risk';
import { introducedIn } from '../analysis/state';
import { convertProbe } from '../analysis/live';
import { familyOf, FieldInfo, integerWidth, typeChange } from '../analysis/fields';
import type { Finding, Rule, RuleContext } from './types';

export const rule: Rule = {
  code: 'ML106',
  name: 'narrowing',
  title: 'max_length lowered or precision reduced',
  defaultSeverity: 'warning',
  risk: 'high',
  scope: 'project',
  docs: [
    'Lowering `max_length`, `max_digits`/`decimal_places` or the integer size (BigIntegerField ->',
    'IntegerField) makes existing values that do not fit fail the migration (PostgreSQL, MySQL in',
    'strict mode) or be cut and rounded silently (MySQL otherwise).',
    '',
    'Safe way: find and fix the values that do not fit in a data migration before narrowing:',
    '```python',
    'from django.db.models.functions import Length',
    'Product = apps.get_model("store", "Product")',
    'Product.objects.annotate(n=Length("sku")).filter(n__gt=32)  # shorten or fix these first',
    '```',
  ].join('\n'),

  check(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    for (const { op, index, view, model, field, before, after } of alterations(ctx)) {
      const change = typeChange(before.info, after, relationKey(ctx, view));
      if (change.kind !== 'narrow' || addedEmptyHere(ctx, model, field)) continue;
      // The ids of an auto key are positive: a foreign key to one becomes a positive integer as wide (NetBox `circuits/0051`).
      if (autoKeyFits(familyOf(before.info) === 'relation' ? relationKey(ctx, view)(before.info) : undefined, after)) continue;
      // An integer field whose literal choices all fit the smaller type: the application writes no other value.
      if (choicesFit(kwargSource(ctx, before, 'choices'), after)) continue;
      // The safe way done: a data step of this migration, before the AlterField, works on the field
      // (paperless-ngx clamps `barcode_dpi__gt=32767` first). A backfill in an earlier migration is not a fix.
      if (filledSince(ctx, field, ctx.key, index)) continue;
      const limit = /max_length \d+ -> (\d+)|max_length=(\d+)/.exec(change.why);
      const n = limit?.[1] ?? limit?.[2];
      const cls = view?.model?.name ?? model;
      out.push(
        unlessSameRelease(
          ctx,
          {
            code: 'ML106',
            range: op.nameRange,
            message: change.why.endsWith('values are rounded')
              ? `AlterField ${model}.${field} keeps fewer decimal places (${change.why}): the database rounds every existing ` + 'value and the digits cut off are lost; the migration does not fail.'
              : /^(TextField|CITextField) -> /.test(change.why)
                ? // Django converts text to varchar with `USING "col"::varchar(n)`: an explicit cast, which PostgreSQL truncates.
                  `AlterField ${model}.${field} leaves less room (${change.why}): longer existing values are cut silently on ` +
                  'PostgreSQL (Django converts with an explicit ::varchar cast) and on MySQL outside strict mode, or fail the migration in strict mode.'
                : `AlterField ${model}.${field} leaves less room (${change.why}): existing values that do not fit fail the ` + 'migration, or are cut silently on MySQL outside strict mode.',
            help: safeWay(
              n
                ? [
                    '# before this migration, fix the values that are too long (RunPython):',
                    `${cls} = apps.get_model("${ctx.file.app}", "${cls}")`,
                    `${cls}.objects.annotate(n=Length("${field}")).filter(n__gt=${n})`,
                  ]
                : ['# before this migration, find and fix the values out of the new range (RunPython)'],
            ),
            data: { model, field, why: change.why, probe: convertProbe(ctx.file.app, view?.model, model, before, after) },
            // A field of this release holds only its default, unless a data migration copied values into it.
          },
          filledSince(ctx, field, introducedIn(before) ?? before.definedIn, index) ? undefined : introducedIn(before),
          `the field ${model}.${field}`,
        ),
      );
    }
    return out;
  },
};

/**
 * `choices=[(0, "None"), (1, "Any word"), ...]` written out with integer values, all in the range
 * of the new integer type (paperless-ngx `documents/0010`: PositiveIntegerField ->
 * PositiveSmallIntegerField). Choices named by a constant are not read: the finding stays.
 */
function choicesFit(source: string | undefined, after: FieldInfo): boolean {
  const width = integerWidth(after);
  if (!source || !width || !/^\s*[[(]/.test(source)) return false;
  const values = [...source.matchAll(/[[(,]\s*\(\s*(-?\d+)\s*,/g)].map((m) => Number(m[1]));
  // Every choice must be a literal pair: as many values as pairs.
  const pairs = (source.match(/\(\s*[^()\s,]+\s*,/g) ?? []).length;
  if (!values.length || values.length !== pairs) return false;
  const max = 2 ** (width.bits - 1) - 1;
  const min = width.unsigned ? 0 : -(2 ** (width.bits - 1));
  return values.every((v) => v >= min && v <= max);
}

const AUTO_BITS: Record<string, number> = { SmallAutoField: 16, AutoField: 32, BigAutoField: 64 };

/** A key Django numbers from 1 (an auto field), and a positive integer field at least as wide. */
function autoKeyFits(key: FieldInfo | undefined, after: FieldInfo): boolean {
  const bits = key && AUTO_BITS[key.cls];
  const width = integerWidth(after);
  return !!bits && !!width?.unsigned && width.bits >= bits;
}
