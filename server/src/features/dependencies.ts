// Navigation along dependencies: links on each (app, name) pair, who depends on a migration, and
// completion of app labels and migration names inside dependency tuples.
import type { DependencyRef, MigrationFile, Position, Range } from '../analysis/model';
import { migrationKey } from '../analysis/model';
import type { ProjectGraph } from '../analysis/graph';
import type { Workspace } from '../analysis/workspace';

/** The migration a reference names, resolving `__first__`/`__latest__` and squashes. */
export function targetOf(graph: ProjectGraph, ref: DependencyRef): MigrationFile | undefined {
  if (!ref.app) return undefined;
  let key = migrationKey(ref.app, ref.name);
  if (ref.name === '__first__' || ref.name === '__latest__') {
    const keys = graph.apps.get(ref.app) ?? [];
    key = (ref.name === '__latest__' ? graph.leaves.get(ref.app)?.[0] : graph.order.find((k) => keys.includes(k))) ?? key;
  }
  return graph.files.get(key);
}

const refsOf = (m: MigrationFile) => [...m.dependencies, ...m.replaces, ...m.runBefore];

export function links(ws: Workspace, file: string): Array<{ range: Range; target: string; tooltip: string }> {
  const m = ws.model(file);
  const graph = ws.graphOf(file);
  if (!m || !graph) return [];
  return refsOf(m).flatMap((ref) => {
    const t = targetOf(graph, ref);
    return t ? [{ range: ref.range, target: t.path, tooltip: `Open ${t.app}.${t.name}` }] : [];
  });
}

/** Every reference in the project to the migration of `file` (dependencies, replaces, run_before). */
export function referencesTo(ws: Workspace, file: string): Array<{ path: string; range: Range }> {
  const m = ws.model(file);
  const graph = ws.graphOf(file);
  if (!m || !graph) return [];
  const out: Array<{ path: string; range: Range }> = [];
  for (const other of graph.files.values()) {
    for (const ref of refsOf(other)) if (targetOf(graph, ref) === m) out.push({ path: other.path, range: ref.range });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path) || a.range.start.line - b.range.start.line);
}

export interface Completion {
  label: string;
  detail?: string;
  kind: 'app' | 'migration';
}

/**
 * Completion inside a dependency pair: the first string gets app labels, the second the migration
 * names of the app in the first. Works on half-typed text, so it reads the line, not the model.
 */
export function completeDependency(ws: Workspace, file: string, text: string, pos: Position): Completion[] {
  const graph = ws.graphOf(file);
  const m = ws.model(file);
  if (!graph || !m) return [];
  const lines = text.split('\n');
  const before = (lines[pos.line] ?? '').slice(0, pos.character);
  if (!inDependencyList(lines, pos.line)) return [];
  const second = /\(\s*["']([\w.]+)["']\s*,\s*["'][\w]*$/.exec(before);
  if (second) {
    const app = second[1];
    const own = migrationKey(m.app, m.name);
    return [...graph.files.values()]
      .filter((f) => f.app === app && migrationKey(f.app, f.name) !== own)
      .sort((a, b) => b.name.localeCompare(a.name))
      .map((f): Completion => ({ label: f.name, kind: 'migration', detail: graph.leaves.get(app)?.includes(migrationKey(f.app, f.name)) ? 'leaf' : undefined }))
      .concat([
        { label: '__first__', kind: 'migration', detail: 'the first migration of the app' },
        { label: '__latest__', kind: 'migration', detail: 'the latest migration of the app' },
      ]);
  }
  if (/\(\s*["'][\w]*$/.test(before)) {
    return [...graph.apps.keys()].sort().map((app) => ({ label: app, kind: 'app' as const, detail: `${graph.apps.get(app)!.length} migrations` }));
  }
  return [];
}

/** Whether a line lies inside `dependencies = [...]`, `replaces` or `run_before`. */
function inDependencyList(lines: string[], line: number): boolean {
  for (let i = line; i >= 0 && i >= line - 200; i--) {
    const l = lines[i];
    if (/^\s*(dependencies|replaces|run_before)\s*[+]?=/.test(l)) return true;
    if (i < line && (/^\s*(operations|initial|atomic)\s*[+]?=/.test(l) || /^\s*(class|def)\s/.test(l))) return false;
  }
  return false;
}
