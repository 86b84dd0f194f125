// The database's applied rows merged with a project's graph: each migration is applied (with its
// time) or pending, and what the rows say that the files cannot explain is drift (ML605), judged
// the way Django's loader judges it.
import type { AppliedRow, GhostMigration } from '../protocol';
import type { ProjectGraph } from './graph';
import { migrationKey } from './model';

export interface Drift {
  kind: 'missing-on-disk' | 'before-dependency' | 'partial-squash';
  message: string;
  /** The dependency applied after this migration (shown on its tuple). */
  dependency?: string;
}

export interface History {
  /** `app.name` -> applied time (null when the row has none). */
  applied: ReadonlyMap<string, string | null>;
  /** Keys of the applied rows, including squashes Django counts as applied. */
  appliedKeys: ReadonlySet<string>;
  /** Migration key -> drift shown on that migration's file. */
  drift: ReadonlyMap<string, Drift[]>;
  ghosts: GhostMigration[];
  externalApps: string[];
}

export function appliedKeys(rows: readonly AppliedRow[]): Set<string> {
  return new Set(rows.map((r) => migrationKey(r.app, r.name)));
}

export function mergeHistory(graph: ProjectGraph, rows: readonly AppliedRow[]): History {
  const applied = new Map<string, string | null>();
  for (const r of rows) applied.set(migrationKey(r.app, r.name), r.applied);
  const keys = new Set(applied.keys());
  const drift = new Map<string, Drift[]>();
  const add = (key: string, d: Drift) => drift.set(key, [...(drift.get(key) ?? []), d]);
  const workspaceApps = new Set([...graph.files.values()].map((f) => f.app));

  // A squash counts as applied once every migration it replaces is (Django's loader does the same).
  for (const [key, file] of graph.files) {
    if (!file.replaces.length || keys.has(key)) continue;
    const replaced = file.replaces.filter((r) => r.app !== undefined).map((r) => migrationKey(r.app!, r.name));
    const done = replaced.filter((k) => keys.has(k));
    if (replaced.length && done.length === replaced.length) {
      keys.add(key);
      applied.set(key, latest(done.map((k) => applied.get(k) ?? null)));
    } else if (done.length) {
      const gone = replaced.filter((k) => !keys.has(k) && !graph.files.has(k));
      if (gone.length) {
        add(key, {
          kind: 'partial-squash',
          message:
            `${done.length} of the ${replaced.length} migrations this squash replaces are applied, and ${gone.join(', ')} ` +
            `${gone.length === 1 ? 'is' : 'are'} missing on disk: Django can neither use the squash nor finish the replaced ` +
            'migrations. Restore the missing files (from version control) and migrate before removing them.',
        });
      }
    }
  }

  // Applied before one of its dependencies: Django's InconsistentMigrationHistory.
  for (const [key, node] of graph.nodes) {
    if (!keys.has(key)) continue;
    for (const parent of node.parents) {
      if (keys.has(parent) || !graph.nodes.has(parent)) continue;
      add(key, {
        kind: 'before-dependency',
        message:
          `${key} is applied but its dependency ${parent} is not: Django stops every migrate with ` +
          `InconsistentMigrationHistory. Apply ${parent} with \`migrate --fake\` only if its changes are already ` +
          'in the database; otherwise roll this migration back first.',
        dependency: parent,
      });
    }
  }

  // Rows of workspace apps without a file: deleted or renamed after it was applied.
  const ghosts: GhostMigration[] = [];
  const external = new Set<string>();
  const replaced = new Set([...graph.files.values()].flatMap((f) => f.replaces.filter((x) => x.app !== undefined).map((x) => migrationKey(x.app!, x.name))));
  for (const r of rows) {
    const key = migrationKey(r.app, r.name);
    if (!workspaceApps.has(r.app)) {
      external.add(r.app);
      continue;
    }
    if (graph.files.has(key) || replaced.has(key)) continue;
    ghosts.push({ app: r.app, name: r.name, appliedAt: r.applied });
  }
  const byApp = new Map<string, GhostMigration[]>();
  for (const g of ghosts) byApp.set(g.app, [...(byApp.get(g.app) ?? []), g]);
  for (const [app, list] of byApp) {
    const anchor = lastOfApp(graph, app);
    if (!anchor) continue;
    const names = list.map((g) => g.name);
    add(anchor, {
      kind: 'missing-on-disk',
      message:
        `The database has ${list.length === 1 ? 'migration' : 'migrations'} ${names.map((n) => `${app}.${n}`).join(', ')} ` +
        `applied, but no file for ${list.length === 1 ? 'it' : 'them'} exists: the schema may hold changes these files do not ` +
        'describe. Restore the file from version control, or if it was renamed, fix the row (`migrate --fake` the new name, ' +
        'then delete the old row).',
    });
  }

  return { applied, appliedKeys: keys, drift, ghosts, externalApps: [...external].sort() };
}

function latest(times: (string | null)[]): string | null {
  const known = times.filter((t): t is string => !!t).sort();
  return known.length ? known[known.length - 1] : null;
}

/** The app's last migration in graph order: where drift of the app's history is shown. */
function lastOfApp(graph: ProjectGraph, app: string): string | undefined {
  const inApp = graph.order.filter((k) => graph.nodes.get(k)?.file.app === app);
  return inApp[inApp.length - 1] ?? graph.apps.get(app)?.[0];
}
