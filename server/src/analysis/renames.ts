// RemoveField + AddField pairs that look like a rename: same model, a compatible field, in one
// migration or in two neighbouring ones of the app, with no data migration in between to carry the
// values over. Django drops the column and creates an empty one; RenameField keeps the data.
import { allOperations, MigrationFile, Operation } from './model';
import { familyOf, fieldInfo, FieldInfo, relationTarget } from './fields';
import { opArg } from './extract';
import { isDataOperation, isOperationOn, shape, strArg } from './risk';
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

/** Options that shape the column; labels, choices, forms and related names do not. */
const COLUMN_OPTIONS = ['max_length', 'max_digits', 'decimal_places', 'null', 'unique', 'primary_key', 'to_field', 'db_default', 'default'];

/** The same field under another name: same class, same target, same column options. */
function sameField(a: FieldInfo, b: FieldInfo): boolean {
  if (a.cls !== b.cls || familyOf(a) === 'm2m') return false;
  if (familyOf(a) === 'relation' && shape(relationTarget(a)) !== shape(relationTarget(b))) return false;
  return COLUMN_OPTIONS.every((k) => shape(a.kwargs[k]) === shape(b.kwargs[k]));
}

const words = (name: string): string[] =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/_+/)
    .filter((w) => w.length >= 3 && !GENERIC.has(w));
/** Words too common in field names to show that two names are related. */
const GENERIC = new Set(['is', 'has', 'the', 'new', 'old', 'tmp', 'temp', 'date', 'time', 'name', 'type', 'value', 'count', 'enabled', 'field']);

/**
 * Evidence that `b` is `a` renamed: one name contains the other (`note` -> `order_note`), they share
 * their distinctive words (`shipping_cost` -> `cost_of_shipping`), or one is a small edit of the other
 * (`adress` -> `address`).
 */
export function sharesStem(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x.length >= 3 && y.length >= 3 && (x.includes(y) || y.includes(x))) return true;
  // The same words in another order or number: every distinctive word of one name is in the other.
  const wa = new Set(words(a).map(stem));
  const wb = new Set(words(b).map(stem));
  if (wa.size && wb.size && [...wa].every((w) => wb.has(w)) && [...wb].every((w) => wa.has(w))) return true;
  return Math.min(x.length, y.length) >= 5 && editDistance(x, y) <= 2;
}

const stem = (w: string): string => w.replace(/(ies|es|s|ing|ed)$/, '');

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
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
  // Most migrations hold no side of a pair: say so before asking the state about every operation.
  const kinds = (key: string) => allOperations(ctx.graph.nodes.get(key)?.file?.operations ?? []).filter((op) => op.origin === 'django');
  const here = kinds(ctx.key);
  if (!here.some((op) => op.kind === 'RemoveField' || op.kind === 'AddField')) return [];
  const near = window.flatMap(kinds);
  if (!near.some((op) => op.kind === 'RemoveField') || !near.some((op) => op.kind === 'AddField')) return [];
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
  // Same migration first, then an AddField in the next one (a remove that follows an add is a replacement).
  for (const distance of [0, 1]) {
    for (const r of removes) {
      if (claimed.has(r)) continue;
      const a = adds.find(
        (c) =>
          !claimed.has(c) &&
          pos(c.key) - pos(r.key) === distance &&
          c.model === r.model &&
          c.name.toLowerCase() !== r.name.toLowerCase() &&
          sameField(r.field!, c.field!) &&
          sharesStem(r.name, c.name) &&
          !dataBetween(window, dataIn, r.key, c.key) &&
          !readdedLater(ctx, n.keys, r, c),
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

/** The removed name comes back on the model later in the app's history: it was dropped on purpose, not renamed. */
function readdedLater(ctx: RuleContext, keys: readonly string[], r: Side, c: Side): boolean {
  for (const key of keys.slice(keys.indexOf(r.key))) {
    const file = ctx.graph.nodes.get(key)?.file;
    const ops = file ? allOperations(file.operations) : [];
    // In the removing migration itself, only what comes after the RemoveField.
    const later = key === r.key ? ops.slice(r.index + 1) : ops;
    if (later.some((op) => op !== c.op && isOperationOn(op, 'AddField', r.model, r.name))) return true;
  }
  return false;
}

function dataBetween(window: string[], dataIn: Set<string>, a: string, b: string): boolean {
  const [i, j] = [window.indexOf(a), window.indexOf(b)].sort((x, y) => x - y);
  return window.slice(i, j + 1).some((k) => dataIn.has(k));
}
