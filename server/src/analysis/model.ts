// The migration model: what a migration file says, independent of how it was parsed.

/** Zero-based position, as in LSP. `character` counts UTF-16 code units. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A Python expression reduced to what the rules need. Anything else is `unknown`. */
export type PyValue =
  | { kind: 'str'; value: string; range: Range }
  | { kind: 'num'; value: number; text: string; range: Range }
  | { kind: 'bool'; value: boolean; range: Range }
  | { kind: 'none'; range: Range }
  /** An identifier or dotted name: `settings.AUTH_USER_MODEL`, `migrations.RunPython.noop`. */
  | { kind: 'name'; name: string; range: Range }
  | { kind: 'call'; callee: string; args: PyValue[]; kwargs: Record<string, PyValue>; range: Range }
  | { kind: 'list' | 'tuple'; items: PyValue[]; range: Range }
  | { kind: 'dict'; entries: Array<[PyValue, PyValue]>; range: Range }
  | { kind: 'lambda'; range: Range }
  | { kind: 'unknown'; text: string; range: Range };

export interface Operation {
  /** The class name: `AddField`, `RunPython`, `CreateExtension`, a custom class. */
  kind: string;
  /** The callee as written: `migrations.AddField`, `AddField`, `pg_ops.CreateExtension`. */
  callee: string;
  args: PyValue[];
  kwargs: Record<string, PyValue>;
  range: Range;
  /** Range of the callee name, where a diagnostic reads best. */
  nameRange: Range;
  /** Only added under a condition (`if` in the class body, `a if c else b`). */
  conditional: boolean;
  /** Django's own operation, a class defined in this file, or something imported. */
  origin: 'django' | 'local' | 'external';
  /**
   * For SeparateDatabaseAndState: what runs on the database and what only changes the state;
   * RunSQL's `state_operations` are state operations too.
   */
  databaseOperations?: Operation[];
  stateOperations?: Operation[];
  /** Set when the operation is nested in another (SeparateDatabaseAndState). */
  parent?: Operation;
}

export interface DependencyRef {
  /** App label, or undefined for a swappable dependency whose app depends on settings. */
  app: string | undefined;
  name: string;
  /** `swappable_dependency(settings.X)`: the setting name. */
  swappable?: string;
  range: Range;
}

/** A part of the file the parser could not follow; reported as ML506. */
export interface Unresolved {
  message: string;
  range: Range;
}

/** A module-level function: used to place a reverse function next to its forward one. */
export interface FunctionDef {
  name: string;
  range: Range;
  /** The function's source: rules look for the fields a data migration touches. */
  text: string;
  /** Defined in the Migration class body rather than at module level. */
  inClass?: boolean;
}

/** An import that loads models: `from shop.models import Product`, `get_user_model`. */
export interface ModelImport {
  /** What is imported, as written: `shop.models.Product`. */
  what: string;
  /** The name it is bound to in the module: `Product`, an alias, `shop.models` for `import shop.models`. */
  local: string;
  range: Range;
  /** Name of the enclosing top-level function, when the import is inside one. */
  inFunction?: string;
}

/** A class defined in the migration file that subclasses an Operation. */
export interface LocalOperationClass {
  name: string;
  /** `reversible = False` in the class body, or no `database_backwards`. */
  reversible: boolean | undefined;
  range: Range;
}

export interface DeployPhase {
  phase: 'before' | 'after' | 'always';
  /** The marker as written: `Safe.after_deploy()`. */
  marker: string;
}

export interface MigrationFile {
  /** Absolute file path. */
  path: string;
  /** App label: folder name, or `label` from the app's apps.py. */
  app: string;
  /** Module name: `0002_order_status`. */
  name: string;
  /** Leading digits of the name, or undefined when the name does not start with digits. */
  number: number | undefined;
  hasMigrationClass: boolean;
  /** Range of the `Migration` class name (or the first line when there is none). */
  classRange: Range;
  dependencies: DependencyRef[];
  replaces: DependencyRef[];
  runBefore: DependencyRef[];
  initial: boolean | undefined;
  atomic: boolean | undefined;
  /**
   * The deploy phase the project marks the migration with: django-safemigrate's
   * `safe = Safe.before_deploy()/after_deploy()/always()`, django-syzygy's
   * `stage = Stage.PRE_DEPLOY/POST_DEPLOY`, or `is_post_deployment = True`.
   */
  deployPhase?: DeployPhase;
  operations: Operation[];
  functions: FunctionDef[];
  modelImports: ModelImport[];
  localOperations: LocalOperationClass[];
  unresolved: Unresolved[];
  /** Line (0-based) -> rule codes suppressed there; `*` suppresses every rule. */
  suppressions: Map<number, Set<string>>;
  /** Rule codes suppressed for the whole file; `*` for all. */
  fileSuppressions: Set<string>;
  /** The line numbers that hold a syntax error, if any. */
  syntaxErrors: Range[];
  /** The day `makemigrations` wrote the file, from its `# Generated by Django X on YYYY-MM-DD` header. */
  generatedOn?: string;
  /** Byte length of the text; huge files are reported but still analyzed. */
  size: number;
}

export const migrationKey = (app: string, name: string): string => `${app}.${name}`;

/** Every operation in a file including nested ones, in source order. */
export function allOperations(ops: readonly Operation[]): readonly Operation[] {
  const known = flattened.get(ops);
  if (known) return known;
  const list: Operation[] = [];
  const walk = (l: readonly Operation[]): void => {
    for (const op of l) {
      list.push(op);
      if (op.databaseOperations) walk(op.databaseOperations);
      if (op.stateOperations) walk(op.stateOperations);
    }
  };
  walk(ops);
  // A model's operations do not change once read, and every rule asks for the same list.
  flattened.set(ops, list);
  return list;
}
const flattened = new WeakMap<readonly Operation[], readonly Operation[]>();
