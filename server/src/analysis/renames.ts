// RemoveField + AddField pairs that look like a rename: same model, a compatible field, in one
// migration or in two neighbouring ones of the app, with no data migration in between to carry the
// values over. Django drops the column and creates an empty one; RenameField keeps the data.
import { allOperations, MigrationFile, Operation } from './model';
import { familyOf, fieldInfo, FieldInfo, relationTarget } from './fields';
import { opArg } from './extract';
import { isDataOperation, shape, strArg } from './risk';
import type { RuleContext } from '../rules/types';

export interface RenameSide {
  key: string;
  file: MigrationFile;
  op: Operation;
  /** Position in `allOperations(file.operations)`. */
  index: number;
}

export interface RenamePair {
  remove: RenameSide;
  add: RenameSide;
  model: string;
  from: string;
  to: string;
  /** The field as it was before the removal, and as added. */
  before: FieldInfo;
  after: FieldInfo;
}

function compatible(a: FieldInfo, b: FieldInfo): boolean {
  const fa = familyOf(a);
  if (fa === 'unknown' || fa === 'm2m') return a.cls === b.cls && fa !== 'm2m';
  if (fa !== familyOf(b)) return false;
  if (fa === 'relation') return shape(relationTarget(a)) === shape(relationTarget(b));
  return true;
}

interface Side extends RenameSide {
  model: string;
  name: string;
  field?: FieldInfo;
}

const cache = new WeakMap<RuleContext, RenamePair[]>();

/** Rename-like pairs that have at least one side in the context's file (computed once per rule run). */
export function renamePairs(ctx: RuleContext): RenamePair[] {
  let pairs = cache.get(ctx);
  if (!pairs) {
    pairs = findPairs(ctx);
    cache.set(ctx, pairs);
  }
  return pairs;
}

function findPairs(ctx: RuleContext): RenamePair[] {
  const n = ctx.state?.neighbours(ctx.key);
  if (!ctx.state || !n) return [];
  const window = n.keys.slice(Math.max(0, n.index - 1), n.index + 2);
  const removes: Side[] = [];
  const adds: Side[] = [];
  const dataIn = new Set<string>();
  for (const key of window) {
    const file = ctx.graph.nodes.get(key)?.file;
    if (!file) continue;
    allOperations(file.operations).forEach((op, index) => {
      if (isDataOperation(op)) dataIn.add(key);
      if (op.origin !== 'django' || (op.kind !== 'RemoveField' && op.kind !== 'AddField')) return;
      const view = ctx.state!.view(op);
      const model = strArg(op, 0, 'model_name')?.toLowerCase();
      const name = strArg(op, 1, 'name');
      if (!view?.database || !model || !name || view.newTable) return;
      if (op.kind === 'RemoveField') {
        if (view.field) removes.push({ key, file, op, index, model, name, field: view.field.info });
      } else {
        const field = fieldInfo(opArg(op, 2, 'field'));
        if (field) adds.push({ key, file, op, index, model, name, field });
      }
    });
  }
  const pos = (key: string) => window.indexOf(key);
  const claimed = new Set<Side>();
  const pairs: RenamePair[] = [];
  // Same migration first, then the next one, then the previous one.
  for (const distance of [0, 1, -1]) {
    for (const r of removes) {
      if (claimed.has(r)) continue;
      const a = adds.find(
        (c) =>
          !claimed.has(c) &&
          pos(c.key) - pos(r.key) === distance &&
          c.model === r.model &&
          c.name.toLowerCase() !== r.name.toLowerCase() &&
          compatible(r.field!, c.field!) &&
          !dataBetween(window, dataIn, r.key, c.key),
      );
      if (!a) continue;
      claimed.add(r);
      claimed.add(a);
      if (r.key !== ctx.key && a.key !== ctx.key) continue;
      pairs.push({ remove: r, add: a, model: r.model, from: r.name, to: a.name, before: r.field!, after: a.field! });
    }
  }
  return pairs;
}

function dataBetween(window: string[], dataIn: Set<string>, a: string, b: string): boolean {
  const [i, j] = [window.indexOf(a), window.indexOf(b)].sort((x, y) => x - y);
  return window.slice(i, j + 1).some((k) => dataIn.has(k));
}
