// The shape every rule file exports. A rule reads one migration file in the context of its project
// graph and returns findings; quick fixes are computed only when the editor asks for them.
import type { MigrationFile, Range } from '../analysis/model';
import type { ProjectGraph } from '../analysis/graph';
import type { ProjectState } from '../analysis/state';
import type { History } from '../analysis/history';
import type { Probe, ProbeResult } from '../protocol';
import type { Operation } from '../analysis/model';
import type { Engine, TableImpact } from '../analysis/impact';

export type Severity = 'error' | 'warning' | 'information' | 'hint';
export type Risk = 'high' | 'medium' | 'low';

export interface RuleContext {
  file: MigrationFile;
  /** The file's text, for fixes that need indentation or nearby code. */
  text: string;
  graph: ProjectGraph;
  /** `app.name` of the file. */
  key: string;
  /** The replayed model state; only for `project` rules (file rules must not depend on other files). */
  state?: ProjectState;
  /** The text of another migration file, for fixes that edit several files. */
  textOf?(path: string): string | undefined;
  /** The database's applied rows merged with the graph, once the client has read them (project rules). */
  history?: History;
  /**
   * The release that ships a migration of the project (a version, or `unreleased`), when git's tags
   * or the baseline say; undefined when unknown (project rules).
   */
  releaseOf?(key: string): string | undefined;
  /** The migration first shipped in the project's first release (numbered as one, with no older history squashed into it). */
  isFirstRelease?(key: string): boolean;
  /**
   * The release running before this migration's own (its tag) when git shows that release no longer
   * defines the model this migration deletes, or defines it and names it nowhere else (`unused`):
   * the model's code went a release earlier (project rules).
   */
  retiredBefore?(model: string): { release: string; unused: boolean } | undefined;
  /** The project's engine when it is known (read from the database or set), not assumed. */
  engine?: Engine;
  /** A settings module of the project that names `lock_timeout` (project rules). */
  lockTimeout?: string;
}

export interface Related {
  path: string;
  range: Range;
  message: string;
}

export interface Finding {
  code: string;
  range: Range;
  /** What happens and why, without the remedy. */
  message: string;
  /** The safe way, as this operation's own Python code (lines, unindented); kept apart from the message. */
  help?: string;
  related?: Related[];
  /** Rule-specific facts a quick fix needs; must survive a JSON round trip. */
  data?: Record<string, unknown>;
  /**
   * Why the risk cannot happen where this migration runs (a squash that only runs on an empty
   * database): shown as information at most, not counted by `--fail-on`, no risk badge.
   */
  moot?: string;
  /**
   * Why the risk is only possible: it depends on data the migrations do not show (duplicates
   * before a uniqueness). Shown as information, not counted by `--fail-on`, no risk badge; with
   * the database read, the live counts tell (ML602).
   */
  possible?: string;
}

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface CodeFix {
  title: string;
  preferred?: boolean;
  /** Edits to the file the finding is in. */
  edits?: TextEdit[];
  /** Edits to other files of the workspace. */
  otherEdits?: Array<{ path: string; edits: TextEdit[] }>;
  /** Files to create (new migrations), with their text. */
  newFiles?: Array<{ path: string; text: string }>;
  /** A client command to run instead of (or after) the edits. */
  command?: { title: string; command: string; arguments?: unknown[] };
}

export interface Rule {
  code: string;
  /** Short kebab-case name, as in the rule's file name. */
  name: string;
  /** One line for listings and the CLI. */
  title: string;
  defaultSeverity: Severity;
  risk?: Risk;
  /**
   * `file` rules depend on the file alone and re-run only when it changes; `project` rules depend
   * on the graph and re-run when any migration's dependencies, name or replaces change. `live`
   * rules find nothing in the text: they turn a live-data count for another rule's finding in a
   * pending migration into a finding of their own.
   */
  scope: 'file' | 'project' | 'live';
  /** Markdown: why it matters and the safe way, shown in hovers and the docs. */
  docs: string;
  check(ctx: RuleContext): Finding[];
  fixes?(finding: Finding, ctx: RuleContext): CodeFix[];
  /** For `live` rules: the findings whose probes they read, and the finding a count makes. */
  live?: {
    sources: readonly string[];
    finding(source: Finding, probe: Probe, result: ProbeResult): Finding | undefined;
  };
  /** For `live` rules about the engine: the finding an operation's impact on a table of known size makes. */
  impact?: {
    finding(op: Operation, engine: Engine, impact: TableImpact, options: ImpactOptions): Finding | undefined;
  };
}

export interface ImpactOptions {
  /** Rows from which a table is big (`migrationLens.impact.bigTableRows`, `--big-table`). */
  bigTableRows: number;
}
