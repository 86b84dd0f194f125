import * as assert from 'assert';
import * as path from 'path';
import { analyze, applyEdits, findingsOf, migration, writeProject } from '../helpers/project';
import { RULES_BY_CODE } from '../../server/src/rules/registry';
import { ignoreFixes } from '../../server/src/rules/ignore-fixes';
import { covered } from '../helpers/rule-coverage';

const FORWARD = ['def fill_order_status(apps, schema_editor):', '    Order = apps.get_model("orders", "Order")', '    Order.objects.filter(status__isnull=True).update(status="new")', '', ''].join(
  '\n',
);

function withFunction(text: string): string {
  return text.replace('\n\nclass Migration', `\n\n${FORWARD}\nclass Migration`);
}

const REL = 'orders/migrations/0003_fill.py';

async function single(text: string) {
  const root = writeProject({ [REL]: text });
  const ws = await analyze(root);
  return { root, ws, file: path.join(root, REL) };
}

/** Applies a fix's edits, re-analyzes, and returns the new text and findings. */
async function applyFix(ws: Awaited<ReturnType<typeof analyze>>, file: string, code: string, title: RegExp) {
  const ctx = ws.context(file)!;
  const finding = ws.findings(file).find((f) => f.code === code)!;
  const fixes = [...(RULES_BY_CODE.get(code)!.fixes?.(finding, ctx) ?? []), ...ignoreFixes(finding, ctx.text)];
  const fix = fixes.find((f) => title.test(f.title));
  assert.ok(fix, `no fix matching ${title} among ${fixes.map((f) => f.title).join(' | ')}`);
  const text = applyEdits(ctx.text, fix.edits!);
  ws.update(file, text);
  return { text, findings: ws.findings(file), model: ws.model(file)! };
}

describe('ML401 RunPython without reverse_code', () => {
  it('positive: flags the RunPython call and names the function', async () => {
    const { ws, root } = await single(withFunction(migration([], ['migrations.RunPython(fill_order_status)'])));
    const f = findingsOf(ws, root, REL, 'ML401');
    assert.strictEqual(f.length, 1);
    assert.match(f[0].message, /RunPython\(fill_order_status\) has no reverse_code/);
    assert.strictEqual(f[0].range.start.character, 8);
    covered('ML401', 'positive');
  });

  it('positive: reverse_code=None and RunPython inside SeparateDatabaseAndState', async () => {
    const { ws, root } = await single(
      withFunction(migration([], ['migrations.RunPython(fill_order_status, reverse_code=None)', 'migrations.SeparateDatabaseAndState(database_operations=[migrations.RunPython(fill_order_status)])'])),
    );
    assert.strictEqual(findingsOf(ws, root, REL, 'ML401').length, 2);
    covered('ML401', 'positive');
  });

  it('negative: positional or keyword reverse, noop, and a local RunPython class are not flagged', async () => {
    const { ws, root } = await single(
      withFunction(
        migration(
          [],
          [
            'migrations.RunPython(fill_order_status, fill_order_status)',
            'migrations.RunPython(code=fill_order_status, reverse_code=migrations.RunPython.noop)',
            'migrations.RunSQL("SELECT 1", "SELECT 1")',
          ],
        ),
      ),
    );
    assert.deepStrictEqual(findingsOf(ws, root, REL), []);
    covered('ML401', 'negative');
  });

  it('suppressed: on the operation line, on the line above, and for the file', async () => {
    for (const text of [
      migration([], ['migrations.RunPython(fill_order_status)  # migration-lens: ignore ML401']),
      migration([], ['# migration-lens: ignore ML401, ML402\n        migrations.RunPython(fill_order_status)']),
      '# migration-lens: ignore-file ML401\n' + migration([], ['migrations.RunPython(fill_order_status)']),
    ]) {
      const { ws, root } = await single(withFunction(text));
      assert.deepStrictEqual(findingsOf(ws, root, REL, 'ML401'), [], text);
    }
    // Suppressing another code does not hide ML401.
    const { ws, root } = await single(withFunction(migration([], ['migrations.RunPython(fill_order_status)  # migration-lens: ignore ML402'])));
    assert.strictEqual(findingsOf(ws, root, REL, 'ML401').length, 1);
    covered('ML401', 'suppressed');
  });

  it('fix: adding RunPython.noop makes the file clean', async () => {
    const { ws, file } = await single(withFunction(migration([], ['migrations.RunPython(fill_order_status)'])));
    const r = await applyFix(ws, file, 'ML401', /noop/);
    assert.match(r.text, /migrations\.RunPython\(fill_order_status, reverse_code=migrations\.RunPython\.noop\)/);
    assert.deepStrictEqual(r.findings, []);
  });

  it('fix: a reverse function skeleton goes after the forward one, in a multi-line call', async () => {
    const call = 'migrations.RunPython(\n            fill_order_status,\n        )';
    const { ws, file } = await single(withFunction(migration([], [call])));
    const r = await applyFix(ws, file, 'ML401', /reverse function/);
    assert.deepStrictEqual(r.findings, []);
    assert.deepStrictEqual(r.model.syntaxErrors, []);
    assert.deepStrictEqual(
      r.model.functions.map((f) => f.name),
      ['fill_order_status', 'reverse_fill_order_status'],
    );
    assert.match(r.text, / {12}fill_order_status,\n {12}reverse_code=reverse_fill_order_status,\n {8}\)/);
  });

  it('fix: ignore on this line and in this file', async () => {
    const { ws, file } = await single(withFunction(migration([], ['migrations.RunPython(fill_order_status)'])));
    assert.deepStrictEqual((await applyFix(ws, file, 'ML401', /on this line/)).findings, []);
    const again = await single(withFunction(migration([], ['migrations.RunPython(fill_order_status)'])));
    const r = await applyFix(again.ws, again.file, 'ML401', /in this file/);
    assert.deepStrictEqual(r.findings, []);
    assert.ok(r.text.startsWith('# migration-lens: ignore-file ML401\n'));
  });
});

describe('ML402 RunSQL without reverse_sql', () => {
  it('positive', async () => {
    const { ws, root } = await single(migration([], ['migrations.RunSQL("CREATE INDEX order_created_idx ON orders_order (created_at);")']));
    const f = findingsOf(ws, root, REL, 'ML402');
    assert.strictEqual(f.length, 1);
    assert.match(f[0].message, /RunSQL has no reverse_sql/);
    covered('ML402', 'positive');
  });

  it('negative: reverse_sql given (keyword, positional, noop)', async () => {
    const { ws, root } = await single(
      migration([], ['migrations.RunSQL("SELECT 1", reverse_sql="SELECT 1")', 'migrations.RunSQL("SELECT 1", "SELECT 1")', 'migrations.RunSQL(sql="SELECT 1", reverse_sql=migrations.RunSQL.noop)']),
    );
    assert.deepStrictEqual(findingsOf(ws, root, REL), []);
    covered('ML402', 'negative');
  });

  it('suppressed: the same RunSQL reports without the comment, and not with it', async () => {
    const op = 'migrations.RunSQL("SELECT 1")';
    const bare = await single(migration([], [op]));
    assert.strictEqual(findingsOf(bare.ws, bare.root, REL, 'ML402').length, 1);
    const { ws, root } = await single(migration([], [`${op}  # migration-lens: ignore ML402`]));
    assert.deepStrictEqual(findingsOf(ws, root, REL), []);
    covered('ML402', 'suppressed');
  });

  it('fix: the DROP that undoes a single CREATE is derived and makes the file clean', async () => {
    const { ws, file } = await single(migration([], ['migrations.RunSQL("CREATE INDEX IF NOT EXISTS order_created_idx ON orders_order (created_at);")']));
    const r = await applyFix(ws, file, 'ML402', /DROP INDEX/);
    assert.match(r.text, /reverse_sql="DROP INDEX IF EXISTS order_created_idx;"/);
    assert.deepStrictEqual(r.findings, []);
  });

  it('fix: noop for SQL that cannot be reversed automatically', async () => {
    const { ws, file } = await single(migration([], ['migrations.RunSQL("UPDATE orders_order SET status = \'new\' WHERE status IS NULL;")']));
    const ctx = ws.context(file)!;
    const titles = RULES_BY_CODE.get('ML402')!.fixes!(ws.findings(file)[0], ctx).map((f) => f.title);
    assert.deepStrictEqual(titles, ['Add reverse_sql=migrations.RunSQL.noop', 'Add a reverse_sql skeleton']);
    assert.deepStrictEqual((await applyFix(ws, file, 'ML402', /noop/)).findings, []);
  });
});
