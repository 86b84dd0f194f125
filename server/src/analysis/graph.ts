// The migration graph of one project, resolved the way django.db.migrations.loader does it.
import { DependencyRef, MigrationFile, migrationKey } from './model';

export interface GraphNode {
  key: string;
  file: MigrationFile;
  parents: Set<string>;
  children: Set<string>;
}

export interface BrokenRef {
  ref: DependencyRef;
  via: 'dependencies' | 'run_before';
}

export interface ProjectGraph {
  root: string;
  /** Nodes in effect (replaced migrations removed when their squash is used). */
  nodes: Map<string, GraphNode>;
  /** Every migration file of the project by key, including replaced ones. */
  files: Map<string, MigrationFile>;
  /** App label -> keys of its migrations in the graph. */
  apps: Map<string, string[]>;
  /** App label -> leaf keys (no child in the same app), sorted like Django sorts them. */
  leaves: Map<string, string[]>;
  /** Key -> references that name a migration that does not exist. */
  missing: Map<string, BrokenRef[]>;
  /** Key -> its dependency references that close a cycle. */
  cycleRefs: Map<string, { ref: DependencyRef; cycle: string[] }[]>;
  /** Replaced key -> the squashed migration used instead. */
  replacedBy: Map<string, string>;
  /** Squashed key -> `replaces` entries that name no known migration. */
  unknownReplaces: Map<string, DependencyRef[]>;
  /** `app|number` -> keys of every file with that number (replaced ones included). */
  byNumber: Map<string, string[]>;
  /** Migrations in topological order (Django's forwards plan over all leaves); cycles left out. */
  order: string[];
}

export interface GraphOptions {
  /** Keys applied in the database, when known: decides which squashes are used. */
  applied?: ReadonlySet<string>;
}

export function buildGraph(root: string, migrations: MigrationFile[], opts: GraphOptions = {}): ProjectGraph {
  const files = new Map<string, MigrationFile>();
  for (const m of migrations) if (m.hasMigrationClass) files.set(migrationKey(m.app, m.name), m);
  const appsWithMigrations = new Set([...files.values()].map((m) => m.app));

  // Squashes: Django uses the squashed migration unless its replaced set is partly applied.
  const replacedBy = new Map<string, string>();
  const unknownReplaces = new Map<string, DependencyRef[]>();
  const inEffect = new Set(files.keys());
  for (const [key, m] of files) {
    if (!m.replaces.length) continue;
    const targets = m.replaces.filter((r) => r.app !== undefined).map((r) => migrationKey(r.app!, r.name));
    const present = targets.filter((t) => files.has(t));
    if (present.length && present.length < targets.length) {
      // Some replaced files still exist and some do not: the missing names are likely typos.
      unknownReplaces.set(
        key,
        m.replaces.filter((r) => r.app !== undefined && !files.has(migrationKey(r.app, r.name))),
      );
    }
    const appliedCount = opts.applied ? targets.filter((t) => opts.applied!.has(t)).length : 0;
    if (appliedCount === 0 || appliedCount === targets.length) {
      for (const t of targets) {
        replacedBy.set(t, key);
        inEffect.delete(t);
      }
    } else {
      inEffect.delete(key);
    }
  }

  const nodes = new Map<string, GraphNode>();
  const apps = new Map<string, string[]>();
  for (const key of inEffect) {
    const file = files.get(key)!;
    nodes.set(key, { key, file, parents: new Set(), children: new Set() });
    const list = apps.get(file.app) ?? [];
    list.push(key);
    apps.set(file.app, list);
  }
  for (const list of apps.values()) list.sort();

  const missing = new Map<string, BrokenRef[]>();
  const addMissing = (key: string, b: BrokenRef) => {
    const l = missing.get(key) ?? [];
    l.push(b);
    missing.set(key, l);
  };

  // Internal dependencies first, so that __first__/__latest__ can see each app's roots and leaves.
  const deferred: Array<{ key: string; ref: DependencyRef; via: BrokenRef['via'] }> = [];
  const resolve = (ref: DependencyRef, fromApp: string): string | null | undefined => {
    // undefined: external or ignored; null: missing.
    if (ref.app === undefined) return undefined; // swappable: depends on settings
    if (ref.app !== fromApp && !appsWithMigrations.has(ref.app)) return undefined;
    const k = migrationKey(ref.app, ref.name);
    if (nodes.has(k)) return k;
    const squash = replacedBy.get(k);
    if (squash && nodes.has(squash)) return squash;
    if (files.has(k) && !nodes.has(k)) {
      // A squash not in effect: its own replaced nodes are used instead; depend on the last of them.
      const sq = files.get(k)!;
      const last = sq.replaces[sq.replaces.length - 1];
      if (last?.app) return resolve(last, fromApp);
    }
    if (ref.name === '__first__' || ref.name === '__latest__') return undefined; // resolved later
    return null;
  };

  for (const [key, node] of nodes) {
    for (const ref of node.file.dependencies) {
      if (ref.app !== undefined && (ref.name === '__first__' || ref.name === '__latest__') && ref.app !== node.file.app) {
        deferred.push({ key, ref, via: 'dependencies' });
        continue;
      }
      const target = resolve(ref, node.file.app);
      if (target === null) addMissing(key, { ref, via: 'dependencies' });
      else if (target !== undefined) link(nodes, target, key);
    }
    for (const ref of node.file.runBefore) {
      const target = resolve(ref, node.file.app);
      if (target === null) addMissing(key, { ref, via: 'run_before' });
      else if (target !== undefined) link(nodes, key, target);
    }
  }
  for (const { key, ref } of deferred) {
    const appKeys = apps.get(ref.app!) ?? [];
    if (!appKeys.length) continue; // unmigrated app: Django ignores the dependency
    const candidates = appKeys.filter((k) =>
      ref.name === '__first__' ? ![...nodes.get(k)!.parents].some((p) => nodes.get(p)!.file.app === ref.app) : ![...nodes.get(k)!.children].some((c) => nodes.get(c)!.file.app === ref.app),
    );
    if (candidates.length) link(nodes, candidates[0], key);
  }

  const leaves = new Map<string, string[]>();
  for (const [app, keys] of apps) {
    const l = keys.filter((k) => ![...nodes.get(k)!.children].some((c) => nodes.get(c)!.file.app === app));
    leaves.set(app, l.sort());
  }

  const { cycles, order } = stronglyConnected(nodes);
  const cycleRefs = new Map<string, { ref: DependencyRef; cycle: string[] }[]>();
  for (const cycle of cycles) {
    const members = new Set(cycle);
    for (const key of cycle) {
      const node = nodes.get(key)!;
      const refs: { ref: DependencyRef; cycle: string[] }[] = [];
      for (const ref of node.file.dependencies) {
        if (ref.app === undefined) continue;
        const t = resolve(ref, node.file.app);
        if (t && members.has(t)) refs.push({ ref, cycle });
      }
      for (const ref of node.file.runBefore) {
        const t = resolve(ref, node.file.app);
        if (t && members.has(t)) refs.push({ ref, cycle });
      }
      if (refs.length) cycleRefs.set(key, refs);
    }
  }

  const byNumber = new Map<string, string[]>();
  for (const [key, m] of files) {
    if (m.number === undefined) continue;
    const k = `${m.app}|${m.number}`;
    const l = byNumber.get(k) ?? [];
    l.push(key);
    byNumber.set(k, l);
  }

  return { root, nodes, files, apps, leaves, missing, cycleRefs, replacedBy, unknownReplaces, byNumber, order };
}

function link(nodes: Map<string, GraphNode>, parent: string, child: string): void {
  nodes.get(parent)!.children.add(child);
  nodes.get(child)!.parents.add(parent);
}

/**
 * Tarjan's algorithm, iterative so that a 3,000-long chain cannot overflow the stack. Returns the
 * cycles (SCCs of more than one node, or a node depending on itself) and a topological order of the
 * rest (parents before children, ties by key as Django's sorted leaf walk does).
 */
function stronglyConnected(nodes: Map<string, GraphNode>): { cycles: string[][]; order: string[] } {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const inCycle = new Set<string>();
  let next = 0;
  const keys = [...nodes.keys()].sort();
  for (const start of keys) {
    if (index.has(start)) continue;
    const work: Array<{ key: string; it: Iterator<string> }> = [];
    const visit = (k: string) => {
      index.set(k, next);
      low.set(k, next);
      next++;
      stack.push(k);
      onStack.add(k);
      work.push({ key: k, it: [...nodes.get(k)!.parents].sort()[Symbol.iterator]() });
    };
    visit(start);
    while (work.length) {
      const top = work[work.length - 1];
      const step = top.it.next();
      if (!step.done) {
        const p = step.value;
        if (!index.has(p)) visit(p);
        else if (onStack.has(p)) low.set(top.key, Math.min(low.get(top.key)!, index.get(p)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].key;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.key)!));
      }
      if (low.get(top.key) === index.get(top.key)) {
        const scc: string[] = [];
        let k: string;
        do {
          k = stack.pop()!;
          onStack.delete(k);
          scc.push(k);
        } while (k !== top.key);
        const selfLoop = scc.length === 1 && nodes.get(scc[0])!.parents.has(scc[0]);
        if (scc.length > 1 || selfLoop) {
          cycles.push(scc.sort());
          for (const c of scc) inCycle.add(c);
        }
      }
    }
  }
  // Kahn's algorithm for the order; nodes in or below a cycle are left out (Django cannot plan them).
  const indegree = new Map<string, number>();
  for (const [k, n] of nodes) indegree.set(k, [...n.parents].filter((p) => !inCycle.has(p)).length);
  const ready = keys.filter((k) => indegree.get(k) === 0 && !inCycle.has(k));
  const order: string[] = [];
  while (ready.length) {
    const k = ready.shift()!;
    order.push(k);
    for (const c of [...nodes.get(k)!.children].sort()) {
      if (inCycle.has(c)) continue;
      const d = indegree.get(c)! - 1;
      indegree.set(c, d);
      if (d === 0) ready.push(c);
    }
  }
  return { cycles, order };
}

/** Django's conflict message: `(0003_a, 0003_b in orders)`. */
/** Django's "(0002_a, 0002_b in app)", the list cut at `max` names: an app with thousands of leaves stays linear. */
export function describeLeaves(app: string, leafKeys: string[], max = 10): string {
  const names = leafKeys.slice(0, max).map((k) => k.slice(app.length + 1));
  const more = leafKeys.length > max ? ` and ${leafKeys.length - max} more` : '';
  return `(${names.join(', ')}${more} in ${app})`;
}
