// The lens and SQL document wording, from bridge answers as Django 3.2 and 4.2 give them.
import * as assert from 'assert';
import type { AppSummary, MigrationSummary } from '../../server/src/protocol';
import type { OperationSql, SqlResult } from '../../core/src/django/bridge-protocol';
import { operationLine, operationTitle, runLens, sqlDocument, statementCount } from '../../client/src/views/sql-text';

const op = (index: number, description: string, sql: string[], reducesToSql = true): OperationSql => ({ index, description, sql, reducesToSql });
const result = (operations: OperationSql[], extra: Partial<SqlResult> = {}): SqlResult => {
  const body = operations.flatMap((o) => ['--', `-- ${o.description}`, '--', ...o.sql]);
  return {
    app: 'store',
    name: '0003_x',
    backwards: false,
    atomic: true,
    transactional: true,
    begin: 'BEGIN;',
    commit: 'COMMIT;',
    text: ['BEGIN;', ...body, 'COMMIT;'].join('\n') + '\n',
    operations,
    split: true,
    deferred: [],
    ...extra,
  };
};
const m = (name: string, status: MigrationSummary['status'], extra: Partial<MigrationSummary> = {}): MigrationSummary => ({
  app: 'store',
  name,
  path: `/p/${name}.py`,
  classLine: 3,
  dependencies: [],
  replaces: [],
  operations: [],
  findings: [],
  status,
  ...extra,
});
const app = (...migrations: MigrationSummary[]): AppSummary => ({ label: 'store', migrations, leaves: [migrations[migrations.length - 1].name] });

describe('SQL lens wording', () => {
  it('counts statements, not comments, and includes deferred ones', () => {
    const r = result(
      [op(0, 'Add field sku to product', ['ALTER TABLE "p" ADD COLUMN "sku" varchar(32) NULL;']), op(1, 'Raw Python operation', ['-- THIS OPERATION CANNOT BE WRITTEN AS SQL'], false)],
      { deferred: ['CREATE INDEX "i" ON "p" ("sku");'] },
    );
    assert.strictEqual(statementCount(r), 2);
    assert.strictEqual(statementCount(result([])), 0);
  });

  it('counts from the whole text when the split failed', () => {
    const r = result([op(0, 'x', ['ALTER TABLE a;', 'ALTER TABLE b;'])], { split: false, operations: [] });
    assert.strictEqual(statementCount(r), 2);
  });

  it('shows the first statement of an operation, shortened, with how many follow', () => {
    const long = `CREATE TABLE "new__store_product" (${'"c" integer NOT NULL, '.repeat(10)});`;
    const t = operationTitle(op(0, 'Alter field', [long, 'INSERT INTO x;', 'DROP TABLE y;']), 60);
    assert.ok(t.startsWith('CREATE TABLE "new__store_product"'), t);
    assert.ok(t.endsWith('… (+2 more)'), t);
    assert.ok(t.length <= 60, `${t.length}`);
    assert.strictEqual(operationTitle(op(0, 'Add field', ['ALTER TABLE "p"\n    ADD "c" int;'])), 'ALTER TABLE "p" ADD "c" int;');
  });

  it('says when an operation has no SQL: Python code, or state only', () => {
    assert.strictEqual(operationTitle(op(0, 'Raw Python operation', ['-- THIS OPERATION CANNOT BE WRITTEN AS SQL'], false)), 'no SQL: runs Python code');
    assert.strictEqual(operationTitle(op(0, 'Raw Python operation', [], false)), 'no SQL: runs Python code');
    assert.strictEqual(operationTitle(op(0, 'Change Meta options on product', [])), "no SQL: changes only Django's model state");
    // Django 5.x's sqlmigrate marks an operation without SQL with a comment.
    assert.strictEqual(operationTitle(op(0, 'Change Meta options on product', ['-- (no-op)'])), "no SQL: changes only Django's model state");
    assert.strictEqual(operationTitle(undefined), 'SQL: see the whole migration');
  });

  it('offers apply for pending, roll back when later ones are applied, unapply for the last applied', () => {
    const a = app(m('0001', 'applied'), m('0002', 'applied'), m('0003', 'pending'));
    assert.deepStrictEqual(runLens(a.migrations[2], a), { title: '$(play) Apply up to here', command: 'applyTo', target: '0003' });
    assert.deepStrictEqual(runLens(a.migrations[0], a), { title: '$(debug-step-back) Roll back to here', command: 'rollbackTo', target: '0001' });
    assert.deepStrictEqual(runLens(a.migrations[1], a), { title: '$(debug-step-back) Unapply', command: 'unapply', target: '0001' });
    const first = app(m('0001', 'applied'));
    assert.strictEqual(runLens(first.migrations[0], first)?.target, 'zero');
  });

  it('offers nothing to run without a database state, for drift or a replaced migration', () => {
    assert.strictEqual(runLens(m('0001', 'unknown'), app(m('0001', 'unknown'))), undefined);
    assert.strictEqual(runLens(m('0001', 'applied', { drift: 'x' }), app(m('0001', 'applied'))), undefined);
    assert.strictEqual(runLens(m('0001', 'pending', { replacedBy: '0001_squashed' }), app(m('0001', 'pending'))), undefined);
  });

  it('writes the SQL document as a header and then the exact sqlmigrate text, and finds each operation in it', () => {
    const r = result([op(0, 'Add field a to p', ['ALTER TABLE a;']), op(1, 'Add field b to p', ['ALTER TABLE b;'])]);
    const doc = sqlDocument(r, 'postgresql');
    assert.strictEqual(doc.split('\n').slice(3).join('\n'), r.text);
    assert.match(doc, /^-- store\.0003_x: forward \(apply\) on postgresql\n-- exactly what `manage\.py sqlmigrate store 0003_x` prints/);
    assert.match(sqlDocument({ ...r, backwards: true }, 'sqlite'), /sqlmigrate --backwards store 0003_x/);
    const lines = doc.split('\n');
    assert.strictEqual(lines[operationLine(doc, r.operations[1]) + 1], '-- Add field b to p');
    assert.strictEqual(operationLine(doc, op(5, 'not there', [])), 0);
  });
});
