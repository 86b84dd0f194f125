// The workspace as the client's tree and commands see it.
import { describeImpact } from './impact';
import type { ListedProject, Workspace } from './workspace';
import { describeOperation } from './describe';
import { saidQuietly, worstLevel } from '../rules/levels';
import type { MigrationSummary, ProjectSummary, Risk } from '../protocol';
import * as fs from 'fs';
import * as path from 'path';

export function summarizeProjects(ws: Workspace): ProjectSummary[] {
  return ws.projects().map((g) => {
    const history = ws.historyOf(g.root);
    const byApp = new Map<string, string[]>();
    const inOrder = new Set(g.order);
    const ordered = [...g.order, ...[...g.nodes.keys()].filter((k) => !inOrder.has(k)).sort()];
    for (const key of ordered) {
      const app = g.nodes.get(key)!.file.app;
      const l = byApp.get(app) ?? [];
      l.push(key);
      byApp.set(app, l);
    }
    return {
      root: g.root,
      hasManagePy: fs.existsSync(path.join(g.root, 'manage.py')),
      apps: [...byApp.keys()].sort().map((label) => ({
        label,
        leaves: (g.leaves.get(label) ?? []).map((k) => k.slice(label.length + 1)),
        migrations: byApp.get(label)!.map((key) => {
          const node = g.nodes.get(key)!;
          const f = node.file;
          return {
            app: f.app,
            name: f.name,
            path: f.path,
            classLine: f.classRange.start.line,
            dependencies: [...node.parents].sort(),
            replaces: f.replaces.map((r) => `${r.app}.${r.name}`),
            replacedBy: g.replacedBy.get(key),
            operations: f.operations.map((op) => ({ kind: op.kind, label: describeOperation(op), line: op.range.start.line })),
            ...findingsOf(ws, f.path),
            status: !history ? 'unknown' : history.appliedKeys.has(key) ? 'applied' : 'pending',
            appliedAt: history?.applied.get(key) ?? undefined,
            drift:
              history?.drift
                .get(key)
                ?.map((d) => d.message)
                .join(' ') || undefined,
            baseline: ws.baselineOf(f.path),
            // What the plan shows for a step to run: each operation's impact on the engine (sizes once read).
            impact: history && !history.appliedKeys.has(key) ? impactLines(ws, f.path) : undefined,
          } satisfies MigrationSummary;
        }),
      })),
      historyKnown: !!history,
      ghosts: history?.ghosts ?? [],
      externalApps: history?.externalApps ?? [],
      baselineRef: g.files.size ? ws.baselineRef([...g.files.values()][0].path) : undefined,
    };
  });
}

function impactLines(ws: Workspace, file: string): string[] | undefined {
  const { engine, assumed } = ws.engineOf(file);
  const lines = ws.impacts(file).flatMap(({ operation, impacts }) => impacts.map((i) => `${operation + 1}. ${describeImpact(engine, i)}${assumed ? ' (engine assumed)' : ''}`));
  return lines.length ? lines : undefined;
}

/**
 * The projects as their files list them, before any is parsed: apps and migrations by name, in
 * name order (the graph order, once parsed, replaces it), no operation, no finding yet.
 */
export function listedSummary(projects: readonly ListedProject[]): ProjectSummary[] {
  return projects.map((p) => ({
    root: p.root,
    hasManagePy: p.hasManagePy,
    apps: p.apps
      .map((a) => ({
        label: a.label,
        leaves: a.migrations.length ? [a.migrations[a.migrations.length - 1].name] : [],
        migrations: a.migrations.map((m) => ({
          app: a.label,
          name: m.name,
          path: m.path,
          classLine: m.classLine,
          dependencies: [],
          replaces: [],
          operations: [],
          findings: [],
          status: 'unknown' as const,
        })),
      }))
      .sort((x, y) => x.label.localeCompare(y.label)),
    historyKnown: false,
    ghosts: [],
    externalApps: [],
  }));
}

/** A file's finding codes (after suppression, quiet ones left out) and the worst risk they name. */
function findingsOf(ws: Workspace, file: string): { findings: string[]; risk?: Risk } {
  const findings = [
    ...new Set(
      ws
        .findings(file)
        .filter((x) => !saidQuietly(x))
        .map((x) => x.code),
    ),
  ].sort();
  const risk = worstLevel(findings);
  return risk ? { findings, risk } : { findings };
}
