import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { chain, codesIn, ORDER } from '../helpers/chain';
import { analyze, applyEdits, findingsOf, migration, writeProject } from '../helpers/project';
import { RULES_BY_CODE } from '../../server/src/rules/registry';
import { allOperations } from '../../server/src/analysis/model';
import type { Workspace } from '../../server/src/analysis/workspace';

const codes = (fs: Array<{ code: string }>) => fs.map((f) => f.code);

describe('state replay', () => {
  it('judges AlterField against the field after a RenameField', async () => {
    const { findings } = await codesIn(
      chain(
        [ORDER],
        ['migrations.RenameField(model_name="order", old_name="code", new_name="ref")  # migration-lens: ignore ML201'],
        ['migrations.AlterField(model_name="order", name="ref", field=models.CharField(max_length=50))'],
      ),
    );
    const f = findings.find((x) => x.code === 'ML106');
    assert.ok(f, JSON.stringify(codes(findings)));
    assert.match(f.message, /max_length 200 -> 50/);
  });

  it('follows RenameModel: the model keeps its fields under the new name', async () => {
    const { findings } = await codesIn(chain([ORDER], ['migrations.RenameModel(old_name="Order", new_name="Purchase")'], ['migrations.RemoveField(model_name="purchase", name="note")']));
    const f = findings.find((x) => x.code === 'ML101');
    assert.ok(f);
    assert.match(f.message, /column "note" of orders_purchase/);
  });

  it('uses a squashed migration: an AlterField after it is judged against the squashed state', async () => {
    const squashed = migration([], [ORDER.replace('max_length=200', 'max_length=80')], 'replaces = [("orders", "0001_m1"), ("orders", "0002_m2")]');
    const root = writeProject({
      ...chain([ORDER], ['migrations.AlterField(model_name="order", name="code", field=models.CharField(max_length=80))']),
      'orders/migrations/0001_squashed_0002_m2.py': squashed,
      'orders/migrations/0003_m3.py': migration([['orders', '0001_squashed_0002_m2']], ['migrations.AlterField(model_name="order", name="code", field=models.CharField(max_length=40))']),
    });
    const ws = await analyze(root);
    const f = findingsOf(ws, root, 'orders/migrations/0003_m3.py', 'ML106');
    assert.strictEqual(f.length, 1);
    assert.match(f[0].message, /max_length 80 -> 40/);
  });

  it('SeparateDatabaseAndState: state-only changes are not database risks, but later operations see them', async () => {
    const files = chain(
      [ORDER],
      ['migrations.SeparateDatabaseAndState(state_operations=[migrations.AlterField(model_name="order", name="code", field=models.IntegerField())], database_operations=[])'],
      ['migrations.AlterField(model_name="order", name="code", field=models.BigIntegerField())'],
    );
    const middle = await codesIn(files, 'orders/migrations/0002_m2.py');
    assert.deepStrictEqual(codes(middle.findings), []);
    // In the state, code is an IntegerField now: BigIntegerField widens it, nothing to report.
    const lastOne = await codesIn(files);
    assert.deepStrictEqual(codes(lastOne.findings), []);
    // Whereas without the state-only change, CharField -> BigIntegerField is a type change.
    const direct = await codesIn(chain([ORDER], [], ['migrations.AlterField(model_name="order", name="code", field=models.BigIntegerField())']));
    assert.deepStrictEqual(codes(direct.findings), ['ML103']);
  });

  it('database_operations of SeparateDatabaseAndState are judged', async () => {
    const { findings } = await codesIn(chain([ORDER], ['migrations.SeparateDatabaseAndState(database_operations=[migrations.RemoveField(model_name="order", name="note")])']));
    assert.deepStrictEqual(codes(findings), ['ML101']);
  });

  it('an edit re-derives the state downstream: a later verdict changes and only changed files are returned', async () => {
    const files = chain(
      [ORDER],
      ['migrations.AddField(model_name="order", name="tag", field=models.CharField(max_length=5, null=True))'],
      ['migrations.AlterField(model_name="order", name="code", field=models.CharField(max_length=100))'],
    );
    const root = writeProject(files);
    const ws = await analyze(root);
    const rel3 = 'orders/migrations/0003_m3.py';
    assert.strictEqual(findingsOf(ws, root, rel3, 'ML106').length, 1);
    const first = path.join(root, 'orders/migrations/0001_m1.py');
    const touched = ws.update(first, files['orders/migrations/0001_m1.py'].replace('max_length=200', 'max_length=50'));
    assert.deepStrictEqual(findingsOf(ws, root, rel3, 'ML106'), []);
    assert.ok(touched.includes(path.join(root, rel3)), 'the file whose verdict changed');
    assert.ok(!touched.includes(path.join(root, 'orders/migrations/0002_m2.py')), 'an unchanged file is not republished');
  });
});

/** Applies a rule's fix (edits to this and other files, new files) on disk and re-analyzes. */
async function applyFix(ws: Workspace, root: string, rel: string, code: string, title: RegExp) {
  const file = path.join(root, rel);
  const ctx = ws.context(file)!;
  const finding = ws.findings(file).find((f) => f.code === code)!;
  assert.ok(finding, `no ${code} in ${rel}`);
  const fix = RULES_BY_CODE.get(code)!.fixes!(finding, ctx).find((f) => title.test(f.title));
  assert.ok(fix, `no fix matching ${title}`);
  if (fix.edits) fs.writeFileSync(file, applyEdits(ctx.text, fix.edits));
  for (const o of fix.otherEdits ?? []) fs.writeFileSync(o.path, applyEdits(fs.readFileSync(o.path, 'utf8'), o.edits));
  for (const n of fix.newFiles ?? []) {
    assert.ok(!fs.existsSync(n.path), `${n.path} must be new`);
    fs.writeFileSync(n.path, n.text);
  }
  return { fix, ws: await analyze(root) };
}

describe('risk quick fixes', () => {
  it('ML105: turns RemoveField + AddField in one migration into RenameField, and the result is clean', async () => {
    const files = chain([ORDER], ['migrations.RemoveField(model_name="order", name="note")', 'migrations.AddField(model_name="order", name="order_note", field=models.TextField(null=True))']);
    const root = writeProject(files);
    const rel = 'orders/migrations/0002_m2.py';
    const { ws } = await applyFix(await analyze(root), root, rel, 'ML105', /Rename order\.note to order_note/);
    const text = fs.readFileSync(path.join(root, rel), 'utf8');
    assert.match(text, /migrations\.RenameField\(\n\s+model_name="order",\n\s+old_name="note",\n\s+new_name="order_note",\n\s+\),/);
    assert.doesNotMatch(text, /AddField|RemoveField/);
    // Only the rename's own risk is left: renaming a column is a deploy concern (ML201), not data loss.
    assert.deepStrictEqual(codes(findingsOf(ws, root, rel)), ['ML201']);
    const ops = allOperations(ws.model(path.join(root, rel))!.operations).map((o) => o.kind);
    assert.deepStrictEqual(ops, ['RenameField']);
  });

  it('ML105: across two migrations, the fix edits both files and keeps a changed definition as AlterField', async () => {
    const files = chain(
      [ORDER],
      ['migrations.RemoveField(model_name="order", name="note")'],
      ['migrations.AddField(model_name="order", name="order_note", field=models.TextField(null=True, blank=True))'],
    );
    const root = writeProject(files);
    const ws0 = await analyze(root);
    assert.strictEqual(findingsOf(ws0, root, 'orders/migrations/0002_m2.py', 'ML105').length, 1);
    assert.deepStrictEqual(findingsOf(ws0, root, 'orders/migrations/0002_m2.py', 'ML101'), []);
    const { fix, ws } = await applyFix(ws0, root, 'orders/migrations/0003_m3.py', 'ML105', /Rename/);
    assert.strictEqual(fix.otherEdits?.length, 1);
    assert.match(fs.readFileSync(path.join(root, 'orders/migrations/0002_m2.py'), 'utf8'), /RenameField/);
    assert.match(
      fs.readFileSync(path.join(root, 'orders/migrations/0003_m3.py'), 'utf8'),
      /AlterField\(\n\s+model_name="order",\n\s+name="order_note",\n\s+field=models\.TextField\(null=True, blank=True\),/,
    );
    for (const rel of ['orders/migrations/0002_m2.py', 'orders/migrations/0003_m3.py']) {
      assert.deepStrictEqual(
        codes(findingsOf(ws, root, rel)).filter((c) => c !== 'ML201'),
        [],
        rel,
      );
    }
  });

  it('ML202: splits the NOT NULL into a fill migration and a NOT NULL migration, numbered and chained', async () => {
    const files = chain([ORDER], ['migrations.AlterField(model_name="order", name="note", field=models.TextField())']);
    const root = writeProject(files);
    const { fix, ws } = await applyFix(await analyze(root), root, 'orders/migrations/0002_m2.py', 'ML202', /Split/);
    assert.deepStrictEqual(
      fix.newFiles!.map((f) => path.basename(f.path)),
      ['0003_order_note_not_null.py'],
    );
    const m2 = fs.readFileSync(path.join(root, 'orders/migrations/0002_m2.py'), 'utf8');
    assert.match(m2, /def fill_order_note\(apps, schema_editor\):\n {4}Order = apps\.get_model\("orders", "Order"\)\n {4}Order\.objects\.filter\(note__isnull=True\)\.update\(note=""\)/);
    assert.match(m2, /migrations\.RunPython\(fill_order_note, reverse_code=migrations\.RunPython\.noop\)/);
    const m3 = fs.readFileSync(path.join(root, 'orders/migrations/0003_order_note_not_null.py'), 'utf8');
    assert.match(m3, /\("orders", "0002_m2"\)/);
    assert.match(m3, /migrations\.AlterField\(model_name="order", name="note", field=models\.TextField\(\)\),/);
    const g = ws.projects()[0];
    assert.deepStrictEqual(g.leaves.get('orders'), ['orders.0003_order_note_not_null']);
    for (const p of ws.paths())
      assert.deepStrictEqual(
        ws.findings(p).filter((f) => f.code !== 'ML301'),
        [],
        p,
      );
  });

  it('ML202: with other operations in the migration, the fill and the NOT NULL both get new files', async () => {
    const files = chain(
      [ORDER],
      ['migrations.AddField(model_name="order", name="tag", field=models.CharField(max_length=5, null=True))', 'migrations.AlterField(model_name="order", name="note", field=models.TextField())'],
    );
    const root = writeProject(files);
    const { fix, ws } = await applyFix(await analyze(root), root, 'orders/migrations/0002_m2.py', 'ML202', /Move NOT NULL/);
    assert.deepStrictEqual(
      fix.newFiles!.map((f) => path.basename(f.path)),
      ['0003_fill_order_note.py', '0004_order_note_not_null.py'],
    );
    assert.doesNotMatch(fs.readFileSync(path.join(root, 'orders/migrations/0002_m2.py'), 'utf8'), /AlterField/);
    assert.deepStrictEqual(ws.projects()[0].order.slice(-2), ['orders.0003_fill_order_note', 'orders.0004_order_note_not_null']);
    for (const p of ws.paths())
      assert.deepStrictEqual(
        ws.findings(p).filter((f) => f.code !== 'ML301'),
        [],
        p,
      );
  });

  it('ML202: no split when the migration is not the app leaf (the numbers are taken)', async () => {
    const files = chain([ORDER], ['migrations.AlterField(model_name="order", name="note", field=models.TextField())'], []);
    const root = writeProject(files);
    const ws = await analyze(root);
    const file = path.join(root, 'orders/migrations/0002_m2.py');
    const finding = ws.findings(file).find((f) => f.code === 'ML202')!;
    assert.deepStrictEqual(RULES_BY_CODE.get('ML202')!.fixes!(finding, ws.context(file)!), []);
  });
});
