// State replay: each app's operations applied in Django's order to a model state, so that every
// rule sees the model and field before and after the operation it judges. Model states are
// immutable (an operation makes a new one), so snapshots cost a map copy per migration.
import { opArg } from './extract';
import { columnOf, familyOf, fieldInfo, FieldInfo, isManyToMany } from './fields';
import type { ProjectGraph } from './graph';
import { allOperations, MigrationFile, Operation, PyValue } from './model';

export interface FieldState {
  /** The name as written in the migration. */
  name: string;
  info: FieldInfo;
  /** Key of the migration that last defined the field. */
  definedIn: string;
  /** Key of the migration that added it (AddField or CreateModel); AlterField and RenameField keep it. */
  addedIn: string;
  /** Added to the state only (SeparateDatabaseAndState): the column was there before. */
  stateOnly?: boolean;
  /** Key of the migration whose RenameField gave the field this name; AlterField keeps it. */
  namedIn?: string;
}

export interface ModelState {
  app: string;
  name: string;
  fields: ReadonlyMap<string, FieldState>;
  /** `db_table` from the options, when set. */
  dbTable?: string;
  uniqueTogether: string[][];
  indexTogether: string[][];
  /** Names of Index and constraint objects (unnamed ones as `?`). */
  indexes: string[];
  constraints: string[];
  /** Field sets of the model's unconditional UniqueConstraints, by constraint name. */
  uniqueConstraints?: ReadonlyMap<string, string[]>;
  /** Key of the migration that created the model. */
  createdIn: string;
  /** Created in the state only (a model moved between apps): its table was there before. */
  stateOnly?: boolean;
  /** `proxy: True` or `managed: False`: Django creates, alters and drops no table for it. */
  proxy?: boolean;
  unmanaged?: boolean;
}

/** Whether Django's schema editor leaves the model's table alone (proxy and unmanaged models). */
export const hasNoTable = (m: ModelState | undefined): boolean => !!m && (!!m.proxy || !!m.unmanaged);

/** An app's models by lower-cased name, as Django keys them. */
export type AppState = ReadonlyMap<string, ModelState>;

/** What an operation sees. */
export interface OpView {
  /** Key of the migration holding the operation. */
  key: string;
  /** The model before and after the operation (after only differs for state operations). */
  model?: ModelState;
  modelAfter?: ModelState;
  /** For field operations: the field before and after. */
  field?: FieldState;
  fieldAfter?: FieldState;
  /** The operation touches the database (false for SeparateDatabaseAndState's and RunSQL's state_operations). */
  database: boolean;
  /** The model was created earlier in the same migration: its table is new and empty. */
  newTable: boolean;
  /** The model is a proxy or unmanaged (before the operation, or as created): no table is touched. */
  noTable?: boolean;
  /** The app's models just before an AlterField that involves a relation: its target's key as it stands then. */
  appBefore?: AppState;
}

const lower = (s: string) => s.toLowerCase();
const str = (v: PyValue | undefined): string | undefined => (v?.kind === 'str' ? v.value : undefined);

/** Django's normalize_together: `("a", "b")` and `[("a", "b")]` both mean one group. */
export function together(v: PyValue | undefined): string[][] {
  if (!v || (v.kind !== 'list' && v.kind !== 'tuple')) return [];
  if (v.items.every((i) => i.kind === 'str')) return v.items.length ? [v.items.map((i) => (i as { value: string }).value)] : [];
  return v.items.filter((i): i is Extract<PyValue, { kind: 'list' | 'tuple' }> => i.kind === 'list' || i.kind === 'tuple').map((g) => g.items.map((i) => str(i) ?? '?'));
}

/** An unconditional `UniqueConstraint(fields=[...], name=...)`: its name and fields. */
function uniqueFields(v: PyValue | undefined): [string, string[]] | undefined {
  if (v?.kind !== 'call' || !v.callee.endsWith('UniqueConstraint') || v.kwargs.condition) return undefined;
  const f = v.kwargs.fields;
  if (f?.kind !== 'list' && f?.kind !== 'tuple') return undefined;
  const fields = f.items.map((i) => str(i));
  return fields.every((x): x is string => !!x) && fields.length ? [objectName(v), fields] : undefined;
}

/** `models.Index(fields=[...], name="x")` -> its name. */
function objectName(v: PyValue | undefined): string {
  return (v?.kind === 'call' && str(v.kwargs.name)) || '?';
}

const fieldOps = new Set(['AddField', 'RemoveField', 'AlterField', 'RenameField']);

/** The model an operation targets, as written (`model_name`, `name` or RenameModel's `old_name`). */
export function modelNameOf(op: Operation): string | undefined {
  if (fieldOps.has(op.kind) || /^(Add|Remove|Rename)(Index|Constraint)$/.test(op.kind)) return str(opArg(op, 0, 'model_name'));
  if (op.kind === 'RenameModel') return str(opArg(op, 0, 'old_name'));
  return str(opArg(op, 0, 'name'));
}

/** The field an operation targets as written (its old name for RenameField). */
export function fieldNameOf(op: Operation): string | undefined {
  if (!fieldOps.has(op.kind)) return undefined;
  return op.kind === 'RenameField' ? str(opArg(op, 1, 'old_name')) : str(opArg(op, 1, 'name'));
}

/** The model an operation targets, lower-cased as Django keys it. */
export function targetModel(op: Operation): string | undefined {
  return modelNameOf(op)?.toLowerCase();
}

/** The field an operation targets, lower-cased. */
export function targetField(op: Operation): string | undefined {
  return fieldNameOf(op)?.toLowerCase();
}

function withModel(state: Map<string, ModelState>, name: string, change: (m: ModelState) => ModelState): void {
  const m = state.get(name);
  if (m) state.set(name, change(m));
}

function withFields(m: ModelState, change: (f: Map<string, FieldState>) => void): ModelState {
  const fields = new Map(m.fields);
  change(fields);
  return { ...m, fields };
}

/**
 * Applies one operation to `state` (mutating the map, never the models) and returns what it saw.
 * `database` is false for operations that only change the state.
 */
function apply(op: Operation, state: Map<string, ModelState>, app: string, key: string, database: boolean, created: Set<string>): OpView {
  const name = targetModel(op);
  const model = name ? state.get(name) : undefined;
  const fname = targetField(op);
  const view: OpView = {
    key,
    model,
    field: fname ? model?.fields.get(fname) : undefined,
    database,
    newTable: !!name && created.has(name),
  };
  if (op.origin !== 'django') return finish(view, state, name, fname);

  switch (op.kind) {
    case 'CreateModel': {
      const modelName = str(opArg(op, 0, 'name'));
      if (!modelName) break;
      const fields = new Map<string, FieldState>();
      const list = opArg(op, 1, 'fields');
      if (list?.kind === 'list' || list?.kind === 'tuple') {
        for (const item of list.items) {
          if (item.kind !== 'tuple' && item.kind !== 'list') continue;
          const n = str(item.items[0]);
          const info = fieldInfo(item.items[1]);
          if (n && info) fields.set(lower(n), { name: n, info, definedIn: key, addedIn: key, ...(database ? {} : { stateOnly: true }) });
        }
      }
      const options = opArg(op, 2, 'options');
      const opt = (k: string) => (options?.kind === 'dict' ? options.entries.find(([ek]) => str(ek) === k)?.[1] : undefined);
      const listOf = (v: PyValue | undefined) => (v?.kind === 'list' || v?.kind === 'tuple' ? v.items.map(objectName) : []);
      const isTrue = (v: PyValue | undefined) => v?.kind === 'bool' && v.value;
      const isFalse = (v: PyValue | undefined) => v?.kind === 'bool' && !v.value;
      state.set(lower(modelName), {
        app,
        name: modelName,
        fields,
        dbTable: str(opt('db_table')),
        uniqueTogether: together(opt('unique_together')),
        indexTogether: together(opt('index_together')),
        indexes: listOf(opt('indexes')),
        constraints: listOf(opt('constraints')),
        uniqueConstraints: new Map(
          (() => {
            const c = opt('constraints');
            return c?.kind === 'list' || c?.kind === 'tuple' ? c.items : [];
          })()
            .map(uniqueFields)
            .filter((u): u is [string, string[]] => !!u),
        ),
        createdIn: key,
        ...(database ? {} : { stateOnly: true }),
        proxy: isTrue(opt('proxy')) || undefined,
        unmanaged: isFalse(opt('managed')) || undefined,
      });
      if (database) created.add(lower(modelName));
      break;
    }
    case 'DeleteModel':
      if (name) state.delete(name);
      break;
    case 'RenameModel': {
      const to = str(opArg(op, 1, 'new_name'));
      if (!name || !to || !model) break;
      state.delete(name);
      state.set(lower(to), { ...model, name: to });
      if (created.has(name)) created.add(lower(to));
      break;
    }
    case 'AlterModelOptions': {
      // `managed` is one of the options AlterModelOptions carries; a model that stops or starts being managed keeps its table.
      const options = opArg(op, 1, 'options');
      const managed = options?.kind === 'dict' ? options.entries.find(([k]) => str(k) === 'managed')?.[1] : undefined;
      if (name && options?.kind === 'dict') withModel(state, name, (m) => ({ ...m, unmanaged: managed?.kind === 'bool' ? !managed.value || undefined : undefined }));
      break;
    }
    case 'AlterModelTable':
      if (name) withModel(state, name, (m) => ({ ...m, dbTable: str(opArg(op, 1, 'table')) }));
      break;
    case 'AlterUniqueTogether':
      if (name) withModel(state, name, (m) => ({ ...m, uniqueTogether: together(opArg(op, 1, 'unique_together')) }));
      break;
    case 'AlterIndexTogether':
      if (name) withModel(state, name, (m) => ({ ...m, indexTogether: together(opArg(op, 1, 'index_together')) }));
      break;
    case 'AddField':
    case 'AlterField': {
      const n = str(opArg(op, 1, 'name'));
      const info = fieldInfo(opArg(op, 2, 'field'));
      if (op.kind === 'AlterField' && ((info && familyOf(info) === 'relation') || (view.field && familyOf(view.field.info) === 'relation'))) view.appBefore = new Map(state);
      if (name && n && info) {
        withModel(state, name, (m) =>
          withFields(m, (f) => {
            const was = op.kind === 'AlterField' ? f.get(lower(n)) : undefined;
            const stateOnly = was ? was.stateOnly : !database;
            f.set(lower(n), { name: n, info, definedIn: key, addedIn: was?.addedIn ?? key, ...(stateOnly ? { stateOnly } : {}), ...(was?.namedIn ? { namedIn: was.namedIn } : {}) });
          }),
        );
      }
      break;
    }
    case 'RemoveField':
      if (name && fname) {
        withModel(state, name, (m) => ({
          ...withFields(m, (f) => f.delete(fname)),
          // Django drops the field from unique_together/index_together groups along with it.
          uniqueTogether: m.uniqueTogether.filter((g) => !g.some((x) => lower(x) === fname)),
          indexTogether: m.indexTogether.filter((g) => !g.some((x) => lower(x) === fname)),
        }));
      }
      break;
    case 'RenameField': {
      const to = str(opArg(op, 2, 'new_name'));
      if (!name || !fname || !to) break;
      const rename = (g: string[]) => g.map((x) => (lower(x) === fname ? to : x));
      withModel(state, name, (m) => {
        const old = m.fields.get(fname);
        if (!old) return m;
        return {
          ...withFields(m, (f) => {
            f.delete(fname);
            // The column follows the name unless db_column pins it: then the running release's queries still work.
            f.set(lower(to), { ...old, name: to, ...(database && !old.info.kwargs.db_column ? { namedIn: key } : {}) });
          }),
          uniqueTogether: m.uniqueTogether.map(rename),
          indexTogether: m.indexTogether.map(rename),
        };
      });
      break;
    }
    case 'AddIndex':
      if (name) withModel(state, name, (m) => ({ ...m, indexes: [...m.indexes, objectName(opArg(op, 1, 'index'))] }));
      break;
    case 'RemoveIndex': {
      const n = str(opArg(op, 1, 'name'));
      if (name) withModel(state, name, (m) => ({ ...m, indexes: m.indexes.filter((i) => i !== n) }));
      break;
    }
    case 'AddConstraint': {
      const u = uniqueFields(opArg(op, 1, 'constraint'));
      if (name) {
        withModel(state, name, (m) => ({
          ...m,
          constraints: [...m.constraints, objectName(opArg(op, 1, 'constraint'))],
          uniqueConstraints: u ? new Map([...(m.uniqueConstraints ?? []), u]) : m.uniqueConstraints,
        }));
      }
      break;
    }
    case 'RemoveConstraint': {
      const n = str(opArg(op, 1, 'name'));
      if (name) {
        withModel(state, name, (m) => ({
          ...m,
          constraints: m.constraints.filter((c) => c !== n),
          uniqueConstraints: new Map([...(m.uniqueConstraints ?? [])].filter(([k]) => k !== n)),
        }));
      }
      break;
    }
    default:
      break;
  }
  return finish(view, state, name, fname, op);
}

function finish(view: OpView, state: Map<string, ModelState>, name: string | undefined, fname: string | undefined, op?: Operation): OpView {
  let after = name ? state.get(name) : undefined;
  let fieldName = fname;
  if (op?.kind === 'RenameModel') after = state.get(lower(str(opArg(op, 1, 'new_name')) ?? ''));
  if (op?.kind === 'RenameField') fieldName = lower(str(opArg(op, 2, 'new_name')) ?? '');
  view.modelAfter = after;
  view.fieldAfter = fieldName ? after?.fields.get(fieldName) : undefined;
  if (hasNoTable(op?.kind === 'CreateModel' ? after : view.model)) view.noTable = true;
  return view;
}

/** Replays one migration's operations on a copy of `before`; returns the state after it. */
function replayMigration(
  file: MigrationFile,
  key: string,
  before: AppState,
  views: WeakMap<Operation, OpView>,
  isInitial: (key: string) => boolean,
  opts: {
    /** Only these operations lack a view: stop once they have one (the state after is not wanted). */
    needed?: Set<Operation>;
    /** Start at this top-level operation, from the state saved before it. */
    from?: Checkpoint;
    /** Save the state before this top-level operation. */
    capture?: (index: number) => boolean;
    onCapture?: (c: Checkpoint) => void;
  } = {},
): AppState {
  const { needed, from } = opts;
  const state = new Map(from?.state ?? before);
  const created = new Set<string>(from?.created ?? []);
  // An initial migration split in parts (0001_initial, 0002_initial...) runs on a new database:
  // tables an earlier initial migration created are still empty.
  if (!from && file.initial) for (const [name, m] of before) if (isInitial(m.createdIn)) created.add(name);
  const run = (ops: Operation[], target: Map<string, ModelState>, database: boolean): void => {
    for (const op of ops) {
      if (needed && !needed.size) return;
      needed?.delete(op);
      if (op.kind === 'SeparateDatabaseAndState' && op.origin === 'django') {
        views.set(op, { key, database: false, newTable: false });
        // Database operations run against a scratch copy: they do not change the project state.
        run(op.databaseOperations ?? [], new Map(target), database);
        run(op.stateOperations ?? [], target, false);
        continue;
      }
      views.set(op, apply(op, target, file.app, key, database, created));
      if (op.stateOperations) run(op.stateOperations, target, false);
    }
  };
  for (let i = from?.index ?? 0; i < file.operations.length; i++) {
    if (needed && !needed.size) break;
    // Model states are replaced, never changed in place: a shallow copy of the map is a snapshot.
    if (opts.capture?.(i)) opts.onCapture?.({ key, index: i, state: new Map(state), created: new Set(created) });
    run([file.operations[i]], state, true);
  }
  return state;
}

/** The state before one top-level operation of a migration, kept while the user types in it. */
interface Checkpoint {
  key: string;
  index: number;
  state: AppState;
  created: Set<string>;
}

interface AppReplay {
  /** The app's migration keys in Django's order. */
  keys: string[];
  /** State before each migration, aligned with `keys`, plus the final state at the end. */
  states: AppState[];
}

/** Per operation: an unchanged operation (reused from the last keystroke) is not serialized again. */
const opSignatures = new WeakMap<Operation, string>();

/** The operations that change the state, without source positions. */
function stateSignature(file: MigrationFile): string {
  const parts: string[] = [];
  const walk = (ops: Operation[]): void => {
    for (const op of ops) {
      if (op.databaseOperations) walk(op.databaseOperations);
      if (op.stateOperations) walk(op.stateOperations);
      if (op.kind === 'RunPython' || op.kind === 'RunSQL' || op.kind === 'SeparateDatabaseAndState') continue;
      let sig = opSignatures.get(op);
      if (sig === undefined) {
        sig = JSON.stringify([op.kind, op.origin, op.args, op.kwargs], (k, v) => (k === 'range' ? undefined : v));
        opSignatures.set(op, sig);
      }
      parts.push(sig);
    }
  };
  walk(file.operations);
  return parts.join('\n');
}

/**
 * What later migrations' rules read of this one besides the state: its data operations (a data
 * migration that fills a field quiets ML202 later on; one between a RemoveField and an AddField
 * quiets ML105), by their forward code and SQL. A reverse_code edit leaves it as it is.
 */
function dataSignature(file: MigrationFile): string {
  const parts: string[] = [];
  for (const op of allOperations(file.operations)) {
    if (op.kind === 'RunPython') {
      const code = opArg(op, 0, 'code');
      const fn = code?.kind === 'name' ? file.functions.find((f) => f.name === code.name)?.text : undefined;
      parts.push(`py:${JSON.stringify(code, (k, v) => (k === 'range' ? undefined : v))}:${fn ?? ''}`);
    } else if (op.kind === 'RunSQL') {
      parts.push(`sql:${JSON.stringify(opArg(op, 0, 'sql'), (k, v) => (k === 'range' ? undefined : v))}`);
    }
  }
  return parts.join('\n');
}

/** The replayed state of one project. */
export class ProjectState {
  private readonly views = new WeakMap<Operation, OpView>();
  private checkpoint: Checkpoint | undefined;
  private readonly apps = new Map<string, AppReplay>();
  private readonly position = new Map<string, { app: string; index: number }>();

  constructor(private graph: ProjectGraph) {
    const byApp = new Map<string, string[]>();
    for (const key of graph.order) {
      const app = graph.nodes.get(key)!.file.app;
      const list = byApp.get(app) ?? [];
      list.push(key);
      byApp.set(app, list);
    }
    for (const [app, keys] of byApp) {
      const replay: AppReplay = { keys, states: [new Map()] };
      keys.forEach((k, index) => this.position.set(k, { app, index }));
      this.apps.set(app, replay);
      this.replayFrom(replay, 0);
    }
  }

  /** What an operation saw; undefined for files outside the plan (replaced, in a cycle). */
  view(op: Operation): OpView | undefined {
    return this.views.get(op);
  }

  /** The app's migrations in order, and where `key` stands among them. */
  neighbours(key: string): { keys: readonly string[]; index: number } | undefined {
    const p = this.position.get(key);
    return p && { keys: this.apps.get(p.app)!.keys, index: p.index };
  }

  /** The app's models before the migration `key` runs. */
  before(key: string): AppState | undefined {
    const p = this.position.get(key);
    return p && this.apps.get(p.app)!.states[p.index];
  }

  /**
   * The earlier migration of this app that took a table (or one of its columns) out of the model
   * state, when no model uses it before `key` runs: the data of an expand/contract change that
   * the project stopped reading then. Undefined when a model still uses it, or none ever did.
   */
  removedEarlier(key: string, table: string, column?: string): string | undefined {
    const p = this.position.get(key);
    if (!p) return undefined;
    const { keys, states } = this.apps.get(p.app)!;
    const uses = (state: AppState): boolean => {
      for (const m of state.values()) {
        if (hasNoTable(m)) continue;
        const t = tablesOf(m);
        if (column === undefined ? t.table === table || t.joins.includes(table) : t.table === table && t.columns.has(column)) return true;
      }
      return false;
    };
    if (uses(states[p.index])) return undefined;
    for (let i = p.index - 1; i >= 0; i--) if (uses(states[i])) return keys[i];
    return undefined;
  }

  /** The app's models after its last migration. */
  latest(app: string): AppState | undefined {
    const r = this.apps.get(app);
    return r?.states[r.states.length - 1];
  }

  /**
   * The file of `key` changed without moving in the graph: re-derive its state and everything
   * after it in its app. Returns the keys re-derived.
   */
  update(key: string, graph: ProjectGraph, previous?: MigrationFile): string[] {
    this.graph = graph;
    const p = this.position.get(key);
    if (!p) return [];
    const replay = this.apps.get(p.app)!;
    const file = graph.nodes.get(key)!.file;
    // An edit that leaves the state alone (a RunPython argument, a comment...) replays only its own
    // migration: the states after it are still right.
    const unchanged = previous !== undefined && stateSignature(previous) === stateSignature(file);
    if (unchanged) {
      // The states are as they were, and so are the views of the operations reused from the last
      // text: replay only as far as the last operation read anew (typing in one operation of a
      // 60 KB squash replays up to it).
      const needed = new Set(allOperations(file.operations).filter((op) => !this.views.has(op)));
      if (needed.size) {
        // Typing in one operation: the state before it is the one saved at the last keystroke.
        const first = file.operations.findIndex((op) => allOperations([op]).some((o) => needed.has(o)));
        const from = this.checkpoint?.key === key && this.checkpoint.index === first ? this.checkpoint : undefined;
        this.replayOne(replay, p.index, { needed, from, capture: (i) => i === first, onCapture: (c) => (this.checkpoint = c) });
      }
    } else {
      this.checkpoint = undefined;
      this.replayFrom(replay, p.index);
    }
    // When neither the state after this migration nor its data operations changed, no later migration sees anything new.
    return unchanged && dataSignature(previous!) === dataSignature(file) ? [key] : replay.keys.slice(p.index);
  }

  /** Replays the migration at `index` alone, to give its new operations their views. */
  private replayOne(replay: AppReplay, index: number, opts: Parameters<typeof replayMigration>[5]): void {
    const key = replay.keys[index];
    try {
      replayMigration(this.graph.nodes.get(key)!.file, key, replay.states[index], this.views, (k) => this.graph.files.get(k)?.initial === true, opts);
    } catch {
      // as in replayFrom: input no rule foresaw leaves the views as they were
    }
  }

  /** Replays from `start` to the end of the app. */
  private replayFrom(replay: AppReplay, start: number): void {
    let state = replay.states[start];
    for (let i = start; i < replay.keys.length; i++) {
      const key = replay.keys[i];
      let after: AppState;
      try {
        after = replayMigration(this.graph.nodes.get(key)!.file, key, state, this.views, (k) => this.graph.files.get(k)?.initial === true);
      } catch {
        // Input no rule foresaw must not stop the replay: this migration leaves the state as it was.
        after = state;
      }
      replay.states[i + 1] = after;
      state = after;
    }
  }
}

/** The migration that brought a table or column into the database; undefined when it only entered the state. */
export const introducedIn = (x: FieldState | ModelState | undefined): string | undefined => (!x || x.stateOnly ? undefined : 'addedIn' in x ? x.addedIn : x.createdIn);

/** A model's table, its columns and its own join tables (lower case), once per model state: states share unchanged models. */
const TABLES = new WeakMap<ModelState, { table: string; columns: Set<string>; joins: string[] }>();
function tablesOf(m: ModelState): { table: string; columns: Set<string>; joins: string[] } {
  let t = TABLES.get(m);
  if (!t) {
    const table = (m.dbTable ?? `${m.app}_${m.name.toLowerCase()}`).toLowerCase();
    const columns = new Set<string>();
    const joins: string[] = [];
    for (const [name, f] of m.fields) {
      columns.add(columnOf(name, f.info).toLowerCase());
      // A many-to-many field without `through` has a join table of its own: <table>_<field>.
      if (isManyToMany(f.info) && !f.info.kwargs.through) joins.push(`${table}_${name}`.toLowerCase());
    }
    t = { table, columns, joins };
    TABLES.set(m, t);
  }
  return t;
}
