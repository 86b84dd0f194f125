// ML301: the low-risk schema changes, reported so that every operation has a risk level: a nullable
// column (or a many-to-many table) added to an existing table, and a new table.
import { className, databaseOperations } from '../analysis/risk';
import { fieldInfo, isManyToMany, isNullable } from '../analysis/fields';
import { opArg } from '../analysis/extract';
import type { Finding, Rule, RuleContext } from './types';

const KINDS = new Set(['AddField', 'CreateModel']);

export const rule: Rule = {
  code: 'ML301',
  name: 'low-risk',
  title: 'Nullable column or new table: low risk',
  defaultSeverity: 'information',
  risk: 'low',
  scope: 'project',
  docs: [
    'Adding a nullable column or a new table does not touch existing rows and is safe to deploy while',
    'the previous release runs. It is reported so that every operation has a risk level.',
  ].join('\n'),

  check(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    for (const { op, view, model, field } of databaseOperations(ctx, KINDS)) {
      if (op.kind === 'CreateModel') {
        const name = opArg(op, 0, 'name');
        if (name?.kind !== 'str') continue;
        out.push({
          code: 'ML301',
          range: op.nameRange,
          message: `Low risk: CreateModel ${name.value} adds a new table; nothing existing changes.`,
        });
        continue;
      }
      const f = fieldInfo(opArg(op, 2, 'field'));
      if (!model || !field || !f || view?.newTable) continue;
      if (isManyToMany(f)) {
        out.push({
          code: 'ML301',
          range: op.nameRange,
          message: `Low risk: AddField ${model}.${field} adds a many-to-many table to ${className(view?.model, model)}; existing rows are not touched.`,
        });
      } else if (isNullable(f)) {
        out.push({
          code: 'ML301',
          range: op.nameRange,
          message: `Low risk: AddField ${model}.${field} adds a nullable column; existing rows get NULL without a rewrite.`,
        });
      }
    }
    return out;
  },
};
