// ML105: RemoveField + AddField on one model with a compatible field: it reads like a rename, but
// Django drops the column with its data and adds an empty one. RenameField keeps the data.
import { renamePairs, RenamePair } from '../analysis/renames';
import { shape, sliceRange } from '../analysis/risk';
import { indentOf, lineText, removeOperation } from '../analysis/edits';
import type { CodeFix, Finding, Rule, RuleContext, TextEdit } from './types';

export const rule: Rule = {
  code: 'ML105',
  name: 'remove-add-rename',
  title: 'RemoveField + AddField that looks like a rename loses the data',
  defaultSeverity: 'warning',
  risk: 'high',
  scope: 'project',
  docs: [
    'A `RemoveField` and an `AddField` of a compatible field on the same model, in one migration or in',
    'two neighbouring ones, is what `makemigrations` writes when it did not recognise a rename (or',
    'the answer to "Did you rename...?" was no). Django drops the old column with its data and adds',
    'an empty one.',
    '',
    'Safe way: a rename keeps the data:',
    '```python',
    'migrations.RenameField("order", "note", "comment"),',
    '```',
    'If the new field is meant to start empty, say so with a data migration between the two; then',
    'this rule stays quiet.',
  ].join('\n'),

  check(ctx: RuleContext): Finding[] {
    // One finding per pair, on its side in this file (the RemoveField when both are here).
    return renamePairs(ctx).map((p) => {
      const here = p.remove.key === ctx.key ? p.remove : p.add;
      const other = here === p.remove ? p.add : p.remove;
      const where = other.key === ctx.key ? 'in this migration' : `in ${other.key}`;
      return {
        code: 'ML105',
        range: here.op.nameRange,
        message:
          `RemoveField ${p.model}.${p.from} and AddField ${p.model}.${p.to} (${where}) look like a rename, but ` +
          `Django drops "${p.from}" with its data and adds "${p.to}" empty.\n\nSafe way:\n` +
          `    migrations.RenameField("${p.model}", "${p.from}", "${p.to}"),`,
        related: [
          {
            path: other.file.path,
            range: other.op.nameRange,
            message: other === p.add ? `AddField ${p.model}.${p.to}` : `RemoveField ${p.model}.${p.from}`,
          },
        ],
        data: { model: p.model, from: p.from, to: p.to },
      };
    });
  },

  fixes(finding: Finding, ctx: RuleContext): CodeFix[] {
    const pair = renamePairs(ctx).find((p) => p.from === finding.data?.from && p.to === finding.data?.to);
    if (!pair) return [];
    const fix = renameFix(pair, ctx);
    return fix ? [fix] : [];
  },
};

/**
 * The earlier of the two operations becomes the RenameField; the later one becomes an AlterField to
 * the added definition, or goes away when the definition is unchanged.
 */
function renameFix(p: RenamePair, ctx: RuleContext): CodeFix | undefined {
  const textOf = (path: string) => (path === ctx.file.path ? ctx.text : ctx.textOf?.(path));
  const order = (s: typeof p.remove) => ctx.state?.neighbours(s.key)?.index ?? 0;
  const first = order(p.remove) < order(p.add) || (order(p.remove) === order(p.add) && p.remove.index < p.add.index) ? p.remove : p.add;
  const second = first === p.remove ? p.add : p.remove;
  const firstText = textOf(first.file.path);
  const secondText = textOf(second.file.path);
  if (!firstText || !secondText) return undefined;
  const fieldSrc = sliceRange(textOf(p.add.file.path)!, p.after.range);
  const i1 = indentOf(lineText(firstText, first.op.range.start.line));
  const rename = `migrations.RenameField(\n${i1}    model_name="${p.model}",\n${i1}    old_name="${p.from}",\n${i1}    new_name="${p.to}",\n${i1})`;
  const definition = (f: typeof p.before) => shape([f.callee, f.args, f.kwargs]);
  const sameDefinition = definition(p.before) === definition(p.after);
  const edits = new Map<string, TextEdit[]>();
  const push = (path: string, e: TextEdit) => edits.set(path, [...(edits.get(path) ?? []), e]);
  push(first.file.path, { range: first.op.range, newText: rename });
  if (sameDefinition) push(second.file.path, removeOperation(secondText, second.op));
  else {
    const ind = indentOf(lineText(secondText, second.op.range.start.line));
    push(second.file.path, {
      range: second.op.range,
      newText: `migrations.AlterField(\n${ind}    model_name="${p.model}",\n${ind}    name="${p.to}",\n${ind}    field=${fieldSrc},\n${ind})`,
    });
  }
  return {
    title: `Rename ${p.model}.${p.from} to ${p.to} instead (keeps the data)`,
    preferred: true,
    edits: edits.get(ctx.file.path),
    otherEdits: [...edits].filter(([path]) => path !== ctx.file.path).map(([path, e]) => ({ path, edits: e })),
  };
}
