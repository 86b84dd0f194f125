import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, FIXTURES, writeProject, migration } from '../helpers/project';
import { allOperations } from '../../server/src/analysis/model';
import type { Workspace } from '../../server/src/analysis/workspace';
import { covered } from '../helpers/rule-coverage';

const ROOT = path.join(FIXTURES, 'constructs');
const file = (rel: string) => path.join(ROOT, rel);

describe('parsing migration files into the model', () => {
  let ws: Workspace;
  before(async () => {
    ws = await analyze(ROOT);
  });

  it('finds the migration modules (not the underscored helper), and takes the app label from apps.py', () => {
    const names = ws
      .paths()
      .map((p) => path.relative(ROOT, p))
      .sort();
    assert.deepStrictEqual(names, [
      'blog/migrations/0001_initial.py',
      'blog/migrations/0002_concatenated.py',
      'blog/migrations/0003_conditional.py',
      'blog/migrations/0004_custom_operations.py',
      'blog/migrations/0005_separate.py',
      'blog/migrations/0006_dynamic.py',
      'blog/migrations/0007_modern_syntax.py',
      'shopapp/migrations/0001_initial.py',
      'shopapp/migrations/0002_second.py',
    ]);
    assert.strictEqual(ws.model(file('blog/migrations/0001_initial.py'))!.app, 'weblog');
    assert.strictEqual(ws.model(file('shopapp/migrations/0001_initial.py'))!.app, 'shopapp');
  });

  it('reads a coding header, __future__ import, initial and the operation with its exact range', () => {
    const m = ws.model(file('blog/migrations/0001_initial.py'))!;
    assert.strictEqual(m.initial, true);
    assert.strictEqual(m.number, 1);
    assert.deepStrictEqual(
      m.dependencies.map((d) => [d.app, d.name]),
      [['auth', '0012_alter_user_first_name_max_length']],
    );
    assert.strictEqual(m.operations.length, 1);
    const op = m.operations[0];
    assert.strictEqual(op.kind, 'CreateModel');
    assert.strictEqual(op.origin, 'django');
    assert.deepStrictEqual(op.range.start, { line: 15, character: 8 });
    assert.deepStrictEqual(op.nameRange, { start: { line: 15, character: 8 }, end: { line: 15, character: 30 } });
    const fields = op.kwargs.fields;
    assert.strictEqual(fields.kind, 'list');
    assert.strictEqual(fields.kind === 'list' && fields.items.length, 3);
    assert.deepStrictEqual(m.unresolved, []);
    assert.deepStrictEqual(m.syntaxErrors, []);
  });

  it('follows `A + B` with module-level names', () => {
    const m = ws.model(file('blog/migrations/0002_concatenated.py'))!;
    assert.deepStrictEqual(
      m.operations.map((o) => o.kind),
      ['AddField', 'AddField', 'AlterField'],
    );
    assert.ok(m.operations.every((o) => !o.conditional));
    assert.deepStrictEqual(m.unresolved, []);
  });

  it('marks operations of conditional lists and of `if` blocks in the class body as conditional', () => {
    const m = ws.model(file('blog/migrations/0003_conditional.py'))!;
    assert.deepStrictEqual(
      m.operations.map((o) => [o.kind, o.conditional]),
      [
        ['AddField', true],
        ['RunSQL', true],
        ['RunPython', true],
      ],
    );
  });

  it('knows custom operation classes defined in the file and third-party operations', () => {
    const m = ws.model(file('blog/migrations/0004_custom_operations.py'))!;
    assert.deepStrictEqual(
      m.operations.map((o) => [o.kind, o.origin]),
      [
        ['CreateExtension', 'external'],
        ['LoadFixture', 'local'],
      ],
    );
    assert.deepStrictEqual(
      m.localOperations.map((c) => [c.name, c.reversible]),
      [['LoadFixture', false]],
    );
  });

  it('splits SeparateDatabaseAndState into database and state operations', () => {
    const m = ws.model(file('blog/migrations/0005_separate.py'))!;
    assert.strictEqual(m.atomic, false);
    const sep = m.operations[0];
    assert.deepStrictEqual(
      sep.databaseOperations!.map((o) => o.kind),
      ['RunSQL'],
    );
    assert.deepStrictEqual(
      sep.stateOperations!.map((o) => o.kind),
      ['RenameField'],
    );
    assert.strictEqual(sep.stateOperations![0].parent, sep);
    assert.deepStrictEqual(
      allOperations(m.operations).map((o) => o.kind),
      ['SeparateDatabaseAndState', 'RunSQL', 'RenameField'],
    );
  });

  it('reports a computed operations list as not fully analyzed (ML506), not as an error', () => {
    const m = ws.model(file('blog/migrations/0006_dynamic.py'))!;
    assert.strictEqual(m.operations.length, 0);
    assert.strictEqual(m.unresolved.length, 1);
    assert.match(m.unresolved[0].message, /build_operations\(\)/);
    const f = ws.findings(file('blog/migrations/0006_dynamic.py'));
    assert.deepStrictEqual(
      f.map((x) => x.code),
      ['ML506'],
    );
    covered('ML506', 'positive');
  });

  it('parses Python 3.14 syntax (type aliases, generics, t-strings, unparenthesized except) cleanly', () => {
    const m = ws.model(file('blog/migrations/0007_modern_syntax.py'))!;
    assert.deepStrictEqual(m.syntaxErrors, []);
    assert.deepStrictEqual(
      m.operations.map((o) => o.kind),
      ['RunPython'],
    );
    assert.deepStrictEqual(
      m.dependencies.map((d) => [d.app, d.name, d.swappable]),
      [
        ['weblog', '0006_dynamic', undefined],
        [undefined, '__first__', 'AUTH_USER_MODEL'],
        ['contenttypes', '__first__', undefined],
        ['shopapp', '__latest__', undefined],
      ],
    );
    assert.deepStrictEqual(
      m.functions.map((f) => f.name),
      ['first', 'copy_titles'],
    );
  });

  it('reads run_before', () => {
    const m = ws.model(file('shopapp/migrations/0002_second.py'))!;
    assert.deepStrictEqual(
      m.runBefore.map((d) => [d.app, d.name]),
      [['weblog', '0001_initial']],
    );
  });

  it('never throws on half-typed files and keeps what precedes the error', async () => {
    const good = migration([], ['migrations.RemoveField("order", "note")', 'migrations.RunPython(forwards)']);
    const cut = good.slice(0, good.indexOf('migrations.RunPython') + 'migrations.RunPy'.length);
    const root = writeProject({ 'orders/migrations/0001_initial.py': cut });
    const w = await analyze(root);
    const m = w.model(path.join(root, 'orders/migrations/0001_initial.py'))!;
    assert.ok(m.syntaxErrors.length > 0);
    assert.ok(w.findings(path.join(root, 'orders/migrations/0001_initial.py')).some((f) => f.code === 'ML506'));
    // Every prefix of a real file parses without throwing.
    for (let i = 0; i < good.length; i += 7) {
      w.update(path.join(root, 'orders/migrations/0001_initial.py'), good.slice(0, i));
    }
  });

  it('reads a 150 KB squashed migration with its replaces', async () => {
    const ops: string[] = [];
    for (let i = 0; ops.join('').length < 150_000; i++) {
      ops.push(`migrations.AddField(model_name="order", name="f${i}", field=models.CharField(max_length=${i + 10}, null=True, help_text="field number ${i} of the squashed history"))`);
    }
    const replaces = Array.from({ length: 40 }, (_, i) => `("orders", "${String(i + 1).padStart(4, '0')}_step")`);
    const text = migration([], ops, `replaces = [${replaces.join(', ')}]`);
    assert.ok(text.length >= 150_000);
    const root = writeProject({ 'orders/migrations/0001_squashed_0040_step.py': text });
    const w = await analyze(root);
    const m = w.model(path.join(root, 'orders/migrations/0001_squashed_0040_step.py'))!;
    assert.strictEqual(m.operations.length, ops.length);
    assert.strictEqual(m.replaces.length, 40);
    assert.deepStrictEqual(m.syntaxErrors, []);
  });
});

describe('incremental extraction of an open file', () => {
  /** Replaces the first `from` after `at` in the open file as an editor would, one tree-sitter edit. */
  function type(ws: Workspace, file: string, text: string, at: string, from: string, to: string): string {
    const i = text.indexOf(from, text.indexOf(at));
    const pos = (k: number) => ({ row: text.slice(0, k).split('\n').length - 1, column: k - text.lastIndexOf('\n', k - 1) - 1 });
    const next = text.slice(0, i) + to + text.slice(i + from.length);
    const end = i + to.length;
    const endRow = next.slice(0, end).split('\n').length - 1;
    ws.update(file, next, {
      keepTree: true,
      edits: [
        {
          startIndex: i,
          oldEndIndex: i + from.length,
          newEndIndex: end,
          startPosition: pos(i),
          oldEndPosition: pos(i + from.length),
          newEndPosition: { row: endRow, column: end - next.lastIndexOf('\n', end - 1) - 1 },
        },
      ],
    });
    return next;
  }
  const strip = (m: unknown) => JSON.parse(JSON.stringify(m, (k, v) => (v instanceof Map ? [...v] : v instanceof Set ? [...v] : v)));

  it('re-reads only the edited operation, and reads the same as from scratch', async () => {
    const rel = 'orders/migrations/0002_big.py';
    const ops = Array.from({ length: 30 }, (_, i) => `migrations.AddField("order", "f${i}", models.CharField(max_length=${10 + i}, null=True))`);
    const root = writeProject({
      'orders/migrations/0001_initial.py': migration([], ['migrations.CreateModel("Order", [("id", models.AutoField(primary_key=True))])']),
      [rel]: 'LIMIT = 5\n\n\ndef forwards(apps, schema_editor):\n    pass\n\n\n' + migration([['orders', '0001_initial']], [...ops, 'migrations.RunPython(forwards)']),
    });
    const ws = await analyze(root);
    const file = path.join(root, rel);
    let text = fs.readFileSync(file, 'utf8');
    ws.update(file, text, { keepTree: true });
    const before = ws.model(file)!.operations;
    text = type(ws, file, text, '"f7"', 'max_length=17', 'max_length=170');
    const after = ws.model(file)!.operations;
    assert.strictEqual(after.length, 31);
    assert.notStrictEqual(after[7], before[7], 'the edited operation is read again');
    assert.ok(
      after.every((op, i) => i === 7 || op === before[i]),
      'the others are reused',
    );
    fs.writeFileSync(file, text);
    const scratch = (await analyze(root)).model(file);
    assert.deepStrictEqual(strip(ws.model(file)), strip(scratch));
    // Typing on in the same operation replays from the state saved before it: the views still
    // match a replay from scratch, for every operation.
    text = type(ws, file, text, '"f7"', 'max_length=170', 'max_length=1700');
    fs.writeFileSync(file, text);
    const views = (w: Workspace) => {
      const st = w.stateOf(file)!;
      return w.model(file)!.operations.map((op) => strip(st.view(op)?.fieldAfter?.info.kwargs ?? null));
    };
    const again = await analyze(root);
    assert.deepStrictEqual(views(ws), views(again));
    assert.strictEqual((views(ws)[7] as { max_length: { text: string } }).max_length.text, '1700');
    // A change outside the list (the function a RunPython names) reads every operation again.
    text = type(ws, file, text, 'def forwards', 'pass', 'return None');
    assert.ok(ws.model(file)!.operations.every((op, i) => op !== after[i]));
    // A new line above shifts every operation: none is reused with a stale range.
    text = type(ws, file, text, 'operations = [', '[', '[\n');
    fs.writeFileSync(file, text);
    assert.deepStrictEqual(strip(ws.model(file)), strip((await analyze(root)).model(file)));
  });
});
