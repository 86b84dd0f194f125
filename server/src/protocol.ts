// Custom LSP messages between the client and the server. The client imports these types only.

/** Request: the projects of the workspace with their migrations, for the tree and the commands. */
export const ProjectsRequest = 'migrationLens/projects';
export type ProjectsParams = Record<string, never>;
export type ProjectsResult = ProjectSummary[];

/** Notification: what is applied in a project's database (keys `app.name`); null when unknown. */
export const AppliedNotification = 'migrationLens/applied';
export interface AppliedParams {
  projectRoot: string;
  applied: string[] | null;
}

export interface ProjectSummary {
  /** Folder holding manage.py (or the workspace folder when there is none). */
  root: string;
  hasManagePy: boolean;
  apps: AppSummary[];
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
  /** `app.name` keys this migration depends on (resolved; external ones as written). */
  dependencies: string[];
  replaces: string[];
  /** Set when a squashed migration is used in its place. */
  replacedBy?: string;
  operations: OperationSummary[];
  /** Codes of the findings on this file, after suppression. */
  findings: string[];
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
   * Severity of risk findings in migrations the database has applied (history, not what is about
   * to happen): `hint` by default, `unchanged` keeps the rule's severity, `off` hides them.
   */
  appliedRisk?: 'hint' | 'information' | 'unchanged' | 'off';
}

/** Data attached to each diagnostic so that code actions can find their finding again. */
export interface DiagnosticData {
  code: string;
  [key: string]: unknown;
}

/** Client command behind the ML501 quick fix: `makemigrations --merge` for `{ projectRoot, app }`. */
export const MERGE_COMMAND = 'migrationLens.makeMigrationsMerge';
