// ML203: a uniqueness added to existing data (unique=True, OneToOneField, unique_together,
// UniqueConstraint) fails the migration on the first duplicate.
import { className, databaseOperations, safeWay, stringList } from '../analysis/risk';
import { fieldInfo, isNullable, isUnique, hasDefault, isManyToMany } from '../analysis/fields';
import { opArg } from '../analysis/extract';
import { together } from '../analysis/state';
import { duplicatesProbe } from '../analysis/live';
import type { Probe } from '../protocol';
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
    const push = (op: { nameRange: Finding['range'] }, what: string, cls: string, fields: string[], extra = '', probe?: Probe) =>
      out.push({
        code: 'ML203',
        range: op.nameRange,
        message:
          `${what}: the migration fails on the first duplicate already in the table${extra}.` +
          safeWay([
            '# before this migration, find and resolve the duplicates (RunPython):',
            `${cls}.objects.values(${fields.map((f) => `"${f}"`).join(', ')}).annotate(n=Count("pk")).filter(n__gt=1)`,
          ]),
        data: { fields, ...(probe ? { probe } : {}) },
      });
    for (const { op, view, model, field } of databaseOperations(ctx, KINDS)) {
      if (!model || view?.newTable) continue;
      const cls = className(view?.model, model);
      if (op.kind === 'AlterField' && field) {
        const before = view?.field?.info;
        const after = fieldInfo(opArg(op, 2, 'field'));
        if (!before || !after || isUnique(before) || !isUnique(after)) continue;
        push(op, `AlterField ${model}.${field} makes the column unique`, cls, [field], '', duplicatesProbe(ctx.file.app, view?.model, model, [field]));
      } else if (op.kind === 'AddField' && field) {
        const f = fieldInfo(opArg(op, 2, 'field'));
        if (!f || !isUnique(f) || isNullable(f) || isManyToMany(f)) continue;
        // NULLs never collide; one default in every row always does, beyond the first row.
        push(op, `AddField ${model}.${field} adds a unique NOT NULL column`, cls, [field],
          hasDefault(f) ? ': every existing row gets the same default, so any table with two rows fails' : '');
      } else if (op.kind === 'AlterUniqueTogether') {
        const before = new Set((view?.model?.uniqueTogether ?? []).map((g) => g.join(',').toLowerCase()));
        const added = together(opArg(op, 1, 'unique_together')).filter((g) => !before.has(g.join(',').toLowerCase()));
        for (const g of added) push(op, `unique_together (${g.join(', ')}) on ${cls}`, cls, g, '', duplicatesProbe(ctx.file.app, view?.model, model, g));
      } else if (op.kind === 'AddConstraint') {
        const c = opArg(op, 1, 'constraint');
        if (c?.kind !== 'call' || !c.callee.endsWith('UniqueConstraint')) continue;
        const fields = c.kwargs.fields;
        const names = stringList(fields);
        const name = c.kwargs.name?.kind === 'str' ? c.kwargs.name.value : undefined;
        push(op, `UniqueConstraint${name ? ` ${name}` : ''} (${names.join(', ')}) on ${cls}`, cls, names, '', names.length ? duplicatesProbe(ctx.file.app, view?.model, model, names) : undefined);
      }
    }
    return out;
  },
};
