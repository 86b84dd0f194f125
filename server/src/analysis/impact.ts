// What a schema operation does to an existing table on a given engine: the lock it takes
// (PostgreSQL), the algorithm it runs with (MySQL, MariaDB), whether the table is rewritten or read
// in full, and what waits meanwhile. Predicted from the operation and the model state as it stands
// (no database needed). Each prediction for PostgreSQL 15 and MariaDB 10.11 is checked against what
// those servers do with Django's own SQL (test/db/impact-observed.test.ts, docs/impact.md); other
// versions follow the engines' manuals where they differ.
import { opArg } from './extract';
import {
  addsForeignKey,
  volatileDbDefault,
  familyOf,
  FieldInfo,
  fieldInfo,
  hasForeignKeyConstraint,
  hasIndex,
  isManyToMany,
  isNullable,
  isStoredGenerated,
  isUnique,
  numberArg,
  relationTarget,
  typeChange,
} from './fields';
import type { Operation, PyValue } from './model';
import { hasNoTable, type OpView } from './state';
import { ASSUMED, engineLabel, type Engine } from '../../../shared/src/engine';

export { ASSUMED, engineFromVersion, engineLabel, parseEngine, type Engine, type EngineName } from '../../../shared/src/engine';

export type Blocked = 'reads' | 'writes';

export interface Impact {
  /** PostgreSQL: the strongest lock mode held on the table (`ACCESS EXCLUSIVE`). */
  lock?: string;
  /** MySQL/MariaDB: the cheapest ALGORITHM the server runs it with. */
  algorithm?: 'INSTANT' | 'NOCOPY' | 'INPLACE' | 'COPY';
  /** SQLite: Django copies the table into a new one (`new__<table>`). */
  rebuild?: boolean;
  /** The table's rows are written again (a new file on PostgreSQL, a copy on MySQL). */
  rewrite?: boolean;
  /** Every row is read (an index build, a NOT NULL or CHECK verification, a rewrite). */
  scan?: boolean;
  /** What other sessions wait for while it runs. */
  blocks: Blocked[];
}

const PG_LOCK_RANK = ['', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'ACCESS EXCLUSIVE'];
const PG_BLOCKS: Record<string, Blocked[]> = {
  '': [],
  'SHARE UPDATE EXCLUSIVE': [],
  SHARE: ['writes'],
  'SHARE ROW EXCLUSIVE': ['writes'],
  'ACCESS EXCLUSIVE': ['reads', 'writes'],
};
const MY_RANK = ['INSTANT', 'NOCOPY', 'INPLACE', 'COPY'] as const;

/** django.contrib.postgres's operations for the engine's safe patterns, read like Django's own. */
const POSTGRES_OPERATIONS = new Set(['AddIndexConcurrently', 'RemoveIndexConcurrently', 'AddConstraintNotValid', 'ValidateConstraint']);

/** One step of what Django runs for the operation, in engine-neutral terms. */
type Step =
  | { kind: 'add-column'; field: FieldInfo }
  | { kind: 'drop-column' }
  | { kind: 'rename' }
  | { kind: 'drop-table' }
  | { kind: 'type'; change: 'rewrite' | 'grow' | 'shrink' | 'text'; prefixKept?: boolean }
  | { kind: 'set-not-null' }
  | { kind: 'drop-not-null' }
  | { kind: 'index'; concurrently?: boolean; unique?: boolean; partial?: boolean }
  | { kind: 'drop-index'; concurrently?: boolean }
  | { kind: 'unique-constraint' }
  | { kind: 'check' }
  | { kind: 'foreign-key' }
  | { kind: 'referenced' }
  /** A stored generated column: every row gets its value. */
  | { kind: 'generated' }
  /** A column added with a per-row database default: PostgreSQL writes every row. */
  | { kind: 'volatile-default' }
  /** A column or table comment (db_comment). */
  | { kind: 'comment' }
  /** A constraint added NOT VALID: existing rows are not read. */
  | { kind: 'not-valid' }
  /** VALIDATE CONSTRAINT: every row read, under a lock that lets reads and writes go on. */
  | { kind: 'validate' };

export interface TableImpact extends Impact {
  table: string;
  /** The table's size, once read from the database (estimates from the catalog). */
  rows?: number;
  bytes?: number;
}

/**
 * What a Django operation does to the existing tables it touches: its own, and the tables its new
 * foreign keys reference. Empty for what touches none (a new table on its own, state-only
 * operations, RunSQL and RunPython, whose effect is read elsewhere). `tableOf` names the table of a
 * relation's target (`"shop.Customer"`).
 */
export function impactsOf(engine: Engine, op: Operation, view: OpView | undefined, table: string, tableOf: (target: PyValue) => string | undefined): TableImpact[] {
  if (op.origin === 'local' || (op.origin !== 'django' && !POSTGRES_OPERATIONS.has(op.kind))) return [];
  if (!view?.database || view.noTable) return [];
  const out: TableImpact[] = [];
  const own = view.newTable ? undefined : stepsOf(op, view);
  if (own?.length) out.push({ table, ...judge(engine, own) });
  // A new foreign key locks the table it references while the constraint is made (PostgreSQL;
  // InnoDB leaves the parent table alone).
  for (const target of engine.name === 'postgresql' ? newForeignKeys(op, view) : []) {
    const t = tableOf(target);
    if (t && t !== table && !out.some((o) => o.table === t)) {
      out.push({ table: t, ...judge(engine, [{ kind: 'referenced' }]) });
    }
  }
  return out;
}

function judge(engine: Engine, steps: Step[]): Impact {
  switch (engine.name) {
    case 'postgresql':
      return postgres(steps, engine.version ?? ASSUMED.postgresql);
    case 'mysql':
    case 'mariadb':
      return mysqlFamily(steps, engine);
    case 'sqlite':
      return sqlite(steps);
  }
}

const appOf = (view: OpView): string => view.key.slice(0, view.key.indexOf('.'));

/** Whether a target of the operation's own app is a proxy or unmanaged model (others are not known here). */
const proxyIn =
  (view: OpView) =>
  (key: string): boolean => {
    const [app, model] = key.split('.');
    const m = app === appOf(view) ? view.appBefore?.get(model) : undefined;
    return hasNoTable(m);
  };

/** The targets of the foreign keys an operation creates (AddField, CreateModel, an AlterField that adds one). */
function newForeignKeys(op: Operation, view: OpView): PyValue[] {
  const fields: Array<FieldInfo | undefined> = [];
  if (op.kind === 'AddField') fields.push(fieldInfo(opArg(op, 2, 'field')));
  if (op.kind === 'AlterField') {
    const [before, after] = [view.field?.info, fieldInfo(opArg(op, 2, 'field'))];
    if (before && after && addsForeignKey(before, after, appOf(view), proxyIn(view))) fields.push(after);
  }
  if (op.kind === 'CreateModel') {
    const list = opArg(op, 1, 'fields');
    if (list?.kind === 'list' || list?.kind === 'tuple') for (const item of list.items) if (item.kind === 'tuple' || item.kind === 'list') fields.push(fieldInfo(item.items[1]));
  }
  return fields.flatMap((f) => {
    const target = f && hasForeignKeyConstraint(f) ? relationTarget(f) : undefined;
    return target ? [target] : [];
  });
}

function stepsOf(op: Operation, view: OpView): Step[] | undefined {
  const field = (v: PyValue | undefined) => fieldInfo(v);
  switch (op.kind) {
    case 'AddField': {
      const f = field(opArg(op, 2, 'field'));
      if (!f || isManyToMany(f)) return undefined; // a join table of its own
      const steps: Step[] = [{ kind: 'add-column', field: f }];
      if (isStoredGenerated(f)) steps.push({ kind: 'generated' });
      if (volatileDbDefault(f)) steps.push({ kind: 'volatile-default' });
      if (isUnique(f)) steps.push({ kind: 'index', unique: true });
      else if (hasIndex(f)) steps.push({ kind: 'index' });
      if (hasForeignKeyConstraint(f)) steps.push({ kind: 'foreign-key' });
      return steps;
    }
    case 'RemoveField':
      return view.field && isManyToMany(view.field.info) ? undefined : [{ kind: 'drop-column' }];
    case 'AlterField': {
      const before = view.field?.info;
      const after = field(opArg(op, 2, 'field'));
      if (!before || !after || isManyToMany(after)) return undefined;
      const steps: Step[] = [];
      const change = typeChange(before, after);
      const text = (f: FieldInfo) => f.cls === 'TextField';
      if (change.kind === 'narrow' && familyOf(after) === 'text') steps.push({ kind: 'type', change: 'shrink' });
      else if (familyOf(before) === 'text' && familyOf(after) === 'text' && !text(before) && text(after)) steps.push({ kind: 'type', change: 'text' });
      else if (familyOf(before) === 'text' && familyOf(after) === 'text' && (numberArg(after, 'max_length') ?? 0) > (numberArg(before, 'max_length') ?? Infinity)) {
        // utf8mb4: up to 4 bytes a character; the length prefix is one byte up to 255 bytes.
        const short = (f: FieldInfo) => (numberArg(f, 'max_length') ?? 0) * 4 <= 255;
        steps.push({ kind: 'type', change: 'grow', prefixKept: short(before) === short(after) });
      } else if (change.kind !== 'same' && change.kind !== 'unknown') steps.push({ kind: 'type', change: 'rewrite' });
      if (isNullable(before) && !isNullable(after)) steps.push({ kind: 'set-not-null' });
      if (!isNullable(before) && isNullable(after)) steps.push({ kind: 'drop-not-null' });
      const comment = (f: FieldInfo) => (f.kwargs.db_comment?.kind === 'str' ? f.kwargs.db_comment.value : '');
      if (comment(before) !== comment(after)) steps.push({ kind: 'comment' });
      if (!isUnique(before) && isUnique(after)) steps.push({ kind: 'unique-constraint' });
      else if (!hasIndex(before) && hasIndex(after) && !isUnique(after)) steps.push({ kind: 'index' });
      // The constraint checks every existing row against the referenced table.
      if (addsForeignKey(before, after, appOf(view), proxyIn(view))) steps.push({ kind: 'foreign-key' });
      return steps;
    }
    case 'RenameField':
    case 'RenameModel':
    case 'AlterModelTable':
      return [{ kind: 'rename' }];
    case 'DeleteModel':
      return [{ kind: 'drop-table' }];
    case 'AddIndex':
    case 'AddIndexConcurrently':
      return [{ kind: 'index', concurrently: op.kind === 'AddIndexConcurrently', partial: !!indexArg(op)?.kwargs.condition }];
    case 'RemoveIndex':
    case 'RemoveIndexConcurrently':
      return [{ kind: 'drop-index', concurrently: op.kind === 'RemoveIndexConcurrently' }];
    case 'AddConstraint': {
      const c = indexArg(op);
      if (!c) return undefined;
      if (/CheckConstraint$/.test(c.callee)) return [{ kind: 'check' }];
      if (/UniqueConstraint$/.test(c.callee)) return c.kwargs.condition || c.kwargs.expressions || c.args.length ? [{ kind: 'index', unique: true, partial: true }] : [{ kind: 'unique-constraint' }];
      return undefined;
    }
    case 'RemoveConstraint':
      return [{ kind: 'drop-index' }];
    case 'AddConstraintNotValid':
      return [{ kind: 'not-valid' }];
    case 'ValidateConstraint':
      return [{ kind: 'validate' }];
    case 'AlterUniqueTogether':
      return [{ kind: 'unique-constraint' }];
    default:
      return undefined;
  }
}

/** The Index or constraint object an AddIndex / AddConstraint passes. */
function indexArg(op: Operation): Extract<PyValue, { kind: 'call' }> | undefined {
  const v = opArg(op, 1, op.kind.startsWith('AddConstraint') ? 'constraint' : 'index');
  return v?.kind === 'call' ? v : undefined;
}

function postgres(steps: Step[], version: string): Impact {
  const major = Number(version.split('.')[0]) || Number(ASSUMED.postgresql);
  let lock = '';
  let rewrite = false;
  let scan = false;
  const take = (mode: string) => {
    if (PG_LOCK_RANK.indexOf(mode) > PG_LOCK_RANK.indexOf(lock)) lock = mode;
  };
  for (const s of steps) {
    switch (s.kind) {
      case 'add-column':
        take('ACCESS EXCLUSIVE');
        // Before 11 a column added with a default is written into every row.
        if (major < 11 && (s.field.kwargs.default || !isNullable(s.field))) rewrite = true;
        break;
      case 'index':
        take(s.concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE');
        scan = true;
        break;
      case 'drop-index':
        take(s.concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE');
        break;
      case 'type':
        take('ACCESS EXCLUSIVE');
        if (s.change === 'rewrite' || s.change === 'shrink') rewrite = true;
        break;
      case 'set-not-null':
      case 'check':
        take('ACCESS EXCLUSIVE');
        scan = true;
        break;
      case 'unique-constraint':
        take('ACCESS EXCLUSIVE');
        scan = true;
        break;
      case 'foreign-key':
        take('SHARE ROW EXCLUSIVE');
        scan = true;
        break;
      case 'referenced':
        take('SHARE ROW EXCLUSIVE');
        break;
      case 'generated':
      case 'volatile-default':
        take('ACCESS EXCLUSIVE');
        rewrite = true;
        break;
      case 'validate':
        take('SHARE UPDATE EXCLUSIVE');
        scan = true;
        break;
      case 'comment':
        // The manual says COMMENT takes SHARE UPDATE EXCLUSIVE; with Django 5.2's SQL the session
        // holds ACCESS EXCLUSIVE (measured, docs/impact.md): brief, but every query queues behind it.
        take('ACCESS EXCLUSIVE');
        break;
      default:
        take('ACCESS EXCLUSIVE');
    }
  }
  return { lock, rewrite, scan: scan || rewrite, blocks: PG_BLOCKS[lock] };
}

/** `10.11` -> [10, 11]; a missing part is 0. */
const parts = (v: string): number[] => v.split('.').map((n) => Number.parseInt(n, 10) || 0);
const atLeast = (v: string, min: string): boolean => {
  const [a, b] = [parts(v), parts(min)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
};

/**
 * InnoDB on MariaDB (measured on 10.11) and MySQL (from its manual: MySQL has no NOCOPY, its
 * in-place index builds are INPLACE). `online`: runs with LOCK=NONE, so writes go on.
 */
function mysqlFamily(steps: Step[], engine: Engine): Impact {
  const maria = engine.name === 'mariadb';
  const version = engine.version ?? ASSUMED[engine.name];
  let algorithm = 'INSTANT' as (typeof MY_RANK)[number];
  let online = true;
  const use = (a: (typeof MY_RANK)[number], lockNone: boolean) => {
    const real = a === 'NOCOPY' && !maria ? 'INPLACE' : a;
    if (MY_RANK.indexOf(real) > MY_RANK.indexOf(algorithm)) algorithm = real;
    online &&= lockNone;
  };
  const instantAdd = maria ? atLeast(version, '10.3') : atLeast(version, '8.0.12');
  const instantDrop = maria ? atLeast(version, '10.4') : atLeast(version, '8.0.29');
  for (const s of steps) {
    switch (s.kind) {
      case 'add-column':
        use(instantAdd ? 'INSTANT' : 'INPLACE', true);
        break;
      case 'drop-column':
        use(instantDrop ? 'INSTANT' : 'INPLACE', true);
        break;
      case 'index':
        // A unique column added in one statement (ADD COLUMN ... UNIQUE) rebuilds in place; a separate index does not.
        use(s.unique && steps.some((x) => x.kind === 'add-column') ? 'INPLACE' : 'NOCOPY', true);
        break;
      case 'unique-constraint':
        use('NOCOPY', true);
        break;
      case 'type':
        // A longer varchar keeps its place when its length prefix (1 byte up to 255 bytes) does not grow.
        if (s.change === 'grow' && s.prefixKept && (maria ? atLeast(version, '10.4.3') : true)) use(maria ? 'INSTANT' : 'INPLACE', true);
        else use('COPY', false);
        break;
      case 'set-not-null':
      case 'drop-not-null':
        use('INPLACE', true);
        break;
      case 'check':
      case 'foreign-key':
      case 'generated':
        // Checked against (or computed for) every row, by copying the table (foreign_key_checks on, as Django runs).
        use('COPY', false);
        break;
      default:
        use('INSTANT', true);
    }
  }
  return { algorithm, rewrite: algorithm === 'COPY', scan: algorithm !== 'INSTANT', blocks: online ? [] : ['writes'] };
}

function sqlite(steps: Step[]): Impact {
  // Django's SQLite schema editor remakes the table for everything but adding a plain nullable
  // column, renames, and dropping the table or an index.
  const simple = steps.every(
    (s) => s.kind === 'rename' || s.kind === 'drop-table' || s.kind === 'index' || s.kind === 'drop-index' || (s.kind === 'add-column' && isNullable(s.field) && !s.field.kwargs.default),
  );
  return simple ? { rebuild: false, blocks: ['writes'] } : { rebuild: true, rewrite: true, scan: true, blocks: ['writes'] };
}

/** Who waits (until `until`), and who goes on. */
const listed = (b: Blocked[], until: string): string =>
  b.length === 2 ? `reads and writes wait${until}` : b.length ? `${b[0]} wait${until}; ${b[0] === 'writes' ? 'reads' : 'writes'} go on` : 'reads and writes go on';

const approx = (n: number): string => (n >= 1e9 ? `${(n / 1e9).toFixed(1)}G` : n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${Math.round(n / 1e3)}k` : n.toLocaleString('en-US'));
const bytesText = (b: number): string => (b >= 1e9 ? `${(b / 1e9).toFixed(1)} GB` : b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(b / 1e3))} kB`);

/** `orders_order (~2.4M rows, 1.1 GB)`; the name alone while the size is unknown. */
export function tableWithSize(i: TableImpact): string {
  const parts = [i.rows !== undefined ? `~${approx(i.rows)} row${i.rows === 1 ? '' : 's'}` : '', i.bytes !== undefined ? bytesText(i.bytes) : ''].filter(Boolean);
  return parts.length ? `${i.table} (${parts.join(', ')})` : i.table;
}

/** One sentence: what the operation does to `table` on the engine, and who waits. */
export function describeImpact(engine: Engine, impact: TableImpact): string {
  const on = `On ${engineLabel(engine)}`;
  const i = { ...impact, table: tableWithSize(impact) };
  if (i.lock) {
    const work = i.rewrite ? `and rewrites it (every row into a new file)` : i.scan ? 'and reads every row' : 'for a change to the catalog only';
    const when = i.rewrite || i.scan ? ' until it ends' : '';
    const queue = i.lock === 'ACCESS EXCLUSIVE' && !i.rewrite && !i.scan ? ' (briefly, but every query on the table queues behind it, and behind any long query it waits for: set a lock_timeout)' : '';
    return `${on}: ${i.lock} lock on ${i.table} ${work}: ${listed(i.blocks, when)}${queue}.`;
  }
  if (i.algorithm) {
    const how =
      i.algorithm === 'INSTANT'
        ? 'a change to the data dictionary only'
        : i.algorithm === 'NOCOPY'
          ? 'built in place without copying the table'
          : i.algorithm === 'INPLACE'
            ? 'rebuilt in place'
            : 'the table is copied row by row';
    return `${on}: ALGORITHM=${i.algorithm} on ${i.table}, ${how}: ${listed(i.blocks, ' until it ends')}.`;
  }
  if (i.rebuild) return `${on}: Django rebuilds ${i.table} (into new__${impact.table}, every row copied): writers wait until it ends.`;
  return `${on}: ${i.table} changes in place: writers wait briefly.`;
}
