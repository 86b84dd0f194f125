// ML401: RunPython without reverse_code makes the migration, and every one before it, impossible
// to roll back past.
import { allOperations, Operation } from '../analysis/model';
import { opArg } from '../analysis/extract';
import { appendKeywordArgument, lineText } from '../analysis/edits';
import type { CodeFix, Finding, Rule, RuleContext } from './types';

const isMissing = (op: Operation) => {
  const reverse = opArg(op, 1, 'reverse_code');
  return !reverse || reverse.kind === 'none';
};

export const rule: Rule = {
  code: 'ML401',
  name: 'run-python-without-reverse',
  title: 'RunPython without reverse_code',
  defaultSeverity: 'warning',
  scope: 'file',
  docs: [
    'A `RunPython` without `reverse_code` is irreversible: rolling back past it stops with',
    '`IrreversibleError` — after Django has already unapplied the migrations above it.',
    '',
    'If undoing needs nothing (a backfill of a column that is dropped on the way back), say so:',
    '```python',
    'migrations.RunPython(fill_order_status, reverse_code=migrations.RunPython.noop)',
    '```',
    'Otherwise write the function that undoes it, using `apps.get_model`:',
    '```python',
    'def clear_order_status(apps, schema_editor):',
    '    Order = apps.get_model("orders", "Order")',
    '    Order.objects.update(status=None)',
    '',
    'migrations.RunPython(fill_order_status, reverse_code=clear_order_status)',
    '```',
  ].join('\n'),

  check({ file }: RuleContext): Finding[] {
    const out: Finding[] = [];
    allOperations(file.operations).forEach((op, index) => {
      if (op.kind !== 'RunPython' || op.origin !== 'django' || !isMissing(op)) return;
      const code = opArg(op, 0, 'code');
      const fn = code?.kind === 'name' ? code.name : undefined;
      out.push({
        code: 'ML401',
        range: op.nameRange,
        message:
          `RunPython${fn ? `(${fn})` : ''} has no reverse_code: this migration cannot be rolled back, and a ` +
          'rollback past it fails after unapplying the migrations above it. Add ' +
          '`reverse_code=migrations.RunPython.noop` if nothing needs undoing, or a function that undoes it.',
        data: { operation: index, forward: fn },
      });
    });
    return out;
  },

  fixes(finding, { file, text }): CodeFix[] {
    const op = allOperations(file.operations)[finding.data?.operation as number];
    if (!op || op.kind !== 'RunPython') return [];
    const fixes: CodeFix[] = [];
    const noop = appendKeywordArgument(text, op, 'reverse_code', 'migrations.RunPython.noop');
    if (noop) fixes.push({ title: 'Add reverse_code=migrations.RunPython.noop', preferred: true, edits: [noop] });

    const forward = typeof finding.data?.forward === 'string' ? (finding.data.forward as string) : undefined;
    const reverseName = forward && /^[A-Za-z_]\w*$/.test(forward) ? reverseNameFor(forward) : 'reverse_code';
    const addArg = appendKeywordArgument(text, op, 'reverse_code', reverseName);
    if (!addArg || file.functions.some((f) => f.name === reverseName)) return fixes;
    // A new module-level function goes after a module-level forward one, never inside the class body.
    const forwardDef = file.functions.find((f) => f.name === forward && !f.inClass);
    const body = [
      `def ${reverseName}(apps, schema_editor):`,
      `    """Undo ${forward ?? 'the forward function'}."""`,
      '    # Load models with apps.get_model("app_label", "Model"), never by importing them.',
      `    raise NotImplementedError("write the reverse of ${forward ?? 'the forward function'}")`,
    ].join('\n');
    // Put the new function after the forward one, or before the Migration class.
    const anchorLine = forwardDef ? forwardDef.range.end.line : Math.max(file.classRange.start.line - 1, 0);
    const insertAt = forwardDef ? { line: anchorLine, character: lineText(text, anchorLine).length } : { line: file.classRange.start.line, character: 0 };
    const newText = forwardDef ? `\n\n\n${body}` : `${body}\n\n\n`;
    fixes.push({
      title: `Add a reverse function ${reverseName}()`,
      edits: [{ range: { start: insertAt, end: insertAt }, newText }, addArg],
    });
    return fixes;
  },
};

function reverseNameFor(forward: string): string {
  if (/^forwards?(_|$)/.test(forward)) return forward.replace(/^forwards?/, 'backwards');
  if (/^(do|apply)_/.test(forward)) return forward.replace(/^(do|apply)_/, 'undo_');
  return `reverse_${forward}`;
}
