// Reads a parsed migration module into a MigrationFile. Whatever cannot be followed statically is
// recorded in `unresolved` (reported as ML506); nothing here throws on odd input.
import type { Node, Tree } from 'web-tree-sitter';
import { DependencyRef, FunctionDef, LocalOperationClass, MigrationFile, ModelImport, Operation, PyValue, Range, Unresolved } from './model';
import { readSuppressions } from './suppressions';
import { pyStringLiteral } from './pystring';
import { offsetAt } from './edits';
import { lineStarts, literalArguments, OPAQUE_KWARGS } from './literal-args';

/** Operations of django.db.migrations (all versions up to 5.x). */
export const DJANGO_OPERATIONS = new Set([
  'CreateModel',
  'DeleteModel',
  'RenameModel',
  'AlterModelTable',
  'AlterModelTableComment',
  'AlterUniqueTogether',
  'AlterIndexTogether',
  'AlterModelOptions',
  'AlterOrderWithRespectTo',
  'AlterModelManagers',
  'AddField',
  'RemoveField',
  'AlterField',
  'RenameField',
  'AddIndex',
  'RemoveIndex',
  'RenameIndex',
  'AddConstraint',
  'RemoveConstraint',
  'AlterConstraint',
  'RunSQL',
  'RunPython',
  'SeparateDatabaseAndState',
]);

const MAX_DEPTH = 64; // nesting beyond this is reported, not followed (deeply nested input must not blow the stack)
const MAX_SYNTAX_ERRORS = 20;

/** A node's range from its start and its text, without asking the parser for the end. */
function rangeFromText(node: Node, text: string): Range {
  const start = node.startPosition;
  const nl = text.lastIndexOf('\n');
  if (nl === -1) return { start: { line: start.row, character: start.column }, end: { line: start.row, character: start.column + text.length } };
  let rows = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) rows++;
  return { start: { line: start.row, character: start.column }, end: { line: start.row + rows, character: text.length - nl - 1 } };
}

export function rangeOf(node: Node): Range {
  return {
    start: { line: node.startPosition.row, character: node.startPosition.column },
    end: { line: node.endPosition.row, character: node.endPosition.column },
  };
}

/** What the module defines at top level, for following names used in the Migration class. */
interface ModuleScope {
  assignments: Map<string, Node>;
  localOps: Map<string, LocalOperationClass>;
}

interface Ctx {
  scope: ModuleScope;
  /** Names assigned in the Migration class body (`state_operations = [...]`), seen by later class statements. */
  classNames: Map<string, Node>;
  unresolved: Unresolved[];
  text: string;
  /** The operations read from the previous text of the file, and those read from this one. */
  cache?: { previous?: OperationCache; next: OperationCache };
  /** Argument lists are read from their text where they hold literals only (not in a file with syntax errors). */
  literal: boolean;
  lines?: number[];
}

/**
 * The operations of a file as last read, for the next keystroke: an operation whose text and place
 * are unchanged, in a file whose text outside its operations list is unchanged, reads the same.
 * Typing in one operation of a 60 KB squash re-reads that operation alone.
 */
export interface OperationCache {
  entries: Map<string, { env: string; op: Operation | undefined; unresolved: Unresolved[] }>;
  /** Literal dependency lists, by list kind, place and text. */
  lists?: Map<string, { env: string; refs: DependencyRef[]; unresolved: Unresolved[] }>;
}

/** What a name in the class body refers to: a class attribute first, then a module-level name. */
function lookup(ctx: Ctx, name: string): Node | undefined {
  return ctx.classNames.get(name) ?? ctx.scope.assignments.get(name);
}

/**
 * `treeOnly`: every value read through the syntax tree, none from the text of a literal argument
 * list (the two give the same values; the text is faster).
 */
export function extractMigration(
  tree: Tree,
  text: string,
  filePath: string,
  app: string,
  name: string,
  cache?: { previous?: OperationCache; next: OperationCache },
  { treeOnly = false } = {},
): MigrationFile {
  const root = tree.rootNode;
  const scope: ModuleScope = { assignments: new Map(), localOps: new Map() };
  const ctx: Ctx = { scope, classNames: new Map(), unresolved: [], text, cache, literal: !treeOnly && !root.hasError };
  let migrationClass: Node | undefined;
  /** `Migration` bound by an import or an assignment: Django loads it, it cannot be read here. */
  let migrationBound = false;

  const result = newMigrationFile(text, filePath, app, name, ctx.unresolved, root.hasError ? collectSyntaxErrors(root) : []);
  const { functions, modelImports } = result;

  for (const stmt of root.namedChildren) {
    if (!stmt) continue;
    const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
    if (!def) continue;
    if (def.type === 'function_definition') {
      readFunction(def, functions, modelImports);
    } else if (def.type === 'class_definition') {
      const className = def.childForFieldName('name')?.text ?? '';
      if (className === 'Migration') migrationClass = def;
      else {
        const local = readLocalOperationClass(def, scope);
        if (local) {
          scope.localOps.set(local.name, local);
          result.localOperations.push(local);
        }
      }
    } else if (def.type === 'expression_statement') {
      const a = def.firstNamedChild;
      if (a?.type === 'assignment') {
        const left = a.childForFieldName('left');
        const right = a.childForFieldName('right');
        if (left?.type === 'identifier' && right) scope.assignments.set(left.text, right);
        if (left?.text === 'Migration') migrationBound = true;
      }
    } else if (def.type === 'import_from_statement' || def.type === 'import_statement') {
      readModelImport(def, modelImports, undefined);
    }
    if (def.type === 'import_from_statement') {
      for (const n of def.childrenForFieldName('name')) {
        const bound = n?.type === 'aliased_import' ? n.childForFieldName('alias')?.text : n?.text;
        if (bound === 'Migration') migrationBound = true;
      }
    }
  }

  if (!migrationClass && migrationBound) {
    ctx.unresolved.push({
      message: '`Migration` is bound by an import or an assignment, not by a class statement here: this migration is not analyzed, and is left out of the graph.',
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    });
    return result;
  }
  if (!migrationClass) {
    ctx.unresolved.push({
      message:
        'No `Migration` class at the top level of this module. Django imports every module of a migrations package whose name does not start with `_` or `~`, ' +
        'and raises BadMigrationError on one without a Migration class: `migrate` and `makemigrations` stop for the whole project. ' +
        `If this is a helper module, rename it with a leading underscore (\`_${name}.py\`).`,
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    });
    return result;
  }
  result.hasMigrationClass = true;
  const nameNode = migrationClass.childForFieldName('name');
  if (nameNode) result.classRange = rangeOf(nameNode);
  const body = migrationClass.childForFieldName('body');
  if (body) readClassBody(body, false, result, ctx);
  return withGuardPhase(result, text);
}

/** A MigrationFile with what the text alone tells (suppressions, number, header day) and nothing read yet. */
export function newMigrationFile(text: string, filePath: string, app: string, name: string, unresolved: Unresolved[], syntaxErrors: Range[]): MigrationFile {
  const { lines, file } = readSuppressions(text);
  const numberMatch = /^(\d+)/.exec(name);
  return {
    path: filePath,
    app,
    name,
    number: numberMatch ? Number(numberMatch[1]) : undefined,
    hasMigrationClass: false,
    classRange: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    dependencies: [],
    replaces: [],
    runBefore: [],
    initial: undefined,
    atomic: undefined,
    operations: [],
    functions: [],
    modelImports: [],
    localOperations: [],
    unresolved,
    suppressions: lines,
    fileSuppressions: file,
    syntaxErrors,
    size: text.length,
    generatedOn: /^# Generated by Django [^\n]* on (\d{4}-\d{2}-\d{2})/m.exec(text.slice(0, 400))?.[1],
  };
}

/**
 * pulpcore's RequireVersion("core", "3.87") as an operation: migrate refuses to run while older
 * components are up, so the running release is already the one the migration was written for.
 */
export function withGuardPhase(result: MigrationFile, text: string): MigrationFile {
  const guard = result.deployPhase ? undefined : result.operations.find((op) => op.kind === 'RequireVersion' && op.origin !== 'django');
  if (guard) result.deployPhase = { phase: 'after', marker: text.slice(offsetAt(text, guard.range.start), offsetAt(text, guard.range.end)).replace(/\s+/g, ' ') };
  return result;
}

/** A module-level function: its name, place and source, and the model imports of its body. */
export function readFunction(def: Node, functions: FunctionDef[], modelImports: ModelImport[]): void {
  const n = def.childForFieldName('name');
  if (!n) return;
  const source = def.text;
  functions.push({ name: n.text, range: rangeOf(def), text: source });
  if (source.includes('import')) {
    for (const s of def.childForFieldName('body')?.namedChildren ?? []) {
      if (s) readModelImport(s, modelImports, n.text);
    }
  }
}

/**
 * Imports that bring in real model classes (or the user model) instead of the historical ones
 * `apps.get_model` returns: an app's `models` module, or `get_user_model`.
 */
function readModelImport(stmt: Node, out: ModelImport[], inFunction: string | undefined): void {
  if (stmt.type === 'import_from_statement') {
    const mod = stmt.childForFieldName('module_name')?.text.replace(/\s+/g, '') ?? '';
    const names = stmt
      .childrenForFieldName('name')
      .filter((n): n is Node => !!n)
      .map((n) => {
        const name = (n.type === 'aliased_import' ? n.childForFieldName('name')?.text : n.text) ?? '';
        return { name, local: (n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : undefined) ?? name };
      });
    modelImportsFrom(mod, names, stmt.text.includes('*'), rangeOf(stmt), inFunction, out);
  } else if (stmt.type === 'import_statement') {
    const names = stmt.namedChildren.map((n) => {
      const name = (n?.type === 'aliased_import' ? n.childForFieldName('name')?.text : n?.text) ?? '';
      return { name, local: (n?.type === 'aliased_import' ? n.childForFieldName('alias')?.text : undefined) ?? name };
    });
    modelImportsOf(names, rangeOf(stmt), inFunction, out);
  }
}

/** `from <mod> import <names>`: the imports of model classes among them. */
export function modelImportsFrom(mod: string, names: Array<{ name: string; local: string }>, star: boolean, range: Range, inFunction: string | undefined, out: ModelImport[]): void {
  const modelsModule = /(^|\.)models$/.test(mod) && mod !== 'django.db.models' && mod !== 'django.forms.models';
  for (const { name, local } of names) {
    const isModels = mod !== 'django.db' && name === 'models' && !mod.startsWith('django.');
    if (modelsModule || isModels || name === 'get_user_model') out.push({ what: `${mod}.${name}`, local, range, inFunction });
  }
  if (modelsModule && star) out.push({ what: `${mod}.*`, local: '*', range, inFunction });
}

/** `import <names>`: the models modules among them. */
export function modelImportsOf(names: Array<{ name: string; local: string }>, range: Range, inFunction: string | undefined, out: ModelImport[]): void {
  for (const { name, local } of names) if (/\.models$/.test(name) && !name.startsWith('django.')) out.push({ what: name, local, range, inFunction });
}

function collectSyntaxErrors(root: Node): Range[] {
  const out: Range[] = [];
  const stack: Node[] = [root];
  while (stack.length && out.length < MAX_SYNTAX_ERRORS) {
    const n = stack.pop()!;
    if (n.type === 'ERROR' || n.isMissing) {
      out.push(rangeOf(n));
      continue;
    }
    for (let i = n.childCount - 1; i >= 0; i--) {
      const c = n.child(i);
      if (c && (c.hasError || c.isMissing)) stack.push(c);
    }
  }
  return out;
}

function readLocalOperationClass(def: Node, scope: ModuleScope): LocalOperationClass | undefined {
  const bases = def.childForFieldName('superclasses');
  if (!bases) return undefined;
  const baseNames = bases.namedChildren.filter((b): b is Node => !!b).map((b) => b.text.replace(/\s+/g, ''));
  const last = (s: string) => s.slice(s.lastIndexOf('.') + 1);
  const isOperationBase = baseNames.some((b) => last(b) === 'Operation' || DJANGO_OPERATIONS.has(last(b)) || scope.localOps.has(b));
  if (!isOperationBase) return undefined;
  let reversibleFlag: boolean | undefined;
  let hasBackwards = false;
  const body = def.childForFieldName('body');
  for (const s of body?.namedChildren ?? []) {
    if (!s) continue;
    const inner = s.type === 'decorated_definition' ? s.childForFieldName('definition') : s;
    if (inner?.type === 'function_definition' && inner.childForFieldName('name')?.text === 'database_backwards') {
      hasBackwards = true;
    }
    if (s.type === 'expression_statement' && s.firstNamedChild?.type === 'assignment') {
      const a = s.firstNamedChild;
      if (a.childForFieldName('left')?.text === 'reversible') {
        const v = a.childForFieldName('right')?.type;
        if (v === 'false') reversibleFlag = false;
        if (v === 'true') reversibleFlag = true;
      }
    }
  }
  const fromBareOperation = baseNames.every((b) => last(b) === 'Operation');
  let reversible: boolean | undefined;
  if (reversibleFlag === false) reversible = false;
  else if (fromBareOperation)
    reversible = hasBackwards; // Operation.database_backwards raises NotImplementedError
  else if (hasBackwards) reversible = true;
  return { name: def.childForFieldName('name')!.text, reversible, range: rangeOf(def) };
}

type ListKey = 'dependencies' | 'replaces' | 'run_before' | 'operations';

function readClassBody(block: Node, conditional: boolean, m: MigrationFile, ctx: Ctx): void {
  for (const stmt of block.namedChildren) {
    if (!stmt) continue;
    switch (stmt.type) {
      case 'expression_statement': {
        const e = stmt.firstNamedChild;
        if (e) readClassStatement(e, conditional, m, ctx);
        break;
      }
      case 'if_statement': {
        const cons = stmt.childForFieldName('consequence');
        if (cons) readClassBody(cons, true, m, ctx);
        for (const alt of stmt.childrenForFieldName('alternative')) {
          const b = alt?.childForFieldName('consequence') ?? alt?.childForFieldName('body');
          if (b) readClassBody(b, true, m, ctx);
        }
        break;
      }
      case 'try_statement': {
        const b = stmt.childForFieldName('body');
        if (b) readClassBody(b, conditional, m, ctx);
        break;
      }
      case 'function_definition':
      case 'decorated_definition': {
        // A data function defined in the class body (`RunPython(dedupe)` right below it) is one too.
        const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
        const n = def?.type === 'function_definition' ? def.childForFieldName('name') : undefined;
        if (def && n) m.functions.push({ name: n.text, range: rangeOf(def), text: def.text, inClass: true });
        break;
      }
      case 'for_statement':
      case 'while_statement':
      case 'with_statement': {
        if (/\b(operations|dependencies|replaces|run_before)\b/.test(stmt.text)) {
          ctx.unresolved.push({
            message: `A \`${stmt.type.replace('_statement', '')}\` block in the Migration class changes its lists at import time; its effect is not analyzed.`,
            range: rangeOf(stmt),
          });
        }
        break;
      }
      default:
        break;
    }
  }
}

function readClassStatement(e: Node, conditional: boolean, m: MigrationFile, ctx: Ctx): void {
  if (e.type === 'assignment' || e.type === 'augmented_assignment') {
    const left = e.childForFieldName('left');
    const right = e.childForFieldName('right');
    if (left?.type !== 'identifier' || !right) return;
    const key = left.text;
    const append = e.type === 'augmented_assignment';
    if (key === 'initial' || key === 'atomic') {
      const v = right.type === 'true' ? true : right.type === 'false' ? false : undefined;
      if (key === 'initial') m.initial = v;
      else m.atomic = v;
      return;
    }
    if (isListKey(key)) assignList(key, right, append, conditional, m, ctx);
    else if (!append) {
      const phase = deployPhaseOf(key, right);
      if (phase) m.deployPhase = phase;
      ctx.classNames.set(key, right);
    }
    return;
  }
  if (e.type === 'call') {
    // operations.append(x) / .extend(xs) / .insert(i, x), usually inside `if` blocks.
    const fn = e.childForFieldName('function');
    if (fn?.type !== 'attribute') return;
    const target = fn.childForFieldName('object')?.text ?? '';
    const method = fn.childForFieldName('attribute')?.text ?? '';
    if (!isListKey(target)) return;
    const args = (e.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => !!a);
    if (method === 'append' && args.length === 1) {
      addItems(target, [{ node: args[0], conditional }], m, ctx);
    } else if (method === 'insert' && args.length === 2) {
      addItems(target, [{ node: args[1], conditional }], m, ctx, true);
    } else if (method === 'extend' && args.length === 1) {
      assignList(target, args[0], true, conditional, m, ctx);
    } else {
      ctx.unresolved.push({ message: `\`${target}.${method}(...)\` is not followed.`, range: rangeOf(e) });
    }
  }
}

/** A deploy-phase marker in the class body, read as django-safemigrate and django-syzygy define them. */
function deployPhaseOf(key: string, value: Node): MigrationFile['deployPhase'] {
  const marker = value.text.replace(/\s+/g, '');
  if (key === 'safe') {
    const m = /(?:^|\.)Safe\.(before_deploy|after_deploy|always)\b/.exec(marker);
    if (m) return { phase: m[1] === 'before_deploy' ? 'before' : m[1] === 'after_deploy' ? 'after' : 'always', marker };
  } else if (key === 'stage') {
    const m = /(?:^|\.)Stage\.(PRE_DEPLOY|POST_DEPLOY)$/.exec(marker);
    if (m) return { phase: m[1] === 'PRE_DEPLOY' ? 'before' : 'after', marker };
  } else if (key === 'is_post_deployment' && (value.type === 'true' || value.type === 'false')) {
    return { phase: value.type === 'true' ? 'after' : 'before', marker: `is_post_deployment = ${value.text}` };
  }
  return undefined;
}

const isListKey = (k: string): k is ListKey => k === 'dependencies' || k === 'replaces' || k === 'run_before' || k === 'operations';

interface Item {
  node: Node;
  conditional: boolean;
}

function assignList(key: ListKey, expr: Node, append: boolean, conditional: boolean, m: MigrationFile, ctx: Ctx): void {
  if (key !== 'operations' && ctx.cache && expr.type === 'list' && cachedDependencies(key, expr, append, conditional, m, ctx)) return;
  const items = resolveList(expr, conditional, ctx, 0);
  if (!append && !conditional) clearList(key, m);
  // Everything an operation of this list may refer to is outside the list's own text.
  const env = key === 'operations' && ctx.cache && expr.type === 'list' ? without(ctx.text, expr.text) : undefined;
  if (items) addItems(key, items, m, ctx, false, env);
}

/**
 * A literal `dependencies` / `replaces` / `run_before` list read as on the last keystroke, when its
 * text, its place and the file around it are unchanged (a squash's `replaces` holds hundreds).
 */
function cachedDependencies(key: ListKey, expr: Node, append: boolean, conditional: boolean, m: MigrationFile, ctx: Ctx): boolean {
  const cache = ctx.cache!;
  const p = expr.startPosition;
  const id = `${key}|${append}|${conditional}|${p.row}:${p.column}:${expr.text}`;
  const env = without(ctx.text, expr.text);
  let hit = cache.previous?.lists?.get(id);
  if (!hit || hit.env !== env) {
    const before = ctx.unresolved.length;
    const items = resolveList(expr, conditional, ctx, 0) ?? [];
    hit = { env, refs: items.map((i) => readDependency(i.node, ctx)).filter((d): d is DependencyRef => !!d), unresolved: ctx.unresolved.splice(before) };
  }
  (cache.next.lists ??= new Map()).set(id, hit);
  ctx.unresolved.push(...hit.unresolved);
  if (!append && !conditional) clearList(key, m);
  const list = key === 'dependencies' ? m.dependencies : key === 'replaces' ? m.replaces : m.runBefore;
  list.push(...hit.refs.map((r) => ({ ...r })));
  return true;
}

function without(text: string, part: string): string {
  const at = text.indexOf(part);
  return at < 0 ? text : text.slice(0, at) + text.slice(at + part.length);
}

/** readOperation, or its result for the same text at the same place in an unchanged file around it. */
function cachedOperation(item: Item, ctx: Ctx, env: string | undefined): Operation | undefined {
  if (!ctx.cache || env === undefined) return readOperation(item.node, item.conditional, ctx, 0);
  const p = item.node.startPosition;
  const key = `${item.conditional ? 'c' : ''}${p.row}:${p.column}:${item.node.text}`;
  const hit = ctx.cache.previous?.entries.get(key);
  if (hit && hit.env === env) {
    ctx.unresolved.push(...hit.unresolved);
    ctx.cache.next.entries.set(key, hit);
    return hit.op;
  }
  const before = ctx.unresolved.length;
  const op = readOperation(item.node, item.conditional, ctx, 0);
  ctx.cache.next.entries.set(key, { env, op, unresolved: ctx.unresolved.slice(before) });
  return op;
}

function clearList(key: ListKey, m: MigrationFile): void {
  if (key === 'operations') m.operations = [];
  else if (key === 'dependencies') m.dependencies = [];
  else if (key === 'replaces') m.replaces = [];
  else m.runBefore = [];
}

function addItems(key: ListKey, items: Item[], m: MigrationFile, ctx: Ctx, front = false, env?: string): void {
  if (key === 'operations') {
    const ops = items.map((i) => cachedOperation(i, ctx, env)).filter((o): o is Operation => !!o);
    if (front) m.operations.unshift(...ops);
    else m.operations.push(...ops);
    return;
  }
  const refs = items.map((i) => readDependency(i.node, ctx)).filter((d): d is DependencyRef => !!d);
  const list = key === 'dependencies' ? m.dependencies : key === 'replaces' ? m.replaces : m.runBefore;
  if (front) list.unshift(...refs);
  else list.push(...refs);
}

/** Follows list literals, `a + b`, `x if c else y`, `*splat` and module-level names. */
function resolveList(node: Node, conditional: boolean, ctx: Ctx, depth: number): Item[] | undefined {
  if (depth > MAX_DEPTH) {
    ctx.unresolved.push({ message: 'Expression nested too deeply to follow.', range: rangeOf(node) });
    return undefined;
  }
  switch (node.type) {
    case 'list':
    case 'tuple': {
      const out: Item[] = [];
      for (const c of node.namedChildren) {
        if (!c || c.type === 'comment') continue;
        if (c.type === 'list_splat') {
          const inner = c.firstNamedChild;
          const r = inner ? resolveList(inner, conditional, ctx, depth + 1) : undefined;
          if (r) out.push(...r);
        } else out.push({ node: c, conditional });
      }
      return out;
    }
    case 'parenthesized_expression': {
      const inner = node.firstNamedChild;
      return inner ? resolveList(inner, conditional, ctx, depth + 1) : [];
    }
    case 'binary_operator': {
      const op = node.childForFieldName('operator')?.type;
      const l = node.childForFieldName('left');
      const r = node.childForFieldName('right');
      if (op === '+' && l && r) {
        const a = resolveList(l, conditional, ctx, depth + 1);
        const b = resolveList(r, conditional, ctx, depth + 1);
        return a || b ? [...(a ?? []), ...(b ?? [])] : undefined;
      }
      break;
    }
    case 'conditional_expression': {
      const parts = node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
      if (parts.length === 3) {
        const a = resolveList(parts[0], true, ctx, depth + 1) ?? [];
        const b = resolveList(parts[2], true, ctx, depth + 1) ?? [];
        return [...a, ...b];
      }
      break;
    }
    case 'identifier': {
      const target = lookup(ctx, node.text);
      if (target && target !== node) return resolveList(target, conditional, ctx, depth + 1);
      break;
    }
    default:
      break;
  }
  ctx.unresolved.push({
    message: `\`${shorten(node.text)}\` is computed at import time; what it contains is not analyzed.`,
    range: rangeOf(node),
  });
  return undefined;
}

function readDependency(node: Node, ctx: Ctx): DependencyRef | undefined {
  if (node.type === 'tuple' || node.type === 'list') {
    const parts = node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    const app = parts[0] && stringValue(parts[0]);
    const name = parts[1] && stringValue(parts[1]);
    if (parts.length === 2 && app !== undefined && name !== undefined) return { app, name, range: rangeOf(node) };
  } else if (node.type === 'call') {
    const fn = node.childForFieldName('function')?.text.replace(/\s+/g, '') ?? '';
    if (fn.endsWith('swappable_dependency')) {
      const arg = node.childForFieldName('arguments')?.firstNamedChild;
      const setting = arg?.type === 'attribute' ? arg.childForFieldName('attribute')?.text : arg?.text;
      return { app: undefined, name: '__first__', swappable: setting ?? 'AUTH_USER_MODEL', range: rangeOf(node) };
    }
  } else if (node.type === 'identifier') {
    const target = lookup(ctx, node.text);
    if (target && target !== node) return readDependency(target, ctx);
  }
  ctx.unresolved.push({
    message: `\`${shorten(node.text)}\` is not an (app_label, migration_name) pair that can be read statically.`,
    range: rangeOf(node),
  });
  return undefined;
}

function readOperation(node: Node, conditional: boolean, ctx: Ctx, depth: number): Operation | undefined {
  let call = node;
  for (let hops = 0; call.type === 'identifier' && hops < 8; hops++) {
    const target = lookup(ctx, call.text);
    if (!target) break;
    call = target;
  }
  if (call.type !== 'call') {
    ctx.unresolved.push({
      message: `\`${shorten(node.text)}\` is not an operation call that can be read statically.`,
      range: rangeOf(node),
    });
    return undefined;
  }
  const [first, list] = call.namedChildren;
  const fn = first && first.type !== 'comment' ? first : call.childForFieldName('function');
  const fnText = fn ? fn.text : '';
  const callee = fnText.replace(/\s+/g, '');
  const kind = callee.slice(callee.lastIndexOf('.') + 1);
  const argList = list?.type === 'argument_list' ? list : call.childForFieldName('arguments');
  const { args, kwargs } = (argList && literalArgs(argList, ctx, depth)) ?? readArguments(call, ctx, depth, argList);
  const origin = operationOrigin(callee, kind, ctx.scope);
  const op: Operation = {
    kind,
    callee,
    args,
    kwargs,
    range: rangeOf(node === call ? call : node),
    nameRange: node === call ? (fn ? rangeFromText(fn, fnText) : rangeOf(call)) : rangeOf(node),
    conditional,
    origin,
  };
  if (origin === 'django' && kind === 'SeparateDatabaseAndState') {
    const dbNode = argNode(call, 0, 'database_operations');
    const stNode = argNode(call, 1, 'state_operations');
    op.databaseOperations = dbNode ? nestedOperations(dbNode, conditional, ctx, depth, op) : [];
    op.stateOperations = stNode ? nestedOperations(stNode, conditional, ctx, depth, op) : [];
  } else if (origin === 'django' && kind === 'RunSQL') {
    const stNode = argNode(call, 3, 'state_operations');
    if (stNode) op.stateOperations = nestedOperations(stNode, conditional, ctx, depth, op);
  }
  return op;
}

export function operationOrigin(callee: string, kind: string, scope: { localOps: ReadonlyMap<string, unknown> }): Operation['origin'] {
  if (callee === kind && scope.localOps.has(kind)) return 'local';
  if (!DJANGO_OPERATIONS.has(kind)) return 'external';
  // `migrations.AddField`, `django.db.migrations.AddField`, `operations.AddField`, or a bare imported name.
  if (callee === kind || /^(django\.db\.)?migrations(\.operations)?\.[A-Za-z]+$/.test(callee) || /^operations\.[A-Za-z]+$/.test(callee)) {
    return 'django';
  }
  return 'external';
}

function nestedOperations(node: Node, conditional: boolean, ctx: Ctx, depth: number, parent: Operation): Operation[] {
  const items = resolveList(node, conditional, ctx, depth + 1) ?? [];
  const ops: Operation[] = [];
  for (const i of items) {
    const o = depth < MAX_DEPTH ? readOperation(i.node, i.conditional, ctx, depth + 1) : undefined;
    if (o) {
      o.parent = parent;
      ops.push(o);
    }
  }
  return ops;
}

/** The syntax node of an argument given by position or keyword. */
function argNode(call: Node, index: number, keyword: string): Node | undefined {
  let pos = 0;
  for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (!a || a.type === 'comment') continue;
    if (a.type === 'keyword_argument') {
      if (a.childForFieldName('name')?.text === keyword) return a.childForFieldName('value') ?? undefined;
    } else if (a.type !== 'list_splat' && a.type !== 'dictionary_splat') {
      if (pos === index) return a;
      pos++;
    }
  }
  return undefined;
}

/** What a name bound in the class body or the module reads as, when it is a value (see toValue). */
const NAMED_VALUES = new Set(['call', 'list', 'tuple', 'dictionary']);

/** An argument list read from its text (literal-args.ts), or undefined: read it through the tree. */
function literalArgs(list: Node, ctx: Ctx, depth: number): { args: PyValue[]; kwargs: Record<string, PyValue> } | undefined {
  if (!ctx.literal) return undefined;
  const mark = ctx.unresolved.length;
  const resolve = (name: string, d: number) => {
    const target = lookup(ctx, name);
    return target && NAMED_VALUES.has(target.type) ? toValue(target, ctx, d) : undefined;
  };
  const out = literalArguments(ctx.text, list.startIndex, list.endIndex, (ctx.lines ??= lineStarts(ctx.text)), resolve, depth);
  // What the names read pushed is pushed again by the tree's reading.
  if (!out) ctx.unresolved.length = mark;
  return out;
}

function readArguments(call: Node, ctx: Ctx, depth: number, list = call.childForFieldName('arguments')): { args: PyValue[]; kwargs: Record<string, PyValue> } {
  const args: PyValue[] = [];
  const kwargs: Record<string, PyValue> = Object.create(null);
  for (const a of list?.namedChildren ?? []) {
    if (!a) continue;
    const type = a.type;
    if (type === 'comment') continue;
    if (type === 'keyword_argument') {
      // namedChildren is one call into the parser where two field lookups would be two.
      const [k, v] = a.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
      if (k && v) {
        const key = k.text;
        // Labels, forms and permissions never reach the column: kept as source only (choices lists can be long).
        kwargs[key] = OPAQUE_KWARGS.has(key) ? { kind: 'unknown', text: '', range: rangeOf(v) } : toValue(v, ctx, depth + 1);
      }
    } else if (type === 'list_splat' || type === 'dictionary_splat') {
      if (!spreadArguments(a, args, kwargs, ctx, depth)) {
        ctx.unresolved.push({ message: `\`${shorten(a.text)}\` passes arguments that are not analyzed.`, range: rangeOf(a) });
      }
    } else {
      args.push(toValue(a, ctx, depth + 1));
    }
  }
  return { args, kwargs };
}

/**
 * `*names` / `**options` whose value is a literal list, dict or `dict(...)` call assigned in the
 * class body or the module: their items become ordinary arguments. False when it cannot be followed.
 */
function spreadArguments(splat: Node, args: PyValue[], kwargs: Record<string, PyValue>, ctx: Ctx, depth: number): boolean {
  let value: Node | null | undefined = splat.firstNamedChild;
  for (let hops = 0; value?.type === 'identifier' && hops < 8; hops++) value = lookup(ctx, value.text);
  if (!value || depth > MAX_DEPTH) return false;
  if (splat.type === 'list_splat') {
    if (value.type !== 'list' && value.type !== 'tuple') return false;
    for (const c of value.namedChildren) if (c && c.type !== 'comment') args.push(toValue(c, ctx, depth + 1));
    return true;
  }
  if (value.type === 'dictionary') {
    const pairs = value.namedChildren.filter((p): p is Node => !!p && p.type !== 'comment');
    if (pairs.some((p) => p.type !== 'pair' || stringValue(p.childForFieldName('key')!) === undefined)) return false;
    for (const p of pairs) kwargs[stringValue(p.childForFieldName('key')!)!] = toValue(p.childForFieldName('value')!, ctx, depth + 1);
    return true;
  }
  if (value.type === 'call' && value.childForFieldName('function')?.text === 'dict') {
    const inner = readArguments(value, ctx, depth + 1);
    if (inner.args.length) return false;
    Object.assign(kwargs, inner.kwargs);
    return true;
  }
  return false;
}

export function toValue(node: Node, ctx: Ctx, depth: number): PyValue {
  const type = node.type;
  if (depth > MAX_DEPTH) return { kind: 'unknown', text: shorten(node.text), range: rangeOf(node) };
  switch (type) {
    case 'string': {
      // Leaves: their text gives the end position too, which saves a call into the parser.
      const text = node.text;
      const range = rangeFromText(node, text);
      const v = pyStringLiteral(text);
      return v === undefined ? { kind: 'unknown', text: shorten(text), range } : { kind: 'str', value: v, range };
    }
    case 'concatenated_string': {
      const range = rangeOf(node);
      const v = stringValue(node);
      return v === undefined ? { kind: 'unknown', text: shorten(node.text), range } : { kind: 'str', value: v, range };
    }
    case 'integer':
    case 'float': {
      const text = node.text;
      return { kind: 'num', value: Number(text.replace(/_/g, '')), text, range: rangeFromText(node, text) };
    }
    case 'true':
    case 'false':
      return { kind: 'bool', value: type === 'true', range: rangeFromText(node, type === 'true' ? 'True' : 'False') };
    case 'none':
      return { kind: 'none', range: rangeFromText(node, 'None') };
    case 'identifier':
    case 'attribute': {
      const text = node.text;
      // A name bound to a field, list or dict in the class body or module (`field=common_field`) is read as its value.
      const target = type === 'identifier' ? lookup(ctx, text) : undefined;
      if (target && target !== node && NAMED_VALUES.has(target.type)) return toValue(target, ctx, depth + 1);
      return { kind: 'name', name: text.replace(/\s+/g, ''), range: rangeFromText(node, text) };
    }
    default:
      return composite(node, type, ctx, depth);
  }
}

function composite(node: Node, type: string, ctx: Ctx, depth: number): PyValue {
  const range = rangeOf(node);
  switch (type) {
    case 'call': {
      const [fn, list] = node.namedChildren;
      const { args, kwargs } = readArguments(node, ctx, depth, list?.type === 'argument_list' ? list : node.childForFieldName('arguments'));
      const callee = fn?.text.replace(/\s+/g, '') ?? '';
      return { kind: 'call', callee, args, kwargs, range };
    }
    case 'list':
    case 'tuple':
    case 'set': {
      const items = node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').map((c) => toValue(c, ctx, depth + 1));
      return { kind: node.type === 'tuple' ? 'tuple' : 'list', items, range };
    }
    case 'parenthesized_expression': {
      const inner = node.firstNamedChild;
      return inner ? toValue(inner, ctx, depth + 1) : { kind: 'unknown', text: '', range };
    }
    case 'dictionary': {
      const entries: Array<[PyValue, PyValue]> = [];
      for (const p of node.namedChildren) {
        if (p?.type !== 'pair') continue;
        const k = p.childForFieldName('key');
        const v = p.childForFieldName('value');
        if (!k || !v) continue;
        const key = toValue(k, ctx, depth + 1);
        entries.push([key, key.kind === 'str' && OPAQUE_KWARGS.has(key.value) ? { kind: 'unknown', text: '', range: rangeOf(v) } : toValue(v, ctx, depth + 1)]);
      }
      return { kind: 'dict', entries, range };
    }
    case 'lambda':
      return { kind: 'lambda', range };
    case 'unary_operator': {
      const arg = node.childForFieldName('argument');
      const op = node.childForFieldName('operator')?.type;
      if (arg && (arg.type === 'integer' || arg.type === 'float') && (op === '-' || op === '+')) {
        const text = node.text.replace(/\s+/g, '');
        return { kind: 'num', value: Number(text.replace(/_/g, '')), text, range };
      }
      return { kind: 'unknown', text: shorten(node.text), range };
    }
    default:
      return { kind: 'unknown', text: shorten(node.text), range };
  }
}

/** The value of a plain or concatenated string literal; undefined for f-strings with fields. */
export function stringValue(node: Node): string | undefined {
  if (node.type === 'concatenated_string') {
    let s = '';
    for (const part of node.namedChildren) {
      if (!part || part.type === 'comment') continue;
      const v = stringValue(part);
      if (v === undefined) return undefined;
      s += v;
    }
    return s;
  }
  return node.type === 'string' ? pyStringLiteral(node.text) : undefined;
}

function shorten(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? `${one.slice(0, 57)}...` : one;
}

/** An operation's argument by position or keyword, as Django's signature names it. */
export function opArg(op: Operation, index: number, keyword: string): PyValue | undefined {
  return op.kwargs[keyword] ?? op.args[index];
}
