import * as assert from 'assert';
import * as path from 'path';
import { analyze, findingsOf, migration, writeProject } from '../helpers/project';
import { RULES_BY_CODE } from '../../server/src/rules/registry';
import type { Workspace } from '../../server/src/analysis/workspace';
import { covered } from '../helpers/rule-coverage';

/** Findings of the graph rules (risk rules judge operations, not the graph). */
const graphFindings = (ws: Workspace, p: string) => ws.findings(p).filter((f) => !RULES_BY_CODE.get(f.code)?.risk);

const initial = migration([], ['migrations.CreateModel("Order", [("id", models.AutoField(primary_key=True))])']);

describe('the migration graph', () => {
  it('resolves dependencies, treats apps outside the workspace as external, and orders like Django', async () => {
    const root = writeProject({
      'store/migrations/0001_initial.py': migration([['auth', '0012_alter_user_first_name_max_length']], []),
      'orders/migrations/0001_initial.py': migration(
        [
          ['store', '0001_initial'],
          ['contenttypes', '0002_remove_content_type_name'],
        ],
        [],
      ),
      'orders/migrations/0002_next.py': migration(
        [
          ['orders', '0001_initial'],
          ['store', '__latest__'],
        ],
        [],
      ),
    });
    const ws = await analyze(root);
    const g = ws.projects()[0];
    assert.strictEqual(g.root, root);
    assert.deepStrictEqual(g.order, ['store.0001_initial', 'orders.0001_initial', 'orders.0002_next']);
    assert.deepStrictEqual([...g.nodes.get('orders.0002_next')!.parents].sort(), ['orders.0001_initial', 'store.0001_initial']);
    for (const p of ws.paths()) assert.deepStrictEqual(graphFindings(ws, p), [], p);
  });

  it('keeps several manage.py projects of one workspace apart', async () => {
    const a = writeProject({ 'store/migrations/0001_initial.py': initial });
    const b = writeProject({ 'store/migrations/0001_initial.py': initial, 'store/migrations/0002_x.py': migration([['store', '0001_initial']], []) });
    const ws = await analyze([a, b]);
    assert.deepStrictEqual(
      ws
        .projects()
        .map((g) => g.root)
        .sort(),
      [a, b].sort(),
    );
    assert.ok(ws.paths().every((p) => p.startsWith(a) || p.startsWith(b)));
    // The same app label in two projects is not a conflict.
    for (const p of ws.paths()) assert.deepStrictEqual(graphFindings(ws, p), [], p);
  });

  it('uses a squashed migration in place of the ones it replaces, remapping dependencies', async () => {
    const root = writeProject({
      'orders/migrations/0001_initial.py': initial,
      'orders/migrations/0002_b.py': migration([['orders', '0001_initial']], []),
      'orders/migrations/0001_squashed_0002_b.py': migration([], [], 'replaces = [("orders", "0001_initial"), ("orders", "0002_b")]'),
      'orders/migrations/0003_c.py': migration([['orders', '0002_b']], []),
    });
    const ws = await analyze(root);
    const g = ws.projects()[0];
    assert.deepStrictEqual(g.order, ['orders.0001_squashed_0002_b', 'orders.0003_c']);
    assert.strictEqual(g.replacedBy.get('orders.0002_b'), 'orders.0001_squashed_0002_b');
    assert.deepStrictEqual(g.leaves.get('orders'), ['orders.0003_c']);
    for (const p of ws.paths()) assert.deepStrictEqual(graphFindings(ws, p), [], p);

    // Partly applied: Django keeps the replaced migrations and ignores the squash.
    ws.setApplied(root, [{ app: 'orders', name: '0001_initial', applied: null }]);
    const g2 = ws.projects()[0];
    assert.deepStrictEqual(g2.order, ['orders.0001_initial', 'orders.0002_b', 'orders.0003_c']);
  });
});

describe('ML501 several leaves in one app', () => {
  const files = {
    'orders/migrations/0001_initial.py': initial,
    'orders/migrations/0002_order_status.py': migration([['orders', '0001_initial']], []),
    'orders/migrations/0002_order_note.py': migration([['orders', '0001_initial']], []),
  };

  it('positive: names the leaves the way Django does, on each leaf, with the merge fix', async () => {
    const root = writeProject(files);
    const ws = await analyze(root);
    const f = findingsOf(ws, root, 'orders/migrations/0002_order_note.py', 'ML501');
    assert.strictEqual(f.length, 1);
    assert.match(f[0].message, /^Conflicting migrations detected; multiple leaf nodes in the migration graph: \(0002_order_note, 0002_order_status in orders\)\./);
    assert.strictEqual(f[0].related![0].path, path.join(root, 'orders/migrations/0002_order_status.py'));
    assert.strictEqual(findingsOf(ws, root, 'orders/migrations/0002_order_status.py', 'ML501').length, 1);
    assert.deepStrictEqual(findingsOf(ws, root, 'orders/migrations/0001_initial.py', 'ML501'), []);
    const ctx = ws.context(path.join(root, 'orders/migrations/0002_order_note.py'))!;
    const { RULES_BY_CODE } = await import('../../server/src/rules/registry');
    const fixes = RULES_BY_CODE.get('ML501')!.fixes!(f[0], ctx);
    assert.deepStrictEqual(fixes[0].command, {
      title: 'Create merge migration',
      command: 'migrationLens.makeMigrationsMerge',
      arguments: [{ projectRoot: root, app: 'orders' }],
    });
    covered('ML501', 'positive');
  });

  it('negative: a merge migration leaves one leaf', async () => {
    const root = writeProject({
      ...files,
      'orders/migrations/0003_merge.py': migration(
        [
          ['orders', '0002_order_status'],
          ['orders', '0002_order_note'],
        ],
        [],
      ),
    });
    const ws = await analyze(root);
    for (const p of ws.paths())
      assert.deepStrictEqual(
        ws.findings(p).filter((f) => f.code === 'ML501'),
        [],
        p,
      );
    covered('ML501', 'negative');
  });

  it('suppressed: `# migration-lens: ignore ML501` on the class line', async () => {
    const root = writeProject({
      ...files,
      'orders/migrations/0002_order_note.py': files['orders/migrations/0002_order_note.py'].replace(
        'class Migration(migrations.Migration):',
        'class Migration(migrations.Migration):  # migration-lens: ignore ML501',
      ),
    });
    const ws = await analyze(root);
    assert.deepStrictEqual(findingsOf(ws, root, 'orders/migrations/0002_order_note.py', 'ML501'), []);
    assert.strictEqual(findingsOf(ws, root, 'orders/migrations/0002_order_status.py', 'ML501').length, 1);
    covered('ML501', 'suppressed');
  });
});

describe('ML502 dependency on a migration that does not exist', () => {
  it('positive: a missing name in a workspace app, with a suggestion of the same number', async () => {
    const root = writeProject({
      'store/migrations/0001_initial.py': initial,
      'orders/migrations/0001_initial.py': migration([['store', '0001_intial']], []),
      'orders/migrations/0002_x.py': migration([['orders', '0001_initial']], [], 'run_before = [("store", "0009_gone")]'),
    });
    const ws = await analyze(root);
    const f = findingsOf(ws, root, 'orders/migrations/0001_initial.py', 'ML502');
    assert.strictEqual(f.length, 1);
    assert.match(f[0].message, /store\.0001_intial, which does not exist.*Did you mean '0001_initial'\?/);
    assert.deepStrictEqual(f[0].range.start, { line: 6, character: 8 });
    const { RULES_BY_CODE } = await import('../../server/src/rules/registry');
    const fixes = RULES_BY_CODE.get('ML502')!.fixes!(f[0], ws.context(path.join(root, 'orders/migrations/0001_initial.py'))!);
    assert.deepStrictEqual(
      fixes.map((x) => x.edits![0].newText),
      ['("store", "0001_initial")'],
    );
    assert.strictEqual(findingsOf(ws, root, 'orders/migrations/0002_x.py', 'ML502').length, 1);
    covered('ML502', 'positive');
  });

  it('negative: apps outside the workspace and swappable dependencies are external', async () => {
    const root = writeProject({
      'orders/migrations/0001_initial.py': migration(
        [
          ['auth', '0099_whatever'],
          ['some_pip_app', '0001_initial'],
        ],
        [],
      ),
    });
    const ws = await analyze(root);
    assert.deepStrictEqual(findingsOf(ws, root, 'orders/migrations/0001_initial.py', 'ML502'), []);
    covered('ML502', 'negative');
  });

  it('suppressed: a comment on the dependency line', async () => {
    const gone = migration([['store', '0005_gone']], []);
    const bare = writeProject({ 'store/migrations/0001_initial.py': initial, 'orders/migrations/0001_initial.py': gone });
    assert.strictEqual(findingsOf(await analyze(bare), bare, 'orders/migrations/0001_initial.py', 'ML502').length, 1);
    const root = writeProject({
      'store/migrations/0001_initial.py': initial,
      'orders/migrations/0001_initial.py': gone.replace('"0005_gone"),', '"0005_gone"),  # migration-lens: ignore ML502'),
    });
    const ws = await analyze(root);
    assert.deepStrictEqual(findingsOf(ws, root, 'orders/migrations/0001_initial.py', 'ML502'), []);
    covered('ML502', 'suppressed');
  });
});

describe('ML503 circular dependency', () => {
  const cyc = {
    'store/migrations/0001_initial.py': migration([['orders', '0001_initial']], []),
    'orders/migrations/0001_initial.py': migration([['store', '0001_initial']], []),
  };
  it('positive: both sides of a cross-app cycle', async () => {
    const root = writeProject(cyc);
    const ws = await analyze(root);
    const f = findingsOf(ws, root, 'store/migrations/0001_initial.py', 'ML503');
    assert.strictEqual(f.length, 1);
    assert.match(f[0].message, /Circular dependency: orders\.0001_initial -> store\.0001_initial -> orders\.0001_initial/);
    assert.strictEqual(findingsOf(ws, root, 'orders/migrations/0001_initial.py', 'ML503').length, 1);
    assert.deepStrictEqual(ws.projects()[0].order, []);
    covered('ML503', 'positive');
  });
  it('negative: a chain is not a cycle', async () => {
    const root = writeProject({ ...cyc, 'store/migrations/0001_initial.py': migration([], []) });
    const ws = await analyze(root);
    for (const p of ws.paths())
      assert.deepStrictEqual(
        ws.findings(p).filter((f) => f.code === 'ML503'),
        [],
      );
    covered('ML503', 'negative');
  });
  it('suppressed: ignore-file', async () => {
    const root = writeProject({ ...cyc, 'store/migrations/0001_initial.py': '# migration-lens: ignore-file ML503\n' + cyc['store/migrations/0001_initial.py'] });
    const ws = await analyze(root);
    assert.deepStrictEqual(findingsOf(ws, root, 'store/migrations/0001_initial.py', 'ML503'), []);
    assert.strictEqual(findingsOf(ws, root, 'orders/migrations/0001_initial.py', 'ML503').length, 1);
    covered('ML503', 'suppressed');
  });
});

describe('ML504 two migrations share a number', () => {
  const files = {
    'orders/migrations/0001_initial.py': initial,
    'orders/migrations/0002_a.py': migration([['orders', '0001_initial']], []),
    'orders/migrations/0002_b.py': migration([['orders', '0002_a']], []),
  };
  it('positive: information on both, naming the ambiguous command', async () => {
    const root = writeProject(files);
    const ws = await analyze(root);
    const f = findingsOf(ws, root, 'orders/migrations/0002_b.py', 'ML504');
    assert.strictEqual(f.length, 1);
    assert.match(f[0].message, /migrate orders 0002` is ambiguous/);
    assert.strictEqual(findingsOf(ws, root, 'orders/migrations/0002_a.py', 'ML504').length, 1);
    assert.deepStrictEqual(findingsOf(ws, root, 'orders/migrations/0002_b.py', 'ML501'), []);
    covered('ML504', 'positive');
  });
  it('negative: distinct numbers', async () => {
    const root = writeProject({
      'orders/migrations/0001_initial.py': files['orders/migrations/0001_initial.py'],
      'orders/migrations/0002_a.py': files['orders/migrations/0002_a.py'],
      'orders/migrations/0003_b.py': files['orders/migrations/0002_b.py'],
    });
    const ws = await analyze(root);
    assert.deepStrictEqual(findingsOf(ws, root, 'orders/migrations/0003_b.py', 'ML504'), []);
    covered('ML504', 'negative');
  });
  it('suppressed: bare ignore on the line above the class', async () => {
    const root = writeProject({
      ...files,
      'orders/migrations/0002_b.py': files['orders/migrations/0002_b.py'].replace('class Migration', '# migration-lens: ignore\nclass Migration'),
    });
    const ws = await analyze(root);
    assert.deepStrictEqual(findingsOf(ws, root, 'orders/migrations/0002_b.py', 'ML504'), []);
    covered('ML504', 'suppressed');
  });
});

describe('ML505 replaces names an unknown migration', () => {
  const files = {
    'orders/migrations/0001_initial.py': initial,
    'orders/migrations/0002_b.py': migration([['orders', '0001_initial']], []),
    'orders/migrations/0001_squashed_0002_b.py': migration([], [], 'replaces = [("orders", "0001_initial"), ("orders", "0002_bb")]'),
  };
  it('positive: a typo among replaced migrations that exist', async () => {
    const root = writeProject(files);
    const ws = await analyze(root);
    const f = findingsOf(ws, root, 'orders/migrations/0001_squashed_0002_b.py', 'ML505');
    assert.strictEqual(f.length, 1);
    assert.match(f[0].message, /orders\.0002_bb/);
    covered('ML505', 'positive');
  });
  it('negative: all replaced files deleted after the squash went out', async () => {
    const root = writeProject({ 'orders/migrations/0001_squashed_0002_b.py': files['orders/migrations/0001_squashed_0002_b.py'] });
    const ws = await analyze(root);
    assert.deepStrictEqual(findingsOf(ws, root, 'orders/migrations/0001_squashed_0002_b.py'), []);
    covered('ML505', 'negative');
  });
  it('suppressed: ignore-file without codes', async () => {
    const root = writeProject({ ...files, 'orders/migrations/0001_squashed_0002_b.py': '# migration-lens: ignore-file\n' + files['orders/migrations/0001_squashed_0002_b.py'] });
    const ws = await analyze(root);
    assert.deepStrictEqual(findingsOf(ws, root, 'orders/migrations/0001_squashed_0002_b.py'), []);
    covered('ML505', 'suppressed');
  });
});

describe('ML506 not fully analyzed', () => {
  it('positive, negative and suppressed', async () => {
    const dynamic = migration([], []).replace('operations = [\n    ]', 'operations = make()');
    const root = writeProject({
      'a/migrations/0001_initial.py': dynamic,
      'b/migrations/0001_initial.py': migration([], []),
      'c/migrations/0001_initial.py': dynamic.replace('operations = make()', 'operations = make()  # migration-lens: ignore ML506'),
    });
    const ws = await analyze(root);
    assert.strictEqual(findingsOf(ws, root, 'a/migrations/0001_initial.py', 'ML506').length, 1);
    covered('ML506', 'positive');
    assert.deepStrictEqual(findingsOf(ws, root, 'b/migrations/0001_initial.py'), []);
    covered('ML506', 'negative');
    assert.deepStrictEqual(findingsOf(ws, root, 'c/migrations/0001_initial.py'), []);
    covered('ML506', 'suppressed');
  });
});
