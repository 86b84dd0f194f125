// The JSON-lines protocol of core/python/migration_lens_bridge.py: one request per line, one
// answer per line, matched by id. Field names here and in the Python file must agree.

export type Key = [app: string, name: string];

export interface OperationInfo {
  index: number;
  kind: string;
  description: string;
  reducesToSql: boolean;
  /** Why Django cannot run it backwards (RunPython without reverse_code, ...), or null. */
  irreversible: string | null;
}

export interface NodeInfo {
  app: string;
  name: string;
  file: string | null;
  dependencies: Key[];
  replaces: Key[];
  runBefore: Key[];
  atomic: boolean;
  initial: boolean | null;
  operations: OperationInfo[];
}

/** The protocol version this extension speaks; the script says its own (`PROTOCOL`) on its ready line. */
export const BRIDGE_PROTOCOL = 1;

export interface PingResult {
  protocol: number;
  django: string;
  python: string;
  executable: string;
  pid: number;
  settings: string;
}

export interface DjangoDatabase {
  /** Django's ENGINE, e.g. django.db.backends.postgresql. */
  backend: string;
  engine: 'sqlite' | 'postgres' | 'mysql' | null;
  name: string;
  user: string;
  /** Never logged. */
  password: string;
  host: string;
  port: string;
}

export interface StateResult {
  /** Graph order, squashes resolved as migrate resolves them. */
  nodes: NodeInfo[];
  leaves: Record<string, string[]>;
  conflicts: Record<string, string[]>;
  /** [app, name, applied ISO time]; null when the database could not be read. */
  applied: [string, string, string | null][] | null;
  appliedError: { kind: string; message: string } | null;
  inconsistent: string | null;
}

export interface PlanStep {
  app: string;
  name: string;
  backwards: boolean;
  atomic: boolean;
  operations: OperationInfo[];
}

export interface IrreversibleStep {
  app: string;
  name: string;
  index: number;
  description: string;
  reason: string;
}

export interface PlanResult {
  targets: [string, string | null][];
  steps: PlanStep[];
  irreversible: IrreversibleStep[];
}

export interface OperationSql {
  index: number;
  description: string;
  /** Statements and comments Django writes for this operation, header excluded. */
  sql: string[];
  reducesToSql: boolean;
}

export interface SqlResult {
  app: string;
  name: string;
  backwards: boolean;
  atomic: boolean;
  transactional: boolean;
  begin: string | null;
  commit: string | null;
  /** Exactly what `manage.py sqlmigrate` writes to stdout. */
  text: string;
  operations: OperationSql[];
  /** False when the per-operation split could not be matched; `text` is still whole. */
  split: boolean;
  /** Statements the schema editor runs at the end of the migration (deferred constraints, indexes). */
  deferred: string[];
}

export interface MissingMigration {
  app: string;
  name: string;
  path: string;
  operations: string[];
  source: string;
}

export interface MissingResult {
  changes: MissingMigration[];
  /** Questions makemigrations --noinput would stop at (NOT NULL without a default). */
  questions: string[];
}

export interface BridgeMethods {
  ping: { params: Record<string, never>; result: PingResult };
  databases: { params: Record<string, never>; result: { databases: Record<string, DjangoDatabase> } };
  state: { params: { database?: string }; result: StateResult };
  plan: { params: { app?: string; target?: string; database?: string }; result: PlanResult };
  sql: { params: { app: string; name: string; backwards?: boolean; database?: string }; result: SqlResult };
  missing: { params: { apps?: string[] }; result: MissingResult };
}

export type BridgeErrorKind =
  | 'django-missing'
  | 'settings'
  | 'boot'
  | 'stale'
  | 'conflict'
  | 'inconsistent-history'
  | 'not-found'
  | 'ambiguous'
  | 'connection'
  | 'database'
  | 'protocol'
  | 'python'
  // Raised on the Node side:
  | 'django-unsupported'
  | 'timeout'
  | 'crashed'
  | 'spawn';

export interface WireError {
  kind: BridgeErrorKind;
  message: string;
  detail?: string | null;
}
