// What risk rules share: the Django operations of a file that reach the database, each with what
// it saw in the replayed state, and the names they are reported under.
import { allOperations, MigrationFile, Operation, PyValue, Range } from './model';
import { offsetAt } from './edits';
import { fieldInfo, FieldInfo, hasDefault, isNullable, isPrimaryKey, relationTarget } from './fields';
import type { AppState, FieldState, ModelState, OpView } from './state';
import { fieldNameOf, modelNameOf, targetField, targetModel } from './state';
import { opArg } from './extract';
import { readSql, SqlStatement, writesRows } from './sql';
import type { Finding, RuleContext } from '../rules/types';
import { UNRELEASED } from './baseline';

export interface Judged {
  op: Operation;
  /** Position in `allOperations(file.operations)`: how fixes find the operation again. */
  index: number;
  /** Undefined when the file is outside Django's plan (replaced by a squash, in a cycle). */
  view?: OpView;
  /** Model and field names as written in the operation. */
  model?: string;
  field?: string;
}

/** An operation inside SeparateDatabaseAndState's (or RunSQL's) state_operations. */
/** Django's operations that change the schema (SeparateDatabaseAndState counts by its database side). */
export const SCHEMA_OPERATIONS: ReadonlySet<string> = new Set([
  'CreateModel',
  'DeleteModel',
  'RenameModel',
  'AlterModelTable',
  'AlterUniqueTogether',
  'AlterIndexTogether',
  'AlterOrderWithRespectTo',
  'AddField',
  'RemoveField',
  'AlterField',
  'RenameField',
  'AddIndex',
  'RemoveIndex',
  'RenameIndex',
  'AddConstraint',
  'RemoveConstraint',
]);

export const isStateOnly = (op: Operation): boolean => !!op.parent?.stateOperations?.includes(op);

const judgedCache = new WeakMap<RuleContext, Judged[]>();

/**
 * Django's own operations of the file that run on the database, in source order. Computed once
 * per rule run (the context object) and shared by every rule.
 */
export function databaseOperations(ctx: RuleContext, kinds?: ReadonlySet<string>): Judged[] {
  let all = judgedCache.get(ctx);
  if (!all) {
    all = [];
    allOperations(ctx.file.operations).forEach((op, index) => {
      if (op.origin !== 'django') return;
      const view = ctx.state?.view(op);
      if (view ? !view.database || view.noTable : isStateOnly(op)) return;
      all!.push({ op, index, view, model: modelNameOf(op), field: fieldNameOf(op) });
    });
    judgedCache.set(ctx, all);
  }
  return kinds ? all.filter((j) => kinds.has(j.op.kind)) : all;
}

export interface Alteration extends Judged {
  model: string;
  field: string;
  /** The field in the state before the AlterField, and the definition it is altered to. */
  before: FieldState;
  after: FieldInfo;
}

const ALTER = new Set(['AlterField']);

const alterationsCache = new WeakMap<RuleContext, Alteration[]>();

/** The AlterFields of the file on existing tables whose field before is known from the state (once per rule run). */
export function alterations(ctx: RuleContext): Alteration[] {
  const cached = alterationsCache.get(ctx);
  if (cached) return cached;
  const out: Alteration[] = [];
  alterationsCache.set(ctx, out);
  for (const j of databaseOperations(ctx, ALTER)) {
    const before = j.view?.field;
    const after = fieldInfo(opArg(j.op, 2, 'field'));
    if (!j.model || !j.field || !before || !after || j.view?.newTable) continue;
    out.push({ ...j, model: j.model, field: j.field, before, after });
  }
  return out;
}

/** A one-row settings table by its model's name (BookWyrm's SiteSettings, DefectDojo's System_Settings); per-user settings are not. */
export const isSettingsSingleton = (model: string): boolean => /^(site|system|global|instance|general)_?settings$/i.test(model);

/** The database table of a model: `db_table`, or Django's `<app>_<model>`. */
export function tableName(app: string, model: ModelState | undefined, name: string): string {
  return model?.dbTable ?? `${app}_${(model?.name ?? name).toLowerCase()}`;
}

/** A model class name for messages and generated code: `Order` for `order`. */
export function className(model: ModelState | undefined, name: string): string {
  return model?.name ?? name.charAt(0).toUpperCase() + name.slice(1);
}

/** The operation's argument as a string value. */
export function strArg(op: Operation, index: number, keyword: string): string | undefined {
  const v = opArg(op, index, keyword);
  return v?.kind === 'str' ? v.value : undefined;
}

/** Expressions (PyValues, or arrays of them) without source positions, for comparing them. */
export function shape(v: unknown): string {
  return JSON.stringify(v ?? null, (k, val) => (k === 'range' ? undefined : val));
}

/** Source text of a range. */
export function sliceRange(text: string, r: Range): string {
  return text.slice(offsetAt(text, r.start), offsetAt(text, r.end));
}

/** Formats the "safe way" part of a message: a code block indented under a heading. */
/** The safe way of a finding (its `help`): this operation's own code, one line per entry. */
export function safeWay(lines: string[]): string {
  return lines.join('\n');
}

/** A finding as one text, for outputs with no room for its help apart (the Problems panel, the CLI's text). */
export function messageWithHelp(f: { message: string; help?: string }): string {
  return f.help
    ? `${f.message}\n\nSafe way:\n${f.help
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n')}`
    : f.message;
}

/** Data-changing operations: RunPython, and RunSQL with a statement that writes rows. */
export function isDataOperation(op: Operation): boolean {
  if (op.origin !== 'django') return false;
  if (op.kind === 'RunPython') return true;
  if (op.kind !== 'RunSQL') return false;
  return runSqlStatements(op).some(writesRows);
}

/** One SQL string of RunSQL's `sql` or `reverse_sql`, and whether it is run with parameters. */
export interface SqlSource {
  sql: string;
  params: boolean;
  range: Range;
}

/**
 * The SQL strings of RunSQL's `sql` (or `reverse_sql`): a string, or a list of strings and
 * `(sql, params)` pairs. What is not a string literal (a name, a call) is not among them.
 */
export function sqlSources(v: PyValue | undefined): SqlSource[] {
  if (!v) return [];
  if (v.kind === 'str') return [{ sql: v.value, params: false, range: v.range }];
  if (v.kind !== 'list' && v.kind !== 'tuple') return [];
  const out: SqlSource[] = [];
  for (const i of v.items) {
    if (i.kind === 'str') out.push({ sql: i.value, params: false, range: i.range });
    else if ((i.kind === 'tuple' || i.kind === 'list') && i.items[0]?.kind === 'str') {
      // Django runs `(sql, None)` without parameters: only then is `%` not a placeholder.
      const params = i.items.length > 1 && i.items[1].kind !== 'none';
      out.push({ sql: i.items[0].value, params, range: i.items[0].range });
    }
  }
  return out;
}

/** The SQL text of RunSQL's `sql`: its strings joined, for searching it. */
export function sqlText(v: PyValue | undefined): string {
  return sqlSources(v)
    .map((s) => s.sql)
    .join(';\n');
}

/** The statements of a RunSQL's forward SQL, as the SQL reader reads them. */
export function runSqlStatements(op: Operation): SqlStatement[] {
  return sqlSources(opArg(op, 0, 'sql')).flatMap((s) => readSql(s.sql, { params: s.params }));
}

/** The migration gives the column a database default itself (RunSQL `ALTER COLUMN ... SET DEFAULT`). */
export function setsDefault(ctx: RuleContext, table: string, column: string): boolean {
  return ctx.file.operations.some(
    (op) =>
      op.kind === 'RunSQL' &&
      op.origin === 'django' &&
      runSqlStatements(op).some((s) => s.effects.some((e) => e.kind === 'set-default' && e.table.toLowerCase() === table.toLowerCase() && e.column.toLowerCase() === column.toLowerCase())),
  );
}

/**
 * A field expression rebuilt from its source with some keyword arguments changed (a string is the
 * new source of the value, null removes it): the code that safe-way messages and fixes show.
 */
export function fieldSource(ctx: RuleContext, field: FieldState, changes: Record<string, string | null> = {}): string {
  const text = definingText(ctx, field);
  const src = (v: PyValue) =>
    text
      ? sliceRange(text, v.range)
          .replace(/\s*\n\s*/g, ' ')
          .replace(/([[(]) /g, '$1')
          .replace(/,? ([\])])/g, '$1')
      : undefined;
  const parts: string[] = [];
  for (const a of field.info.args) parts.push(src(a) ?? '...');
  for (const [k, v] of Object.entries(field.info.kwargs)) {
    if (k in changes) continue;
    parts.push(`${k}=${src(v) ?? '...'}`);
  }
  for (const [k, v] of Object.entries(changes)) if (v !== null) parts.push(`${k}=${v}`);
  return `${field.info.callee}(${parts.join(', ')})`;
}

/** The source of one keyword argument of a field as defined (`choices=[...]` is kept as source only). */
export function kwargSource(ctx: RuleContext, field: FieldState, key: string): string | undefined {
  const v = field.info.kwargs[key];
  const text = v && definingText(ctx, field);
  return v && text ? sliceRange(text, v.range) : undefined;
}

/** The text of the migration that last defined the field (the editor's, while it is open). */
function definingText(ctx: RuleContext, field: FieldState): string | undefined {
  const file = ctx.graph.files.get(field.definedIn);
  return file && (file.path === ctx.file.path ? ctx.text : ctx.textOf?.(file.path));
}

/** A list of string literals (`fields=["a", "b"]`); `?` for what is not a literal. */
export function stringList(v: PyValue | undefined): string[] {
  return v && (v.kind === 'list' || v.kind === 'tuple') ? v.items.map((i) => (i.kind === 'str' ? i.value : '?')) : ['...'];
}

/** Models of Django's contrib apps whose key is an integer AutoField (outside the workspace). */
const INTEGER_KEY: FieldInfo = { cls: 'AutoField', callee: 'models.AutoField', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, kwargs: {}, args: [] };

/**
 * The primary key field of a relation's target model, from the replayed state: same app as it
 * stands just before the operation (`view`) or else before this migration, another app as it
 * stands at its end. `settings.AUTH_USER_MODEL` and
 * models outside the workspace are taken as Django's default integer key only for contrib apps.
 */
export function relationKey(ctx: RuleContext, view?: OpView): (relation: FieldInfo) => FieldInfo | undefined {
  return (relation) => {
    const target = relationTarget(relation);
    let app: string | undefined;
    let model: string | undefined;
    if (target?.kind === 'str') {
      const dot = target.value.lastIndexOf('.');
      app = dot > 0 ? target.value.slice(0, dot) : ctx.file.app;
      model = target.value.slice(dot + 1);
    } else if (target?.kind === 'name' && /(^|\.)AUTH_USER_MODEL$/.test(target.name)) {
      app = 'auth';
      model = 'User';
    }
    if (!app || !model || model === 'self') return undefined;
    const state: AppState | undefined = app === ctx.file.app ? (view?.appBefore ?? ctx.state?.before(ctx.key)) : ctx.state?.latest(app);
    if (!state) return ['auth', 'contenttypes', 'sites', 'admin', 'flatpages', 'redirects'].includes(app) ? INTEGER_KEY : undefined;
    for (const f of state.get(model.toLowerCase())?.fields.values() ?? []) if (isPrimaryKey(f.info)) return f.info;
    return undefined;
  };
}

/**
 * What the release still running during the deploy means for a drop, by the migration's deploy
 * phase: unmarked, it may still use what is dropped; marked to run after the deploy, no running code
 * uses it any more; marked to run before, it certainly still does.
 */
export function deployClause(ctx: RuleContext, what: string): string {
  const p = ctx.file.deployPhase;
  if (!p) return `, and the release still running during the deploy fails on ${what}.`;
  if (p.phase === 'after') return `. It runs after the deploy (\`${p.marker}\`), once no running code uses it: the loss of the data is the risk.`;
  if (p.phase === 'before')
    return `, and it runs before the deploy (\`${p.marker}\`): the release still serving uses it and fails on ${what} until the new code is out. Mark it to run after the deploy.`;
  return `; it is marked safe at any time (\`${p.marker}\`), but the release still running during the deploy fails on ${what} if it uses it.`;
}

/**
 * The data side of a drop, said once the failure of the running release is: what goes with it,
 * and that a copy matters only if something still needs it (it may already have been copied).
 */
export function valuesGo(ctx: RuleContext, what: string): string {
  return ctx.file.deployPhase?.phase === 'after' ? '' : ` ${what}: keep a copy first if anything still needs them.`;
}

/** The operations of the file that run after `op` (nested ones included), in order. */
export function operationsAfter(ctx: RuleContext, op: Operation): Operation[] {
  const ops = allOperations(ctx.file.operations);
  return ops.slice(ops.indexOf(op) + 1);
}

/** A Django operation of `kind` on `model` (and `field`, by its old name for RenameField). */
export function isOperationOn(op: Operation, kind: string, model: string, field?: string): boolean {
  return op.origin === 'django' && op.kind === kind && targetModel(op) === model.toLowerCase() && (field === undefined || targetField(op) === field.toLowerCase());
}

/** The field is added nullable, without a default, in this migration: the column holds only NULLs. */
export function addedEmptyHere(ctx: RuleContext, model: string, field: string): boolean {
  return allOperations(ctx.file.operations).some((op) => {
    if (!isOperationOn(op, 'AddField', model, field)) return false;
    const f = fieldInfo(opArg(op, 2, 'field'));
    return !!f && isNullable(f) && !hasDefault(f);
  });
}

/**
 * The app's migrations before this one that belong to the same change: the one just before it,
 * then earlier ones written the same day (`# Generated by Django ... on <day>`), nearest first.
 */
export function earlierInChange(ctx: RuleContext): MigrationFile[] {
  const n = ctx.state?.neighbours(ctx.key);
  const out: MigrationFile[] = [];
  for (let i = (n?.index ?? 0) - 1; n && i >= 0 && i >= n.index - 20; i--) {
    const file = ctx.graph.nodes.get(n.keys[i])?.file;
    if (!file || (out.length && (!ctx.file.generatedOn || file.generatedOn !== ctx.file.generatedOn))) break;
    out.push(file);
  }
  return out;
}

/**
 * Why a table or column cannot matter to the release still running during the deploy: the
 * migration that introduced it ships in the same release as this one (git's release tags say so,
 * or both are new on this branch), so no deployed code knows it. Undefined when that is not known.
 */
export function sameReleaseReason(ctx: RuleContext, introducedIn: string | undefined, what: string): string | undefined {
  if (!ctx.releaseOf) return undefined;
  const release = ctx.releaseOf(ctx.key);
  // The project's first release: no release ran before it, whatever this migration changes.
  if (release && ctx.isFirstRelease?.(ctx.key)) return `Not a risk for the running release: this migration first shipped in release ${release}, the project's first; no release ran before it.`;
  if (!introducedIn || introducedIn === ctx.key) return undefined;
  if (!release || release !== ctx.releaseOf(introducedIn)) return undefined;
  // A squash is younger than what it replaces: the table or field is as old as the first of those.
  if (isSquash(ctx.graph.files.get(introducedIn))) return undefined;
  // Only what this migration's history holds (the app's replay puts parallel branches in one line).
  if (!isAncestor(ctx, introducedIn, ctx.key)) return undefined;
  return release === UNRELEASED
    ? `Not a risk for the running release: ${what} comes from ${introducedIn}, which, like this migration, no release has shipped yet; no deployed code uses it.`
    : `Not a risk for the running release: ${what} comes from ${introducedIn}, first shipped in release ${release} like this migration; the release running before it never had it.`;
}

/** Whether `a` runs before `b` in every plan: one of `b`'s dependencies, directly or not. */
function isAncestor(ctx: RuleContext, a: string, b: string): boolean {
  const seen = new Set<string>();
  const stack = [b];
  while (stack.length) {
    for (const p of ctx.graph.nodes.get(stack.pop()!)?.parents ?? []) {
      if (p === a) return true;
      if (!seen.has(p)) {
        seen.add(p);
        stack.push(p);
      }
    }
  }
  return false;
}

const isSquash = (m: MigrationFile | undefined): boolean => !!m && (m.replaces.length > 0 || /_squashed_/.test(m.name));

/** The finding marked moot for that reason (said as information, the reason first), or as it is. */
export function unlessSameRelease(ctx: RuleContext, f: Finding, introducedIn: string | undefined, what: string): Finding {
  const moot = sameReleaseReason(ctx, introducedIn, what);
  return moot ? { ...f, moot } : f;
}

/**
 * A data operation of the app names the field, from the migration `definedIn` up to the operation
 * `opIndex` of this one: the values were filled (ML202's two-step pattern) or copied in.
 */
export function filledSince(ctx: RuleContext, field: string, definedIn: string, opIndex: number): boolean {
  const n = ctx.state?.neighbours(ctx.key);
  if (!n) return false;
  const from = n.keys.indexOf(definedIn);
  // The field as a word, in a lookup (`uuid__isnull`), or inside a helper's name (`update_uuid_field`,
  // `fixup_null_statuses`).
  const f = field.replace(/[^\w]/g, '');
  const mentions = new RegExp(`(?<![A-Za-z0-9_])${f}(?![A-Za-z0-9_])|(?<![A-Za-z0-9_])${f}__|_${f}(?:e?s)?(?:_|(?![A-Za-z0-9]))`, 'i');
  for (let i = n.index; i >= 0 && i >= from; i--) {
    const file = ctx.graph.nodes.get(n.keys[i])?.file;
    // In this migration, only the data operations that run before the AlterField count.
    const ops = file ? allOperations(file.operations).slice(0, i === n.index ? opIndex : undefined) : [];
    if (file && ops.some((op) => fills(op, file, mentions))) return true;
  }
  return false;
}

function fills(op: Operation, file: MigrationFile, mentions: RegExp): boolean {
  if (op.origin !== 'django') return false;
  if (op.kind === 'RunSQL') {
    const sql = sqlText(opArg(op, 0, 'sql'));
    return /\bUPDATE\b/i.test(sql) && mentions.test(sql);
  }
  if (op.kind !== 'RunPython') return false;
  const code = opArg(op, 0, 'code');
  const fn = code?.kind === 'name' ? file.functions.find((f) => f.name === code.name) : undefined;
  if (!fn) return false;
  // The function, and the module's helpers it calls (`update_uuid_field(App)`).
  const helpers = file.functions.filter((h) => h !== fn && new RegExp(`\\b${h.name}\\(`).test(fn.text));
  return [fn, ...helpers].some((f) => mentions.test(f.text));
}
