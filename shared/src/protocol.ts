// The custom LSP messages between the client and the server, typed once for both sides: each
// request and notification is a RequestType / NotificationType that carries its params and result.
import { NotificationType, NotificationType0, RequestType } from 'vscode-languageserver-protocol';
export { FIRST_RELEASE, MERGE_COMMAND } from './constants';
import type { Risk } from './risk';

export type { Risk } from './risk';

/** Request: the projects of the workspace with their migrations, for the tree and the commands. */
export type ProjectsParams = Record<string, never>;
export type ProjectsResult = ProjectSummary[];
export const ProjectsRequest = new RequestType<ProjectsParams, ProjectsResult, void>('migrationLens/projects');

/**
 * Notification: the rows of a project's `django_migrations` table; null when the database could
 * not be read (the analysis then treats every migration as of unknown status).
 */
export const AppliedNotification = new NotificationType<AppliedParams>('migrationLens/applied');
export interface AppliedParams {
  projectRoot: string;
  applied: AppliedRow[] | null;
  /**
   * The engine and version the database reports (`SELECT version()`), when read; else the engine
   * the project's settings name (no version), with `engineSource` saying where it was read.
   */
  engine?: { name: 'postgresql' | 'mysql' | 'mariadb' | 'sqlite'; version?: string };
  engineSource?: string;
}

export interface AppliedRow {
  app: string;
  name: string;
  /** When it was applied, ISO 8601 in UTC; null when the database does not say. */
  applied: string | null;
}

/**
 * Request, server to client: the base branch's version of these files (git blob ids), for the
 * baseline. The client runs git; null when the baseline is off or no file is in a repository.
 */
export const BaselineRequest = new RequestType<BaselineParams, BaselineResult, void>('migrationLens/baseline');
export interface BaselineParams {
  /** Absolute paths of the migration files the server analyzes. */
  paths: string[];
}
export type BaselineResult = { repos: BaselineRepoData[] } | null;
export interface BaselineRepoData {
  /** The repository's top folder. */
  root: string;
  /** The base ref as the user names it (`origin/main`). */
  ref: string;
  /** Absolute path -> blob id at the merge base of HEAD and the ref, for the files that exist there. */
  blobs: Record<string, string>;
  /**
   * Absolute path -> the release (`3.1.0`) whose tag first shipped the file; a file left out is in
   * no release yet. Absent when the repository has no version tags or only part of its history.
   */
  releases?: Record<string, string>;
  /**
   * Absolute path -> the models the file deletes that the release running before the file's own no
   * longer defines (no `class Name` in its models modules), or defines and uses nowhere: their code
   * went a release earlier. Read with the releases.
   */
  retired?: Record<string, RetiredModels>;
}
export interface RetiredModels {
  /** The tag of the release that runs during the deploy (`3.19.4`). */
  release: string;
  /** Model class names no models module of that release defines. */
  models: string[];
  /** Model classes that release defines but names on no other line of its Python code (migrations aside). */
  unused: string[];
}

/** Notification, client to server: HEAD, the base branch or the baseline setting moved; ask again. */
export const BaselineChangedNotification = new NotificationType0('migrationLens/baselineChanged');

/**
 * Notification, server to client: where the first analysis stands. `analyzing`: the files are
 * parsed and the projects request answers (findings fill in as the rules run); `ready`: every
 * finding is published.
 */
export const StatusNotification = new NotificationType<StatusParams>('migrationLens/status');
export interface StatusParams {
  state: 'analyzing' | 'ready';
  /** Migration files in the workspace. */
  files: number;
}

/**
 * Notification, server to client: the projects' summary may have changed (a file, the baseline,
 * the applied rows); the tree asks for it again. Sent at most every 200 ms.
 */
export const ProjectsChangedNotification = new NotificationType0('migrationLens/projectsChanged');

/** Request: the live-data probes worth running for the pending migrations of a project. */
export const ProbesRequest = new RequestType<ProbesParams, ProbesResult, void>('migrationLens/probes');
export interface ProbesParams {
  projectRoot: string;
}
export type ProbesResult = ProbeSpec[];

/** Notification: what the probes counted; replaces the project's previous results. */
export const ProbeResultsNotification = new NotificationType<ProbeResultsParams>('migrationLens/probeResults');
export interface ProbeResultsParams {
  projectRoot: string;
  results: ProbeResult[];
}

/**
 * A read-only count on the live database for a pending risky operation. Tables and columns are
 * names as Django creates them; the client quotes them with its query builder.
 */
export interface ProbeSpec {
  /** Stable for the same operation and the same question; results are matched by it. */
  id: string;
  /** `app.name` of the pending migration. */
  migration: string;
  /** The finding the count is for (ML202, ML203, ML103, ML106, ML101, ML102), or `impact` for a table's size. */
  source: string;
  probe: Probe;
}

export type Probe =
  /** Rows whose column is NULL (NOT NULL is about to be set). */
  | { kind: 'nulls'; table: string; column: string }
  /** Values (or tuples) held by more than one row (a unique constraint is about to be added). */
  | { kind: 'duplicates'; table: string; columns: string[] }
  /** Non-null values that will not convert to (or fit in) the new column type. */
  | { kind: 'convert'; table: string; column: string; from: 'text' | 'integer' | 'decimal'; target: ConvertTarget }
  /** Rows, and non-null values of the column when one is named, that the operation deletes. */
  | { kind: 'loss'; table: string; column?: string }
  /**
   * The table's size from the catalog (PostgreSQL reltuples and pg_total_relation_size,
   * information_schema.TABLES on MySQL/MariaDB; SQLite: a count bounded at 1,000,001 rows).
   */
  | { kind: 'size'; table: string };

export type ConvertTarget =
  /** Ranges differ per engine (MySQL's unsigned columns hold twice PostgreSQL's positive range). */
  | { type: 'integer'; bits: 16 | 32 | 64; unsigned: boolean }
  /** Digits before the decimal point that the new column allows. */
  | { type: 'decimal'; integerDigits?: number }
  | { type: 'float' | 'boolean' | 'date' | 'datetime' | 'time' | 'uuid' | 'json' }
  | { type: 'text'; maxLength: number };

export interface ProbeResult {
  id: string;
  /** Rows (or, for duplicates, distinct values) the probe found. */
  count?: number;
  /** Rows in the table, for scale; for duplicates, the rows holding a duplicated value. */
  total?: number;
  /** Why the probe did not run (the table or column does not exist yet). */
  skipped?: string;
  /** Why it failed (timeout, permissions): shown, never fatal. */
  error?: string;
  /** The database engine the count is from: `sqlite`, `postgres`, `mysql`, `mariadb`. */
  engine?: string;
  /** Size probes: the table's bytes (data and indexes), when the engine says. */
  bytes?: number;
}

export interface ProjectSummary {
  /** Folder holding manage.py (or the workspace folder when there is none). */
  root: string;
  hasManagePy: boolean;
  apps: AppSummary[];
  /** Whether the database's applied set is known. */
  historyKnown: boolean;
  /** Applied in the database, no file on disk. */
  ghosts: GhostMigration[];
  /** Apps with rows in `django_migrations` and no migrations in the workspace (auth, ...). */
  externalApps: string[];
  /** The base ref the files are compared against, when git gives one. */
  baselineRef?: string;
}

export interface AppSummary {
  label: string;
  /** In graph order. */
  migrations: MigrationSummary[];
  /** Names of the leaf migrations; more than one is a conflict. */
  leaves: string[];
}

export interface MigrationSummary {
  app: string;
  name: string;
  path: string;
  /** Zero-based line of `class Migration`, where the lenses go. */
  classLine: number;
  /** `app.name` keys this migration depends on (resolved; external ones as written). */
  dependencies: string[];
  replaces: string[];
  /** Set when a squashed migration is used in its place. */
  replacedBy?: string;
  operations: OperationSummary[];
  /** Codes of the findings on this file, after suppression. */
  findings: string[];
  /**
   * The worst risk among those findings (quiet ones left out), as the hover and the CLI name it:
   * the client shows it as it is, never derives it from the codes.
   */
  risk?: Risk;
  /** What the database says; `unknown` until the client has read it. */
  status: MigrationStatus;
  /** When it was applied (ISO 8601, UTC). */
  appliedAt?: string;
  /** Why the migration's history is inconsistent (ML605), when it is. */
  drift?: string;
  /** The file against the base branch: unchanged there (history), modified, or new on this branch. */
  baseline?: 'unchanged' | 'modified' | 'new';
  /** Pending migrations: what each schema operation does on the engine (`2. On PostgreSQL 15: ...`). */
  impact?: string[];
}

export type MigrationStatus = 'applied' | 'pending' | 'unknown';

/** A row of `django_migrations` for a workspace app whose file is gone (ML605). */
export interface GhostMigration {
  app: string;
  name: string;
  appliedAt: string | null;
}

export interface OperationSummary {
  kind: string;
  label: string;
  line: number;
}

/** Settings the server reads through workspace/configuration (section `migrationLens`). */
export interface ServerSettings {
  /** Rule code -> severity, or `off`. */
  rules?: Record<string, 'error' | 'warning' | 'information' | 'hint' | 'off'>;
  /**
   * Severity of the findings (errors excepted) in history: migrations the database has applied,
   * or, while it is not read, unchanged on the base branch. `hint` by default, `unchanged` keeps
   * the rule's severity, `off` hides them.
   */
  appliedRisk?: 'hint' | 'information' | 'unchanged' | 'off';
  /**
   * The engine schema operations are judged for (`postgresql:15`, `mariadb:10.11`): production's,
   * when it is not the one the editor reads. Empty: the database's, else PostgreSQL assumed.
   */
  engine?: string;
  /** Rows from which a table is big for ML701. */
  impact?: { bigTableRows?: number };
}

/** What the client tells the server when it starts it. */
export interface InitializationOptions {
  /** The client answers BaselineRequest. */
  baseline?: boolean;
  /** Where the rule pages are (a URI of the folder holding `MLxxx.md`): diagnostics link to them. */
  docs?: string;
}

/** Data attached to each diagnostic so that code actions can find their finding again. */
export interface DiagnosticData {
  code: string;
  /** The finding's safe way, as Python code (the hover shows it as a block). */
  help?: string;
  [key: string]: unknown;
}
