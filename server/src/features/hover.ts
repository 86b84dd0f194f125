// Hover on an operation: what it does to the model, the field before -> after, and its risks.
import type { Position, Range } from '../analysis/model';
import { allOperations, Operation } from '../analysis/model';
import { describeOperation } from '../analysis/describe';
import type { FieldState } from '../analysis/state';
import type { Workspace } from '../analysis/workspace';
import { RULES_BY_CODE } from '../rules/registry';
import { levelOf } from '../rules/levels';
import { describeImpact, engineLabel } from '../analysis/impact';

export const contains = (r: Range, p: Position): boolean =>
  (p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character)) && (p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character));

const RISK_LABEL = { high: 'High risk', medium: 'Medium risk', low: 'Low risk' } as const;

/** The innermost operation at a position. */
export function operationAt(ops: Operation[], pos: Position): Operation | undefined {
  return allOperations(ops)
    .filter((op) => contains(op.range, pos))
    .sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character)[0];
}

function fieldLine(f: FieldState | undefined): string {
  if (!f) return '(none)';
  const kw = Object.entries(f.info.kwargs)
    .map(([k, v]) => `${k}=${v.kind === 'str' ? JSON.stringify(v.value) : v.kind === 'num' ? v.text : v.kind === 'bool' ? (v.value ? 'True' : 'False') : v.kind === 'name' ? v.name : '…'}`)
    .join(', ');
  return `${f.info.cls}(${kw})`;
}

/** Markdown for the operation under the cursor, or undefined outside operations. */
export function hoverAt(ws: Workspace, file: string, pos: Position): { contents: string; range: Range } | undefined {
  const m = ws.model(file);
  const op = m && operationAt(m.operations, pos);
  if (!m || !op) return undefined;
  const view = ws.stateOf(file)?.view(op);
  const lines = [`**${describeOperation(op)}**${view && !view.database ? ' — state only, no database change' : ''}`];
  if (view?.model || view?.modelAfter) {
    const before = view.model;
    const after = view.modelAfter;
    const table = (s: typeof before) => s && (s.dbTable ?? `${s.app}_${s.name.toLowerCase()}`);
    lines.push('', `Model: \`${before?.name ?? '(new)'}\` → \`${after?.name ?? '(deleted)'}\`, table \`${table(after) ?? table(before)}\``);
  }
  if (view && (view.field || view.fieldAfter)) {
    lines.push('', '```python', `# before: ${fieldLine(view.field)}`, `# after:  ${fieldLine(view.fieldAfter)}`, '```');
  }
  if (view?.newTable) lines.push('', 'The table is created earlier in this migration: it has no rows yet.');
  const impacts = ws
    .impacts(file)
    .filter((i) => i.op === op)
    .flatMap((i) => i.impacts);
  if (impacts.length) {
    const { engine, assumed, source } = ws.engineOf(file);
    lines.push('', ...impacts.map((i) => describeImpact(engine, i)));
    lines.push('', assumed ? `_${engineLabel(engine)} assumed: set \`migrationLens.engine\`, or let the extension read the database._` : `_Engine: ${engineLabel(engine)} (${source})._`);
  }
  const findings = ws.findings(file).filter((f) => contains(op.range, f.range.start));
  for (const f of findings) {
    const rule = RULES_BY_CODE.get(f.code);
    const l = levelOf(f.code);
    const level = f.moot ? 'Not a risk here · ' : f.possible ? `${l && l !== 'error' ? RISK_LABEL[l] : 'A risk'} if the data allows it · ` : l && l !== 'error' ? `${RISK_LABEL[l]} · ` : '';
    lines.push('', '---', '', `${level}**${f.code}** ${rule?.title ?? ''}`, '', ...messageMarkdown(f));
  }
  if (!findings.some((f) => RULES_BY_CODE.get(f.code)?.risk) && view?.database) lines.push('', 'No risk found for this operation.');
  return { contents: lines.join('\n'), range: op.nameRange };
}

/** A finding for the hover: its reason as text, its safe way as a Python block (this operation's own code). */
function messageMarkdown(f: { message: string; help?: string }): string[] {
  return f.help ? [f.message, '', 'Safe way:', '```python', ...f.help.split('\n'), '```'] : [f.message];
}
