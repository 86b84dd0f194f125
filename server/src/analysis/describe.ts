// One-line labels for operations: document symbols, the tree, the CLI.
import { opArg } from './extract';
import type { Operation, PyValue } from './model';

const text = (v: PyValue | undefined): string | undefined => (v?.kind === 'str' ? v.value : v?.kind === 'name' ? v.name : undefined);

/** Argument positions of the model and the field/name in Django's operation signatures. */
const MODEL_FIELD: Record<string, [number, string, number, string]> = {
  AddField: [0, 'model_name', 1, 'name'],
  RemoveField: [0, 'model_name', 1, 'name'],
  AlterField: [0, 'model_name', 1, 'name'],
  RenameField: [0, 'model_name', 2, 'new_name'],
  AddIndex: [0, 'model_name', -1, ''],
  RemoveIndex: [0, 'model_name', 1, 'name'],
  RenameIndex: [0, 'model_name', 1, 'new_name'],
  AddConstraint: [0, 'model_name', -1, ''],
  RemoveConstraint: [0, 'model_name', 1, 'name'],
};

export function describeOperation(op: Operation): string {
  const mf = MODEL_FIELD[op.kind];
  if (mf && op.origin === 'django') {
    const model = text(opArg(op, mf[0], mf[1]));
    const field = mf[2] >= 0 ? text(opArg(op, mf[2], mf[3])) : undefined;
    if (op.kind === 'RenameField') {
      const old = text(opArg(op, 1, 'old_name'));
      return `RenameField ${model ?? '?'}.${old ?? '?'} -> ${field ?? '?'}`;
    }
    return `${op.kind} ${model ?? '?'}${field ? `.${field}` : ''}`;
  }
  if (op.origin === 'django') {
    switch (op.kind) {
      case 'RenameModel':
        return `RenameModel ${text(opArg(op, 0, 'old_name')) ?? '?'} -> ${text(opArg(op, 1, 'new_name')) ?? '?'}`;
      case 'RunPython': {
        const code = opArg(op, 0, 'code');
        return `RunPython ${code?.kind === 'lambda' ? 'lambda' : (text(code) ?? '')}`.trim();
      }
      case 'RunSQL': {
        const sql = opArg(op, 0, 'sql');
        const first = sql?.kind === 'str' ? sql.value.trim().split('\n')[0] : undefined;
        return first ? `RunSQL ${first.length > 48 ? `${first.slice(0, 45)}...` : first}` : 'RunSQL';
      }
      case 'SeparateDatabaseAndState':
        return 'SeparateDatabaseAndState';
      default: {
        const model = text(opArg(op, 0, 'name'));
        return model ? `${op.kind} ${model}` : op.kind;
      }
    }
  }
  return op.callee || op.kind;
}
