// ML703: a CHECK constraint added to an existing table on PostgreSQL reads every row under ACCESS
// EXCLUSIVE (reads and writes wait). Added NOT VALID it takes the lock only for the catalog change,
// and VALIDATE CONSTRAINT then reads the rows under a lock that lets reads and writes go on (both
// measured: docs/impact.md).
import { className, databaseOperations, safeWay, strArg } from '../analysis/risk';
import { opArg } from '../analysis/extract';
import { lineText, postgresOperationsEdits } from '../analysis/edits';
import type { CodeFix, Finding, Rule, RuleContext, TextEdit } from './types';

const KINDS = new Set(['AddConstraint']);

export const rule: Rule = {
  code: 'ML703',
  name: 'check-not-valid',
  title: 'CHECK constraint on an existing table read under ACCESS EXCLUSIVE (PostgreSQL)',
  defaultSeverity: 'information',
  risk: 'low',
  scope: 'project',
  docs: [
    'On PostgreSQL, `ALTER TABLE ... ADD CONSTRAINT ... CHECK` reads every row to verify it while',
    'holding ACCESS EXCLUSIVE: reads and writes of the table wait until the last row is read.',
    'Added `NOT VALID`, the constraint takes that lock only for the catalog change (new rows are',
    'checked from then on); `VALIDATE CONSTRAINT` then reads the existing rows under SHARE UPDATE',
    'EXCLUSIVE, which lets reads and writes go on (both measured on PostgreSQL 15: docs/impact.md).',
    'MySQL and MariaDB have no NOT VALID: there the rule says nothing once the engine is known.',
    '',
    'Safe way (Django 4.0+), in a migration with `atomic = False` so that each step commits on its own:',
    '```python',
    'from django.contrib.postgres.operations import AddConstraintNotValid, ValidateConstraint',
    '',
    'class Migration(migrations.Migration):',
    '    atomic = False',
    '    operations = [',
    '        AddConstraintNotValid("order", models.CheckConstraint(check=models.Q(qty__gte=0), name="qty_gte_0")),',
    '        ValidateConstraint("order", "qty_gte_0"),',
    '    ]',
    '```',
  ].join('\n'),

  check(ctx: RuleContext): Finding[] {
    if (ctx.engine && ctx.engine.name !== 'postgresql') return [];
    const out: Finding[] = [];
    for (const { op, view, model } of databaseOperations(ctx, KINDS)) {
      const c = opArg(op, 1, 'constraint');
      if (!model || view?.newTable || c?.kind !== 'call' || !/CheckConstraint$/.test(c.callee)) continue;
      const name = c.kwargs.name?.kind === 'str' ? c.kwargs.name.value : undefined;
      out.push({
        code: 'ML703',
        range: op.nameRange,
        message: `AddConstraint on ${className(view?.model, model)} reads every row to check it while holding ACCESS EXCLUSIVE on PostgreSQL: reads and writes of the table wait until it ends.`,
        help: safeWay([
          'from django.contrib.postgres.operations import AddConstraintNotValid, ValidateConstraint',
          '# in a migration with atomic = False:',
          `AddConstraintNotValid("${model}", ...the same CheckConstraint...),`,
          `ValidateConstraint("${model}", "${name ?? '...'}"),`,
        ]),
        data: { model, name },
      });
    }
    return out;
  },

  // AddConstraint -> AddConstraintNotValid + ValidateConstraint, atomic = False, the import. Offered
  // when the migration holds only such check constraints (atomic = False would leave any other
  // operation half applied on failure).
  fixes(_finding: Finding, { file, text }: RuleContext): CodeFix[] {
    if (file.atomic === true || /from django\.contrib\.postgres\.operations import/.test(text)) return [];
    const checks = file.operations.map((o) => ({ o, c: opArg(o, 1, 'constraint') }));
    if (!checks.length || !checks.every(({ o, c }) => o.origin === 'django' && o.kind === 'AddConstraint' && c?.kind === 'call' && /CheckConstraint$/.test(c.callee) && c.kwargs.name?.kind === 'str'))
      return [];
    const edits: TextEdit[] = [];
    for (const { o, c } of checks) {
      const model = strArg(o, 0, 'model_name');
      const name = c?.kind === 'call' && c.kwargs.name?.kind === 'str' ? c.kwargs.name.value : '';
      if (!model) return [];
      edits.push({ range: o.nameRange, newText: 'AddConstraintNotValid' });
      // After the operation's line (its trailing comma included), the validation as a step of its own.
      const endLine = o.range.end.line;
      const end = { line: endLine, character: lineText(text, endLine).length };
      const indent = ' '.repeat(o.range.start.character);
      edits.push({ range: { start: end, end }, newText: `\n${indent}ValidateConstraint("${model}", "${name}"),` });
    }
    // No postgres import yet (checked above): the helper adds it, and atomic = False when unset.
    edits.push(...postgresOperationsEdits(file, text, ['AddConstraintNotValid', 'ValidateConstraint'])!);
    return [{ title: 'Add the constraint NOT VALID, then validate it (atomic = False)', preferred: true, edits }];
  },
};
