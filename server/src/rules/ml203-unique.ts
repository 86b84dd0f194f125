// ML203: a uniqueness added to existing data (unique=True, OneToOneField, unique_together,
// UniqueConstraint) fails the migration on the first duplicate.
import { addedEmptyHere, className, databaseOperations, earlierInChange, isDataOperation, safeWay, sqlText, stringList } from '../analysis/risk';
import { fieldInfo, isNullable, isUnique, hasDefault, isManyToMany } from '../analysis/fields';
import { opArg } from '../analysis/extract';
import { together } from '../analysis/state';
import { duplicatesProbe } from '../analysis/live';
import type { Probe } from '../protocol';
import type { ModelState } from '../analysis/state';
import { allOperations, Operation } from '../analysis/model';
import type { Finding, Rule, RuleContext } from './types';

const KINDS = new Set(['AlterField', 'AddField', 'AlterUniqueTogether', 'AddConstraint']);

export const rule: Rule = {
  code: 'ML203',
  name: 'unique',
  title: 'unique added on existing data fails on duplicates',
  defaultSeverity: 'warning',
  risk: 'medium',
  scope: 'project',
  docs: [
    'Adding a uniqueness (`unique=True`, ForeignKey -> OneToOneField, `unique_together`,',
    '`UniqueConstraint`) to a table with rows fails the migration on the first duplicate, after',
    'the table was locked while the index was built. A new NOT NULL column with `unique=True` gets the',
    'same default in every row: it fails on any table with two rows.',
    '',
    'Safe way: find and resolve the duplicates in a data migration first:',
    '```python',
    'from django.db.models import Count',
    'Product.objects.values("sku").annotate(n=Count("id")).filter(n__gt=1)',
    '```',
  ].join('\n'),

  check(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    // A new unique NOT NULL column is certain to collide (every row gets one value); a uniqueness
    // over existing values fails only if duplicates exist, which the migrations cannot show.
    const push = (op: { nameRange: Finding['range'] }, what: string, cls: string, fields: string[], extra = '', probe?: Probe, certain = false) =>
      out.push({
        code: 'ML203',
        range: op.nameRange,
        ...(certain ? {} : { possible: POSSIBLE }),
        message: !certain
          ? `${what}: the migration fails on the first duplicate if the table already holds any; nothing in the migrations says whether it does (with the database read, ML602 counts them).`
          : `${what}: the migration fails on the first duplicate already in the table${extra}.`,
        help: safeWay(
          fields.length && fields.every((f) => f !== '?' && f !== '...')
            ? [
                '# before this migration, find and resolve the duplicates (RunPython):',
                `${cls} = apps.get_model("${ctx.file.app}", "${cls}")`,
                `${cls}.objects.values(${fields.map((f) => `"${f}"`).join(', ')}).annotate(n=Count("pk")).filter(n__gt=1)`,
              ]
            : ['# before this migration, find and resolve the rows the new constraint would reject (its expressions and condition), in a RunPython'],
        ),
        data: { fields, ...(probe ? { probe } : {}) },
      });
    for (const { op, view, model, field } of databaseOperations(ctx, KINDS)) {
      if (!model || view?.newTable) continue;
      // Uniqueness that an existing one implies, or that a column of NULLs only just added cannot break.
      // Judged against the uniqueness in force before this migration too: dropping `unique` and adding a wider constraint in one go relaxes it.
      const atStart = ctx.state?.before(ctx.key)?.get(model.toLowerCase());
      const cannotFail = (fields: string[]) => impliedBy(view?.model, fields) || impliedBy(atStart, fields) || fields.some((f) => addedEmptyHere(ctx, model, f)) || dedupedBefore(ctx, op, model);
      const cls = className(view?.model, model);
      if (op.kind === 'AlterField' && field) {
        const before = view?.field?.info;
        const after = fieldInfo(opArg(op, 2, 'field'));
        if (!before || !after || isUnique(before) || !isUnique(after) || cannotFail([field])) continue;
        push(op, `AlterField ${model}.${field} makes the column unique`, cls, [field], '', duplicatesProbe(ctx.file.app, view?.model, model, [field]));
      } else if (op.kind === 'AddField' && field) {
        const f = fieldInfo(opArg(op, 2, 'field'));
        if (!f || !isUnique(f) || isNullable(f) || isManyToMany(f)) continue;
        // An auto-incremented key is numbered row by row by the database: it cannot collide.
        if (/AutoField$/.test(f.cls)) continue;
        // NULLs never collide; one default in every row always does, beyond the first row.
        push(
          op,
          `AddField ${model}.${field} adds a unique NOT NULL column`,
          cls,
          [field],
          hasDefault(f) ? ': every existing row gets the same default, so any table with two rows fails' : '',
          undefined,
          true,
        );
      } else if (op.kind === 'AlterUniqueTogether') {
        const before = new Set((view?.model?.uniqueTogether ?? []).map(setKey));
        const added = together(opArg(op, 1, 'unique_together')).filter((g) => !before.has(setKey(g)));
        for (const g of added.filter((g) => !cannotFail(g))) push(op, `unique_together (${g.join(', ')}) on ${cls}`, cls, g, '', duplicatesProbe(ctx.file.app, view?.model, model, g));
      } else if (op.kind === 'AddConstraint') {
        const c = opArg(op, 1, 'constraint');
        if (c?.kind !== 'call' || !c.callee.endsWith('UniqueConstraint')) continue;
        const fields = c.kwargs.fields;
        const names = stringList(fields);
        const name = c.kwargs.name?.kind === 'str' ? c.kwargs.name.value : undefined;
        if (!c.kwargs.condition && names.length && !names.includes('?') && !names.includes('...') && cannotFail(names)) continue;
        push(op, `UniqueConstraint${name ? ` ${name}` : ''} (${names.join(', ')}) on ${cls}`, cls, names, '', names.length ? duplicatesProbe(ctx.file.app, view?.model, model, names) : undefined);
      }
    }
    return out;
  },
};

const POSSIBLE = 'Whether it fails depends on the rows: duplicates the migrations cannot show.';

const setKey = (g: string[]): string =>
  g
    .map((x) => x.toLowerCase())
    .sort()
    .join(',');

/**
 * The model is already unique on a subset of `fields` (a unique or primary key column, a
 * unique_together group, a UniqueConstraint): the new uniqueness follows from it and cannot fail.
 */
function impliedBy(model: ModelState | undefined, fields: string[]): boolean {
  if (!model) return false;
  const want = new Set(fields.map((f) => f.toLowerCase()));
  const sets: string[][] = [...model.uniqueTogether, ...(model.uniqueConstraints?.values() ?? [])];
  for (const [name, f] of model.fields) if (isUnique(f.info)) sets.push([name]);
  return sets.some((s) => s.length > 0 && s.every((x) => want.has(x.toLowerCase())));
}

/**
 * A data operation earlier in this migration that works on the model (a RunPython whose function
 * names it, a RunSQL on its table): the project removes the duplicates itself before the constraint.
 */
function dedupedBefore(ctx: RuleContext, op: Operation, model: string): boolean {
  const ops = allOperations(ctx.file.operations);
  const mentions = new RegExp(`\\b${model.replace(/[^\w]/g, '')}\\b`, 'i');
  // This migration up to the operation, and the app's earlier migrations of the same change.
  const earlier = earlierInChange(ctx);
  const candidates = [...ops.slice(0, ops.indexOf(op)).map((o) => ({ o, file: ctx.file })), ...earlier.flatMap((f) => allOperations(f.operations).map((o) => ({ o, file: f })))];
  return candidates.some(({ o, file }) => {
    if (!isDataOperation(o)) return false;
    if (o.kind === 'RunSQL') return mentions.test(sqlText(opArg(o, 0, 'sql')).replace(/_/g, ' '));
    const code = opArg(o, 0, 'code');
    const fn = code?.kind === 'name' ? file.functions.find((f) => f.name === code.name) : undefined;
    return !!fn && mentions.test(fn.text);
  });
}
