// The impact model beyond what the servers here can show (other versions, from the engines'
// manuals), the engine's spelling, and what the workspace reports per operation.
import { messageWithHelp } from '../../server/src/analysis/risk';
import * as assert from 'assert';
import * as cp from 'child_process';
import * as path from 'path';
import * as fs from 'fs';
import { analyze, applyEdits, findingsOf, migration, REPO, writeProject } from '../helpers/project';
import { RULES_BY_CODE } from '../../server/src/rules/registry';
import { describeImpact, engineFromVersion, parseEngine, TableImpact } from '../../server/src/analysis/impact';
import type { Workspace } from '../../server/src/analysis/workspace';
import type { Finding } from '../../server/src/rules/types';
import { covered } from '../helpers/rule-coverage';

const CLI = path.join(REPO, 'dist', 'cli.js');
const ORDER = 'migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("title", models.CharField(max_length=50)), ("qty", models.IntegerField())])';

async function impactsOf(ops: string[], engine: string) {
  const root = writeProject({
    'shop/migrations/__init__.py': '',
    'shop/migrations/0001_initial.py': migration([], [ORDER]),
    'shop/migrations/0002_change.py': migration([['shop', '0001_initial']], ops),
  });
  const ws = await analyze(root);
  ws.setEngine(undefined, parseEngine(engine), 'test');
  return ws.impacts(path.join(root, 'shop/migrations/0002_change.py'));
}

const one = async (op: string, engine: string): Promise<TableImpact> => (await impactsOf([op], engine))[0].impacts[0];

/** The findings of `code` in `rel` with its `# migration-lens: ignore <code>` line taken out, then put back. */
function withoutIgnore(ws: Workspace, root: string, rel: string, code: string): Finding[] {
  const file = path.join(root, rel);
  const text = fs.readFileSync(file, 'utf8');
  const comment = `# migration-lens: ignore ${code}\n        `;
  assert.ok(text.includes(comment), `${rel} has no ignore comment for ${code}`);
  ws.update(file, text.replace(comment, ''));
  const found = findingsOf(ws, root, rel, code);
  ws.update(file, text);
  return found;
}

describe('impact: what an operation does on the engine', () => {
  it('reads the engine as the CLI and the setting spell it, and as servers report it', () => {
    assert.deepStrictEqual(parseEngine('postgresql:15'), { name: 'postgresql', version: '15' });
    assert.deepStrictEqual(parseEngine('pg'), { name: 'postgresql' });
    assert.deepStrictEqual(parseEngine(' MariaDB:10.11 '), { name: 'mariadb', version: '10.11' });
    assert.deepStrictEqual(parseEngine('sqlite3'), { name: 'sqlite' });
    assert.strictEqual(parseEngine('oracle'), undefined);
    assert.strictEqual(parseEngine('postgresql:latest'), undefined);
    assert.deepStrictEqual(engineFromVersion('postgresql', 'PostgreSQL 15.19 (Debian 15.19-0+deb12u1) on x86_64-pc-linux-gnu'), { name: 'postgresql', version: '15' });
    assert.deepStrictEqual(engineFromVersion('mysql', '10.11.19-MariaDB-0+deb12u1'), { name: 'mariadb', version: '10.11' });
    assert.deepStrictEqual(engineFromVersion('mysql', '8.0.36'), { name: 'mysql', version: '8.0' });
    assert.deepStrictEqual(engineFromVersion('sqlite', '3.40.1'), { name: 'sqlite', version: '3.40' });
  });

  it('follows the versions the manuals describe where they differ from the ones measured here', async () => {
    const addDefault = 'migrations.AddField("order", "extra", models.IntegerField(default=0))';
    // PostgreSQL before 11 writes a new column's default into every row.
    assert.deepStrictEqual([(await one(addDefault, 'postgresql:10')).rewrite, (await one(addDefault, 'postgresql:15')).rewrite], [true, false]);
    // MariaDB added columns instantly from 10.3, dropped them from 10.4.
    assert.strictEqual((await one(addDefault, 'mariadb:10.2')).algorithm, 'INPLACE');
    assert.strictEqual((await one('migrations.RemoveField("order", "qty")', 'mariadb:10.3')).algorithm, 'INPLACE');
    assert.strictEqual((await one('migrations.RemoveField("order", "qty")', 'mariadb:10.4')).algorithm, 'INSTANT');
    // MySQL has no NOCOPY: an index builds INPLACE, online.
    const index = 'migrations.AddIndex("order", models.Index(fields=["qty"], name="order_qty_ix"))';
    assert.deepStrictEqual(await one(index, 'mysql:8.0'), { table: 'shop_order', algorithm: 'INPLACE', rewrite: false, scan: true, blocks: [] });
    // SQLite: Django remakes the table for an AlterField, not for a nullable AddField.
    assert.strictEqual((await one('migrations.AlterField("order", "qty", models.BigIntegerField())', 'sqlite')).rebuild, true);
    assert.strictEqual((await one('migrations.AddField("order", "note", models.TextField(null=True))', 'sqlite')).rebuild, false);
  });

  it('reports the existing tables an operation touches, and nothing for new tables or state-only changes', async () => {
    const found = await impactsOf(
      [
        'migrations.CreateModel(name="Line", fields=[("id", models.AutoField(primary_key=True)), ("order", models.ForeignKey("shop.Order", on_delete=models.CASCADE))])',
        'migrations.AddField("line", "qty", models.IntegerField(default=1))',
        'migrations.SeparateDatabaseAndState(state_operations=[migrations.RemoveField("order", "qty")], database_operations=[migrations.AddIndex("order", models.Index(fields=["title"], name="order_title_ix"))])',
        'migrations.RunSQL("SELECT 1", migrations.RunSQL.noop)',
      ],
      'postgresql',
    );
    // The new table's foreign key locks the order table; the new table itself has no rows to wait on;
    // the database half of SeparateDatabaseAndState counts under its parent's index.
    assert.deepStrictEqual(
      found.map((f) => [f.operation, f.op.kind, f.impacts.map((i) => `${i.table} ${i.lock}`)]),
      [
        [0, 'CreateModel', ['shop_order SHARE ROW EXCLUSIVE']],
        [2, 'AddIndex', ['shop_order SHARE']],
      ],
    );
    assert.strictEqual(
      describeImpact({ name: 'postgresql', version: '15' }, found[1].impacts[0]),
      'On PostgreSQL 15: SHARE lock on shop_order and reads every row: writes wait until it ends; reads go on.',
    );
  });

  it('ML302: builds the index concurrently as a quick fix, when the migration holds only index operations', async () => {
    const index = (name: string) => `migrations.AddIndex("order", models.Index(fields=["qty"], name="${name}"))`;
    const root = writeProject({
      'shop/migrations/__init__.py': '',
      'shop/migrations/0001_initial.py': migration([], [ORDER]),
      'shop/migrations/0002_index.py': migration([['shop', '0001_initial']], [index('order_qty_ix')]),
      'shop/migrations/0003_mixed.py': migration([['shop', '0002_index']], [index('order_qty2_ix'), 'migrations.AddField("order", "n", models.IntegerField(null=True))']),
    });
    const ws = await analyze(root);
    const file = path.join(root, 'shop/migrations/0002_index.py');
    const [finding] = findingsOf(ws, root, 'shop/migrations/0002_index.py', 'ML302');
    const [fix] = RULES_BY_CODE.get('ML302')!.fixes!(finding, ws.context(file)!);
    assert.strictEqual(fix.title, 'Build the index concurrently (AddIndexConcurrently, atomic = False)');
    const fixed = applyEdits(fs.readFileSync(file, 'utf8'), fix.edits!);
    assert.match(fixed, /^from django\.db import migrations, models\nfrom django\.contrib\.postgres\.operations import AddIndexConcurrently\n/);
    assert.match(fixed, /class Migration\(migrations\.Migration\):\n {4}atomic = False\n/);
    assert.match(fixed, /AddIndexConcurrently\("order", models\.Index\(fields=\["qty"\], name="order_qty_ix"\)\)/);
    ws.update(file, fixed);
    assert.deepStrictEqual(findingsOf(ws, root, 'shop/migrations/0002_index.py', 'ML302'), []);
    // With another operation in the migration, atomic = False could leave it half applied: no fix.
    const [mixed] = findingsOf(ws, root, 'shop/migrations/0003_mixed.py', 'ML302');
    assert.deepStrictEqual(RULES_BY_CODE.get('ML302')!.fixes!(mixed, ws.context(path.join(root, 'shop/migrations/0003_mixed.py'))!), []);
  });

  it('ML703: a CHECK constraint read under ACCESS EXCLUSIVE on PostgreSQL; NOT VALID then VALIDATE as a quick fix; not on MariaDB, not on a new table, nor suppressed', async () => {
    const check = (name: string) => `migrations.AddConstraint("order", models.CheckConstraint(check=models.Q(qty__gte=0), name="${name}"))`;
    const root = writeProject({
      'shop/migrations/__init__.py': '',
      'shop/migrations/0001_initial.py': migration([], [ORDER, check('on_new_table')]),
      'shop/migrations/0002_check.py': migration([['shop', '0001_initial']], [check('qty_gte_0')]),
      'shop/migrations/0003_quiet.py': migration([['shop', '0002_check']], [`# migration-lens: ignore ML703\n        ${check('quiet')}`]),
    });
    const ws = await analyze(root);
    const ml703 = (rel: string) => findingsOf(ws, root, `shop/migrations/${rel}`, 'ML703');
    assert.deepStrictEqual(ml703('0001_initial.py'), [], 'a table created in the migration has no rows');
    covered('ML703', 'negative');
    assert.strictEqual(withoutIgnore(ws, root, 'shop/migrations/0003_quiet.py', 'ML703').length, 1, 'reported without the comment');
    assert.deepStrictEqual(ml703('0003_quiet.py'), [], 'suppressed');
    covered('ML703', 'suppressed');
    const [finding] = ml703('0002_check.py');
    assert.match(messageWithHelp(finding), /reads every row to check it while holding ACCESS EXCLUSIVE on PostgreSQL/);
    covered('ML703', 'positive');
    const file = path.join(root, 'shop/migrations/0002_check.py');
    const [fix] = RULES_BY_CODE.get('ML703')!.fixes!(finding, ws.context(file)!);
    const fixed = applyEdits(fs.readFileSync(file, 'utf8'), fix.edits!);
    assert.match(fixed, /from django\.contrib\.postgres\.operations import AddConstraintNotValid, ValidateConstraint\n/);
    assert.match(fixed, / {4}atomic = False\n/);
    assert.match(fixed, /AddConstraintNotValid\("order", models\.CheckConstraint\(check=models\.Q\(qty__gte=0\), name="qty_gte_0"\)\),\n {8}ValidateConstraint\("order", "qty_gte_0"\),/);
    ws.update(file, fixed);
    assert.deepStrictEqual(ml703('0002_check.py'), [], 'fixed');
    // The fixed operations' impact: a brief lock, then a read that blocks nothing (measured: docs/impact.md).
    ws.setEngine(undefined, { name: 'postgresql', version: '15' }, 'test');
    assert.deepStrictEqual(
      ws.impacts(file).map((i) => [i.op.kind, i.impacts[0].lock, !!i.impacts[0].scan, i.impacts[0].blocks.join('+')]),
      [
        ['AddConstraintNotValid', 'ACCESS EXCLUSIVE', false, 'reads+writes'],
        ['ValidateConstraint', 'SHARE UPDATE EXCLUSIVE', true, ''],
      ],
    );
    // MariaDB has no NOT VALID: nothing to say there.
    ws.update(file, fs.readFileSync(file, 'utf8'));
    ws.setEngine(undefined, { name: 'mariadb', version: '10.11' }, 'test');
    assert.deepStrictEqual(ml703('0002_check.py'), []);
  });

  it('ML704: a FOREIGN KEY added to a column with data is checked while writes wait on PostgreSQL; NOT VALID then VALIDATE as the safe way', async () => {
    const CUSTOMER = 'migrations.CreateModel(name="Customer", fields=[("id", models.AutoField(primary_key=True))], options={"db_table": "crm_customer"})';
    const fk = (extra = '') => `migrations.AlterField("order", "customer", models.ForeignKey(null=True, on_delete=models.PROTECT, to="shop.customer"${extra}))`;
    const root = writeProject({
      'shop/migrations/__init__.py': '',
      'shop/migrations/0001_initial.py': migration([], [ORDER, CUSTOMER, 'migrations.AddField("order", "customer", models.IntegerField(null=True, db_column="customer_id"))']),
      'shop/migrations/0002_fk.py': migration([['shop', '0001_initial']], [fk()]),
      // The same target spelled another way, a proxy of it (same table), another table.
      'shop/migrations/0003_same.py': migration([['shop', '0002_fk']], [fk(', related_name="orders"').replace('"shop.customer"', '"shop.Customer"')]),
      'shop/migrations/0003a_proxy.py': migration(
        [['shop', '0003_same']],
        ['migrations.CreateModel(name="Vip", fields=[], options={"proxy": True}, bases=("shop.customer",))', fk().replace('"shop.customer"', '"shop.vip"')],
      ),
      'shop/migrations/0003b_back.py': migration([['shop', '0003a_proxy']], [fk()]),
      'shop/migrations/0003c_other.py': migration(
        [['shop', '0003b_back']],
        ['migrations.CreateModel(name="Account", fields=[("id", models.AutoField(primary_key=True))])', fk().replace('"shop.customer"', '"shop.account"')],
      ),
      'shop/migrations/0004_off.py': migration([['shop', '0003c_other']], [fk(', db_constraint=False')]),
      'shop/migrations/0005_quiet.py': migration([['shop', '0004_off']], [`# migration-lens: ignore ML704\n        ${fk()}`]),
      'shop/migrations/0006_off.py': migration([['shop', '0005_quiet']], [fk(', db_constraint=False')]),
      'shop/migrations/0007_on.py': migration([['shop', '0006_off']], [fk()]),
      'shop/migrations/0008_new_table.py': migration(
        [['shop', '0007_on']],
        [
          'migrations.CreateModel(name="Note", fields=[("id", models.AutoField(primary_key=True)), ("ref", models.IntegerField())])',
          'migrations.AlterField("note", "ref", models.ForeignKey(on_delete=models.CASCADE, to="shop.order"))',
        ],
      ),
    });
    const ws = await analyze(root);
    const ml704 = (rel: string) => findingsOf(ws, root, `shop/migrations/${rel}`, 'ML704');
    const [finding] = ml704('0002_fk.py');
    assert.match(
      messageWithHelp(finding),
      /^AlterField Order\.customer adds a FOREIGN KEY constraint to a column that already holds data: on PostgreSQL it checks every row while writes to shop_order and crm_customer wait/,
    );
    assert.match(messageWithHelp(finding), /ADD CONSTRAINT "shop_order_customer_id_fk" FOREIGN KEY \("customer_id"\) REFERENCES "crm_customer" \("id"\) DEFERRABLE INITIALLY DEFERRED NOT VALID/);
    assert.match(messageWithHelp(finding), /VALIDATE CONSTRAINT "shop_order_customer_id_fk"/);
    covered('ML704', 'positive');
    assert.deepStrictEqual(ml704('0003_same.py'), [], 'the constraint is already there');
    covered('ML704', 'negative');
    assert.deepStrictEqual(ml704('0003a_proxy.py').concat(ml704('0003b_back.py')), [], "a proxy has its concrete model's table");
    assert.match(ml704('0003c_other.py')[0]?.message ?? '', /writes to shop_order and shop_account wait/);
    assert.deepStrictEqual(ml704('0004_off.py'), [], 'db_constraint=False drops it: nothing to check');
    assert.strictEqual(withoutIgnore(ws, root, 'shop/migrations/0005_quiet.py', 'ML704').length, 1, 'reported without the comment');
    assert.deepStrictEqual(ml704('0005_quiet.py'), [], 'suppressed');
    covered('ML704', 'suppressed');
    assert.strictEqual(ml704('0007_on.py').length, 1, 'db_constraint turned back on');
    assert.deepStrictEqual(ml704('0008_new_table.py'), [], 'a table created in the migration has no rows');
    // The impact says the same: the table and the referenced one locked against writes, the rows read.
    ws.setEngine(undefined, { name: 'postgresql', version: '15' }, 'test');
    assert.deepStrictEqual(
      ws.impacts(path.join(root, 'shop/migrations/0002_fk.py'))[0].impacts.map((i) => [i.table, i.lock, i.scan, i.blocks.join('+')]),
      [
        ['shop_order', 'SHARE ROW EXCLUSIVE', true, 'writes'],
        ['crm_customer', 'SHARE ROW EXCLUSIVE', false, 'writes'],
      ],
    );
    ws.setEngine(undefined, { name: 'mariadb', version: '10.11' }, 'test');
    assert.deepStrictEqual(ml704('0002_fk.py'), [], 'PostgreSQL only');
  });

  it('ML705: ACCESS EXCLUSIVE on an existing table without a lock_timeout, once per migration; quiet where the migration or the settings set one', async () => {
    const files = {
      'shop/migrations/__init__.py': '',
      'shop/migrations/0001_initial.py': migration([], [ORDER, 'migrations.AddField("order", "a", models.IntegerField(null=True))']),
      'shop/migrations/0002_two.py': migration(
        [['shop', '0001_initial']],
        [
          'migrations.AddIndex("order", models.Index(fields=["qty"], name="order_qty_idx"))',
          'migrations.AddField("order", "b", models.IntegerField(null=True))',
          'migrations.RemoveField("order", "a")',
        ],
      ),
      'shop/migrations/0003_timeout.py': migration(
        [['shop', '0002_two']],
        ['migrations.RunSQL("SET LOCAL lock_timeout = \'3s\'", migrations.RunSQL.noop)', 'migrations.AddField("order", "c", models.IntegerField(null=True))'],
      ),
      'shop/migrations/0004_quiet.py': migration([['shop', '0003_timeout']], ['# migration-lens: ignore ML705\n        migrations.AddField("order", "d", models.IntegerField(null=True))']),
      'shop/migrations/0005_index.py': migration([['shop', '0004_quiet']], ['migrations.AddIndex("order", models.Index(fields=["title"], name="order_title_idx"))']),
    };
    const root = writeProject(files);
    const ws = await analyze(root);
    const ml705 = (rel: string) => findingsOf(ws, root, `shop/migrations/${rel}`, 'ML705');
    assert.deepStrictEqual(ml705('0002_two.py'), [], 'PostgreSQL only assumed: nothing');
    ws.setEngine(undefined, { name: 'postgresql', version: '15' }, 'test');
    assert.deepStrictEqual(ml705('0001_initial.py'), [], 'a table created in the migration: no one waits on it');
    const found = ml705('0002_two.py');
    assert.strictEqual(found.length, 1, 'once per migration');
    assert.match(messageWithHelp(found[0]), /^AddField takes ACCESS EXCLUSIVE on shop_order, with no lock_timeout/);
    covered('ML705', 'positive');
    assert.deepStrictEqual(ml705('0003_timeout.py'), [], 'the migration sets its own');
    covered('ML705', 'negative');
    assert.strictEqual(withoutIgnore(ws, root, 'shop/migrations/0004_quiet.py', 'ML705').length, 1, 'reported without the comment');
    assert.deepStrictEqual(ml705('0004_quiet.py'), [], 'suppressed');
    covered('ML705', 'suppressed');
    assert.deepStrictEqual(ml705('0005_index.py'), [], 'CREATE INDEX takes SHARE: reads go on (ML302 says the rest)');
    // The quick fix: SET LOCAL as the first operation.
    const file = path.join(root, 'shop/migrations/0002_two.py');
    const [fix] = RULES_BY_CODE.get('ML705')!.fixes!(ml705('0002_two.py')[0], ws.context(file)!);
    const fixed = applyEdits(fs.readFileSync(file, 'utf8'), fix.edits!);
    assert.match(fixed, /operations = \[\n {8}migrations\.RunSQL\("SET LOCAL lock_timeout = '5s'", migrations\.RunSQL\.noop\),\n {8}migrations\.AddIndex\(/);
    ws.update(file, fixed);
    assert.deepStrictEqual(ml705('0002_two.py'), [], 'fixed');
    ws.setEngine(undefined, { name: 'mariadb', version: '10.11' }, 'test');
    assert.deepStrictEqual(ml705('0005_index.py').concat(ml705('0001_initial.py')), [], 'PostgreSQL only');
    // A settings module that sets lock_timeout for the connection quiets the whole project.
    const withSettings = async (settings: string) => {
      const other = writeProject({ ...files, 'proj/settings.py': settings });
      const w = await analyze(other);
      w.setEngine(undefined, { name: 'postgresql', version: '15' }, 'test');
      return findingsOf(w, other, 'shop/migrations/0002_two.py', 'ML705');
    };
    assert.deepStrictEqual(await withSettings('DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {"options": "-c lock_timeout=5s"}}}\n'), []);
    // ...and a commented-out line does not.
    assert.strictEqual((await withSettings('# OPTIONS = {"options": "-c lock_timeout=5s"}\n')).length, 1);
  });

  it('ML706: a stored generated column or a per-row db_default rewrites an existing table; a constant, Now() or a new table does not', async () => {
    const GENERATED = 'migrations.AddField("order", "double", models.GeneratedField(expression=models.F("qty") * 2, output_field=models.IntegerField(), db_persist=True))';
    const root = writeProject({
      'shop/migrations/__init__.py': '',
      'shop/migrations/0001_initial.py': migration([], [ORDER, GENERATED.replace('"double"', '"triple"')]),
      'shop/migrations/0002_columns.py': migration(
        [['shop', '0001_initial']],
        [
          GENERATED,
          'migrations.AddField("order", "token", models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID()))',
          'migrations.AddField("order", "score", models.FloatField(db_default=models.functions.Random()))',
          'migrations.AddField("order", "at", models.DateTimeField(db_default=models.functions.Now()))',
          'migrations.AddField("order", "n", models.IntegerField(db_default=0))',
          'migrations.AddField("order", "virtual", models.GeneratedField(expression=models.F("qty") * 3, output_field=models.IntegerField(), db_persist=False))',
        ],
      ),
      'shop/migrations/0003_quiet.py': migration([['shop', '0002_columns']], [`# migration-lens: ignore ML706\n        ${GENERATED.replace('"double"', '"quad"')}`]),
    });
    const ws = await analyze(root);
    const ml706 = (rel: string) => findingsOf(ws, root, `shop/migrations/${rel}`, 'ML706');
    assert.deepStrictEqual(
      ml706('0002_columns.py').map((f) => f.data?.field),
      ['double', 'token', 'score'],
    );
    covered('ML706', 'positive');
    assert.match(
      messageWithHelp(ml706('0002_columns.py')[1]),
      /^AddField Order\.token adds a column whose database default differs per row \(RandomUUID\(\)\): every existing row gets a value\. On PostgreSQL 15: ACCESS EXCLUSIVE lock on shop_order and rewrites it/,
    );
    assert.deepStrictEqual(ml706('0001_initial.py'), [], 'a new table has no rows');
    covered('ML706', 'negative');
    assert.strictEqual(withoutIgnore(ws, root, 'shop/migrations/0003_quiet.py', 'ML706').length, 1, 'reported without the comment');
    assert.deepStrictEqual(ml706('0003_quiet.py'), [], 'suppressed');
    covered('ML706', 'suppressed');
    // MariaDB copies the table for a stored generated column and adds a per-row default INSTANT (observed).
    ws.setEngine(undefined, { name: 'mariadb', version: '10.11' }, 'test');
    assert.deepStrictEqual(
      ml706('0002_columns.py').map((f) => f.data?.field),
      ['double'],
    );
    ws.setEngine(undefined, { name: 'sqlite' }, 'test');
    assert.deepStrictEqual(ml706('0002_columns.py'), [], 'SQLite rebuilds tables for most changes: ML701 says when it matters');
  });

  it('ML702: several schema operations in one migration, on MySQL/MariaDB only; one operation or a suppression says nothing', async () => {
    const root = writeProject({
      'shop/migrations/__init__.py': '',
      'shop/migrations/0001_initial.py': migration([], [ORDER]),
      'shop/migrations/0002_two.py': migration(
        [['shop', '0001_initial']],
        ['migrations.AddField("order", "a", models.IntegerField(null=True))', 'migrations.AlterField("order", "title", models.CharField(max_length=50, unique=True))'],
      ),
      'shop/migrations/0003_one.py': migration([['shop', '0002_two']], ['migrations.AddField("order", "b", models.IntegerField(null=True))', 'migrations.RunPython(migrations.RunPython.noop)']),
      'shop/migrations/0004_quiet.py': migration(
        [['shop', '0003_one']],
        ['# migration-lens: ignore ML702\n        migrations.AddField("order", "c", models.IntegerField(null=True))', 'migrations.RemoveField("order", "a")'],
      ),
    });
    const ws = await analyze(root);
    const ml702 = (rel: string) => findingsOf(ws, root, `shop/migrations/${rel}`, 'ML702');
    assert.deepStrictEqual(ml702('0002_two.py'), [], 'engine unknown: nothing');
    ws.setEngine(undefined, { name: 'postgresql', version: '15' }, 'test');
    assert.deepStrictEqual(ml702('0002_two.py'), [], 'PostgreSQL rolls the whole migration back');
    ws.setEngine(undefined, { name: 'mariadb', version: '10.11' }, 'test');
    assert.match(ml702('0002_two.py')[0]?.message ?? '', /^2 schema operations in one migration on MariaDB 10\.11: each DDL statement commits as it runs/);
    covered('ML702', 'positive');
    assert.deepStrictEqual(ml702('0003_one.py'), [], 'one schema operation and a data step');
    covered('ML702', 'negative');
    assert.strictEqual(withoutIgnore(ws, root, 'shop/migrations/0004_quiet.py', 'ML702').length, 1, 'reported without the comment');
    assert.deepStrictEqual(ml702('0004_quiet.py'), [], 'suppressed');
    covered('ML702', 'suppressed');
    assert.deepStrictEqual(ml702('0001_initial.py'), [], 'new tables only');
  });

  it('reads what newer Django writes: db_default, GeneratedField, db_comment, CompositePrimaryKey', async () => {
    const root = writeProject({
      'shop/migrations/__init__.py': '',
      'shop/migrations/0001_initial.py': migration([], [ORDER]),
      'shop/migrations/0002_new.py': migration(
        [['shop', '0001_initial']],
        [
          'migrations.AddField("order", "n", models.IntegerField(db_default=0))',
          'migrations.AddField("order", "double", models.GeneratedField(expression=models.F("qty") * 2, output_field=models.IntegerField(), db_persist=True))',
          'migrations.AlterField("order", "qty", models.IntegerField(db_comment="how many"))',
          'migrations.CreateModel(name="Line", fields=[("order_id", models.IntegerField()), ("n", models.IntegerField()), ("pk", models.CompositePrimaryKey("order_id", "n"))])',
        ],
      ),
    });
    const ws = await analyze(root);
    const rel = 'shop/migrations/0002_new.py';
    // A database default fills old inserts; the database computes a generated column: no ML204.
    assert.deepStrictEqual(
      findingsOf(ws, root, rel)
        .filter((f) => /^ML(20|10)/.test(f.code))
        .map((f) => f.code),
      [],
    );
    ws.setEngine(undefined, { name: 'postgresql', version: '15' }, 'test');
    const impacts = ws.impacts(path.join(root, rel)).map((i) => [i.operation, i.impacts[0].lock, !!i.impacts[0].rewrite]);
    // Measured on PostgreSQL 15 (docs/impact.md): a constant db_default is kept in the catalog; a
    // stored generated column writes every row; a comment takes ACCESS EXCLUSIVE briefly.
    assert.deepStrictEqual(impacts, [
      [0, 'ACCESS EXCLUSIVE', false],
      [1, 'ACCESS EXCLUSIVE', true],
      [2, 'ACCESS EXCLUSIVE', false],
    ]);
  });

  it('check --engine writes the impact into the JSON; a wrong engine is a usage error', () => {
    const root = writeProject({
      'shop/migrations/__init__.py': '',
      'shop/migrations/0001_initial.py': migration([], [ORDER]),
      'shop/migrations/0002_qty.py': migration([['shop', '0001_initial']], ['migrations.AlterField("order", "qty", models.BigIntegerField())']),
    });
    const run = (...args: string[]) => cp.spawnSync(process.execPath, [CLI, 'check', root, '--format', 'json', ...args], { encoding: 'utf8' });
    const out = JSON.parse(run('--engine', 'mariadb:10.11').stdout);
    const impact = out.files.find((f: { migration: string }) => f.migration === 'shop.0002_qty').impact;
    assert.deepStrictEqual(
      impact.map((i: Record<string, unknown>) => ({ ...i, description: undefined })),
      [
        {
          operation: 0,
          engine: 'mariadb',
          version: '10.11',
          assumed: false,
          table: 'shop_order',
          lock: null,
          algorithm: 'COPY',
          rebuild: false,
          rewrite: true,
          scan: true,
          blocks: ['writes'],
          rows: null,
          bytes: null,
          description: undefined,
        },
      ],
    );
    const assumed = JSON.parse(run().stdout).files.find((f: { migration: string }) => f.migration === 'shop.0002_qty').impact[0];
    assert.deepStrictEqual([assumed.engine, assumed.assumed, assumed.lock, assumed.rewrite], ['postgresql', true, 'ACCESS EXCLUSIVE', true]);
    const bad = run('--engine', 'oracle');
    assert.strictEqual(bad.status, 2);
    assert.match(bad.stderr, /--engine takes postgresql, mysql, mariadb or sqlite/);
  });
});
