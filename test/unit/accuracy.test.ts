// Classes of errors found on real projects, each as a minimal case: what Django really does to the
// database decides whether a finding is raised and what it says.
import { messageWithHelp } from '../../server/src/analysis/risk';
import * as assert from 'assert';
import * as fs from 'fs';
import { chain, ORDER, Step } from '../helpers/chain';
import { analyze, findingsOf, writeProject } from '../helpers/project';
import { sharesStem } from '../../server/src/analysis/renames';
import type { Finding } from '../../server/src/rules/types';

const roots: string[] = [];
after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

/** Findings of the last migration of a chain in app `orders`. */
async function lastFindings(...steps: Step[]): Promise<Finding[]> {
  const files = chain(...steps);
  const root = writeProject(files);
  roots.push(root);
  const ws = await analyze(root);
  return findingsOf(ws, root, Object.keys(files).sort().pop()!);
}

async function projectFindings(files: Record<string, string>, rel: string): Promise<Finding[]> {
  const root = writeProject(files);
  roots.push(root);
  return findingsOf(await analyze(root), root, rel);
}

const codes = (fs: Finding[]) => fs.map((f) => f.code).sort();
const only = (fs: Finding[], code: string) => fs.filter((f) => f.code === code);

const CUSTOMER = `migrations.CreateModel(name="Customer", fields=[("id", models.AutoField(primary_key=True))])`;
const TOKEN = `migrations.CreateModel(name="Token", fields=[("id", models.UUIDField(primary_key=True))])`;

describe('accuracy on real-project patterns', () => {
  describe('proxy and unmanaged models have no table of their own', () => {
    const PROXY = 'migrations.CreateModel(name="OpenOrder", fields=[], options={"proxy": True}, bases=("orders.order",))';
    const VIEW =
      'migrations.CreateModel(name="Report", fields=[("id", models.AutoField(primary_key=True)), ("total", models.CharField(max_length=20))], options={"managed": False, "db_table": "report_view"})';

    it('DeleteModel of a proxy drops nothing; of a real model it does', async () => {
      assert.deepStrictEqual(codes(await lastFindings([ORDER, PROXY], ['migrations.DeleteModel(name="OpenOrder")'])), []);
      assert.deepStrictEqual(codes(await lastFindings([ORDER], ['migrations.DeleteModel(name="Order")'])), ['ML102']);
    });

    it('AlterField and RemoveField on an unmanaged model change nothing; CreateModel of one adds no table', async () => {
      assert.deepStrictEqual(codes(await lastFindings([VIEW], ['migrations.AlterField(model_name="report", name="total", field=models.IntegerField())'])), []);
      assert.deepStrictEqual(codes(await lastFindings([VIEW], ['migrations.RemoveField(model_name="report", name="total")'])), []);
      assert.deepStrictEqual(codes(await lastFindings([VIEW])), []);
    });

    it('a model made unmanaged by AlterModelOptions is followed; managed again, it is judged again', async () => {
      const unmanage = 'migrations.AlterModelOptions(name="order", options={"managed": False})';
      assert.deepStrictEqual(codes(await lastFindings([ORDER], [unmanage], ['migrations.RemoveField(model_name="order", name="note")'])), []);
      const manage = 'migrations.AlterModelOptions(name="order", options={})';
      assert.deepStrictEqual(codes(await lastFindings([ORDER], [unmanage], [manage], ['migrations.RemoveField(model_name="order", name="note")'])), ['ML101']);
    });
  });

  describe("a ForeignKey column has its target's key type", () => {
    it('IntegerField -> ForeignKey to an integer key and UUIDField -> ForeignKey to a UUID key are no type change', async () => {
      const intToFk = await lastFindings(
        [CUSTOMER, ORDER.replace('("qty", models.IntegerField(default=1)),', '("qty", models.IntegerField(default=1)),\n                ("customer", models.IntegerField()),')],
        ['migrations.AlterField(model_name="order", name="customer", field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="orders.customer"))'],
      );
      assert.deepStrictEqual(only(intToFk, 'ML103'), []);
      const uuidToFk = await lastFindings(
        [TOKEN, ORDER.replace('("qty", models.IntegerField(default=1)),', '("qty", models.IntegerField(default=1)),\n                ("token", models.UUIDField()),')],
        ['migrations.AlterField(model_name="order", name="token", field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="orders.token"))'],
      );
      assert.deepStrictEqual(only(uuidToFk, 'ML103'), []);
    });

    it('a ForeignKey to an auto key renamed and made a positive integer: one ML201 at the rename, no ML106 (ids are positive)', async () => {
      const withFk = ORDER.replace(
        '("qty", models.IntegerField(default=1)),',
        '("qty", models.IntegerField(default=1)),\n                ("customer", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="orders.customer")),',
      );
      const f = await lastFindings(
        [CUSTOMER, withFk],
        ['migrations.RenameField(model_name="order", old_name="customer", new_name="member_id")', 'migrations.AlterField(model_name="order", name="member_id", field=models.PositiveIntegerField())'],
      );
      assert.deepStrictEqual(
        only(f, 'ML201').map((x) => x.message.slice(0, 70)),
        ['RenameField order.customer -> member_id renames column "customer_id" t'],
      );
      assert.deepStrictEqual(only(f, 'ML106'), []);
      // Narrower than the key (a big auto key into a 32-bit positive integer): ML106 stays.
      const big = `migrations.CreateModel(name="Customer", fields=[("id", models.BigAutoField(primary_key=True))])`;
      const g = await lastFindings([big, withFk], ['migrations.AlterField(model_name="order", name="customer", field=models.PositiveIntegerField())']);
      assert.strictEqual(only(g, 'ML106').length, 1);
    });

    it('CharField -> ForeignKey to an integer key is a type change, named by its columns', async () => {
      const f = await lastFindings(
        [CUSTOMER, ORDER],
        ['migrations.AlterField(model_name="order", name="code", field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="orders.customer"))'],
      );
      assert.match(only(f, 'ML103')[0]?.message ?? '', /CharField -> ForeignKey: column CharField -> IntegerField/);
    });

    it('a ForeignKey to a BigAutoField key from an IntegerField widens; the other way narrows (ML106)', async () => {
      const BIG = 'migrations.CreateModel(name="Big", fields=[("id", models.BigAutoField(primary_key=True))])';
      const widen = await lastFindings([BIG, ORDER], ['migrations.AlterField(model_name="order", name="qty", field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="orders.big"))']);
      assert.deepStrictEqual(
        codes(widen).filter((c) => /^ML10/.test(c)),
        [],
      );
      const narrow = await lastFindings(
        [BIG, ORDER.replace('("qty", models.IntegerField(default=1)),', '("big", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="orders.big")),')],
        ['migrations.AlterField(model_name="order", name="big", field=models.IntegerField())'],
      );
      assert.match(only(narrow, 'ML106')[0]?.message ?? '', /ForeignKey -> IntegerField: column BigIntegerField -> IntegerField/);
    });

    it('a ForeignKey subclass (a class with on_delete) has a <name>_id column: RenameField says so', async () => {
      const fk = 'models.ForeignKeyWithAutoRelatedName(on_delete=django.db.models.deletion.CASCADE, to="orders.customer")';
      const f = await lastFindings(
        [CUSTOMER, ORDER],
        [`migrations.AddField(model_name="order", name="buyer", field=${fk.replace(')', ', null=True)')})`],
        ['migrations.RenameField(model_name="order", old_name="buyer", new_name="customer")'],
      );
      const [rename] = only(f, 'ML201');
      assert.ok(rename, 'ML201 on the rename');
      assert.match(messageWithHelp(rename), /renames column "buyer_id" to "customer_id"[\s\S]*db_column="buyer_id"/);
    });
  });

  it('Null*Field classes are nullable: no NOT NULL finding on AddField, ML202 when made NOT NULL', async () => {
    assert.deepStrictEqual(codes(await lastFindings([ORDER], ['migrations.AddField(model_name="order", name="alias", field=myfields.NullCharField(max_length=20))'])), ['ML301']);
    const f = await lastFindings(
      [ORDER],
      ['migrations.AddField(model_name="order", name="paid", field=models.NullBooleanField())'],
      ['migrations.AlterField(model_name="order", name="paid", field=models.BooleanField())'],
    );
    assert.deepStrictEqual(codes(f), ['ML202']);
  });

  describe('names defined in the class body', () => {
    it('state_operations / database_operations class attributes are followed: a destructive RunSQL inside is found', async () => {
      const text = [
        'from django.db import migrations, models',
        '',
        'class Migration(migrations.Migration):',
        '    dependencies = [("orders", "0001_m1")]',
        '    database_operations = [migrations.RunSQL("DROP TABLE legacy_orders", reverse_sql=migrations.RunSQL.noop)]',
        '    state_operations = [migrations.DeleteModel(name="Order")]',
        '    operations = [',
        '        migrations.SeparateDatabaseAndState(state_operations=state_operations, database_operations=database_operations),',
        '    ]',
        '',
      ].join('\n');
      const files = { ...chain([ORDER]), 'orders/migrations/0002_m2.py': text };
      const f = await projectFindings(files, 'orders/migrations/0002_m2.py');
      assert.deepStrictEqual(codes(f), ['ML104']);
    });

    it('**options defined in the class body are read as keyword arguments', async () => {
      const text = [
        'from django.db import migrations, models',
        '',
        'class Migration(migrations.Migration):',
        '    dependencies = [("orders", "0001_m1")]',
        '    options = dict(model_name="order", name="note")',
        '    operations = [migrations.RemoveField(**options)]',
        '',
      ].join('\n');
      const f = await projectFindings({ ...chain([ORDER]), 'orders/migrations/0002_m2.py': text }, 'orders/migrations/0002_m2.py');
      assert.deepStrictEqual(codes(f), ['ML101']);
      assert.match(messageWithHelp(f[0]), /RemoveField order\.note/);
    });
  });

  describe('ML105 needs evidence of a rename', () => {
    it('names that share a stem, and names that do not', () => {
      for (const [a, b] of [
        ['note', 'order_note'],
        ['shipping_cost', 'cost_of_shipping'],
        ['adress', 'address'],
        ['user', 'users'],
      ]) {
        assert.ok(sharesStem(a, b), `${a} ~ ${b}`);
      }
      for (const [a, b] of [
        ['is_active', 'is_staff'],
        ['note', 'comment'],
        ['created', 'updated'],
        ['name', 'title'],
      ]) {
        assert.ok(!sharesStem(a, b), `${a} !~ ${b}`);
      }
    });

    it('two unrelated BooleanFields swapped in one migration are not a rename', async () => {
      const f = await lastFindings(
        [ORDER.replace('("qty", models.IntegerField(default=1)),', '("qty", models.IntegerField(default=1)),\n                ("is_gift", models.BooleanField(default=False)),')],
        ['migrations.RemoveField(model_name="order", name="is_gift")', 'migrations.AddField(model_name="order", name="is_paid", field=models.BooleanField(default=False))'],
      );
      assert.deepStrictEqual(only(f, 'ML105'), []);
    });
  });

  describe('ML403 only for models a data function uses at run time', () => {
    const file = (imports: string, body: string, extraOps = '') =>
      [
        'from django.db import migrations, models',
        imports,
        '',
        'def forwards(apps, schema_editor):',
        body,
        '',
        'class Migration(migrations.Migration):',
        '    dependencies = [("orders", "0001_m1")]',
        `    operations = [${extraOps}migrations.RunPython(forwards, migrations.RunPython.noop)]`,
        '',
      ].join('\n');
    const run = (text: string) => projectFindings({ ...chain([ORDER]), 'orders/migrations/0002_m2.py': text }, 'orders/migrations/0002_m2.py').then((f) => only(f, 'ML403'));

    it('flags a model class queried in the function, with the real app label for a relative import', async () => {
      const f = await run(file('from ..models import Order', '    Order.objects.update(qty=1)'));
      assert.strictEqual(f.length, 1);
      assert.match(messageWithHelp(f[0]), /Order = apps\.get_model\("orders", "Order"\)/);
    });

    it('is quiet for a type hint, a manager in CreateModel, model_to_dict, a class constant and an unused import', async () => {
      assert.deepStrictEqual(await run(file('from orders.models import Order', '    x: "Order" = None\n    apps.get_model("orders", "Order").objects.update(qty=1)')), []);
      assert.deepStrictEqual(await run(file('from orders.models import OrderManager', '    pass', 'migrations.AlterModelManagers(name="order", managers=[("objects", OrderManager())]), ')), []);
      assert.deepStrictEqual(await run(file('from django.forms.models import model_to_dict', '    model_to_dict(None)')), []);
      assert.deepStrictEqual(await run(file('from orders.models import Order', '    status = Order.NEW')), []);
      assert.deepStrictEqual(await run(file('from orders.models import Order', '    pass')), []);
      assert.deepStrictEqual(await run(file('from orders.models import Order', '    Order = apps.get_model("orders", "Order")\n    Order.objects.update(qty=1)')), []);
      assert.deepStrictEqual(await run(file('import mptt.models', '    isinstance(None, mptt.models.MPTTModel)')), []);
      assert.strictEqual((await run(file('from orders import models', '    models.Order.objects.update(qty=1)'))).length, 1);
    });

    it('follows a helper the RunPython function calls', async () => {
      const text = file('from orders.models import Order', '    helper()').replace('def forwards', 'def helper():\n    Order.objects.all().delete()\n\n\ndef forwards');
      assert.strictEqual((await run(text)).length, 1);
    });
  });

  it('a squashed migration keeps its data risks as moot information that says why', async () => {
    const squash = [
      'from django.db import migrations, models',
      '',
      'class Migration(migrations.Migration):',
      '    replaces = [("orders", "0002_a"), ("orders", "0003_b")]',
      '    dependencies = [("orders", "0001_m1")]',
      '    operations = [migrations.RemoveField(model_name="order", name="note"), migrations.RunPython(lambda a, s: None)]',
      '',
    ].join('\n');
    const f = await projectFindings({ ...chain([ORDER]), 'orders/migrations/0002_squashed_0003.py': squash }, 'orders/migrations/0002_squashed_0003.py');
    const ml101 = only(f, 'ML101')[0];
    assert.ok(ml101?.moot, 'ML101 is moot in a squash');
    assert.match(messageWithHelp(ml101), /Not a risk here: this squashed migration replaces 2 migrations and runs only on a database that has applied none of them/);
    assert.ok(!only(f, 'ML401')[0]?.moot, 'irreversibility still counts in a squash');
    // Its `replaces` removed once the transition is over (BookWyrm 0006_..._squashed_0064_...): still only for new databases.
    const done = squash.replace('    replaces = [("orders", "0002_a"), ("orders", "0003_b")]\n', '');
    const g = await projectFindings({ ...chain([ORDER]), 'orders/migrations/0002_x_squashed_0003_y.py': done }, 'orders/migrations/0002_x_squashed_0003_y.py');
    assert.match(only(g, 'ML101')[0]?.moot ?? '', /no longer lists what it replaced/);
    // A name that only mentions squashing is not a squash.
    const plain = await projectFindings({ ...chain([ORDER]), 'orders/migrations/0002_fix_squashed_rows.py': done }, 'orders/migrations/0002_fix_squashed_rows.py');
    assert.strictEqual(only(plain, 'ML101')[0]?.moot, undefined);
  });

  describe('deploy phases', () => {
    const marked = (line: string, imp: string) =>
      [
        'from django.db import migrations, models',
        imp,
        '',
        'class Migration(migrations.Migration):',
        '    dependencies = [("orders", "0001_m1")]',
        `    ${line}`,
        '    operations = [migrations.RemoveField(model_name="order", name="note")]',
        '',
      ].join('\n');
    const run = (line: string, imp = '') =>
      projectFindings({ ...chain([ORDER]), 'orders/migrations/0002_m2.py': marked(line, imp) }, 'orders/migrations/0002_m2.py').then((f) => only(f, 'ML101')[0].message);

    it('after the deploy: no claim that the running release fails; the data loss is the risk', async () => {
      const m = await run('safe = Safe.after_deploy()', 'from django_safemigrate import Safe');
      assert.match(m, /It runs after the deploy \(`Safe\.after_deploy\(\)`\), once no running code uses it/);
      assert.doesNotMatch(m, /release still running/);
      assert.match(await run('stage = Stage.POST_DEPLOY', 'from syzygy import Stage'), /runs after the deploy \(`Stage\.POST_DEPLOY`\)/);
    });

    it("a version guard operation (pulpcore's RequireVersion) means the running release is already the new one", async () => {
      const text = marked('', 'from pulpcore.migrations import RequireVersion').replace(
        'operations = [migrations.RemoveField(',
        'operations = [RequireVersion("core", "3.87"), migrations.RemoveField(',
      );
      const [f] = only(await projectFindings({ ...chain([ORDER]), 'orders/migrations/0002_m2.py': text }, 'orders/migrations/0002_m2.py'), 'ML101');
      assert.match(messageWithHelp(f), /It runs after the deploy \(`RequireVersion\("core", "3\.87"\)`\), once no running code uses it/);
      assert.doesNotMatch(messageWithHelp(f), /release still running/);
    });

    it('before the deploy: the real danger, said so', async () => {
      assert.match(await run('safe = Safe.before_deploy()'), /runs before the deploy \(`Safe\.before_deploy\(\)`\): the release still serving uses it and fails/);
      assert.match(await run('stage = Stage.PRE_DEPLOY'), /runs before the deploy/);
    });

    it('unmarked: the release still running during the deploy', async () => {
      assert.match(await run('initial = False'), /release still running during the deploy fails on it/);
    });
  });

  describe('the reason is true', () => {
    it("ML204 on a blank CharField: Django fills '' and the migration passes; the safe way keeps '' in the database, never null=True", async () => {
      const f = only(await lastFindings([ORDER], ['migrations.AddField(model_name="order", name="ref", field=models.CharField(max_length=20, blank=True))']), 'ML204')[0];
      assert.match(messageWithHelp(f), /Django fills the existing rows with '' and then drops the default, so the migration passes, but inserts from the release still running/);
      assert.match(messageWithHelp(f), /db_default=''/);
      assert.match(messageWithHelp(f), /SET DEFAULT \\'\\'/);
      assert.doesNotMatch(messageWithHelp(f), /null=True/);
    });

    it("ML204's older-Django alternative is written for the engine: PostgreSQL's quotes, MySQL's backticks, none on SQLite", async () => {
      const files = chain([ORDER], ['migrations.AddField(model_name="order", name="ref", field=models.CharField(max_length=20, blank=True))']);
      const root = writeProject(files);
      roots.push(root);
      const ws = await analyze(root);
      const message = (engine?: 'postgresql' | 'mariadb' | 'sqlite') => {
        ws.setEngine(undefined, engine && { name: engine }, 'test');
        return messageWithHelp(only(findingsOf(ws, root, 'orders/migrations/0002_m2.py'), 'ML204')[0]);
      };
      assert.match(
        message(),
        /older Django: keep a database default until the next release \(PostgreSQL; MySQL quotes with backticks\)\n\s+migrations\.RunSQL\('ALTER TABLE "orders_order" ALTER COLUMN "ref"/,
      );
      assert.match(message('postgresql'), /RunSQL\('ALTER TABLE "orders_order" ALTER COLUMN "ref" SET DEFAULT/);
      assert.match(message('mariadb'), /RunSQL\('ALTER TABLE `orders_order` ALTER COLUMN `ref` SET DEFAULT/);
      assert.doesNotMatch(message('sqlite'), /RunSQL/);
      assert.match(message('sqlite'), /older Django on SQLite: no ALTER COLUMN \.\.\. SET DEFAULT there/);
    });

    it('ML204 on auto_now_add: filled with the current time; db_default=Now()', async () => {
      const f = only(await lastFindings([ORDER], ['migrations.AddField(model_name="order", name="created", field=models.DateTimeField(auto_now_add=True))']), 'ML204')[0];
      assert.match(messageWithHelp(f), /fills the existing rows with the current time/);
      assert.match(messageWithHelp(f), /db_default=Now\(\)/);
    });

    it('ML204 without any default: the migration fails on rows', async () => {
      const f = only(await lastFindings([ORDER], ['migrations.AddField(model_name="order", name="ref", field=models.CharField(max_length=20))']), 'ML204')[0];
      assert.match(messageWithHelp(f), /without a default: the migration fails on a table that has rows/);
    });

    it('ML202 with a new default: migrate passes, the old release may write NULL; quiet when the old field had a default too', async () => {
      const f = only(await lastFindings([ORDER], ['migrations.AlterField(model_name="order", name="note", field=models.TextField(default=""))']), 'ML202')[0];
      assert.match(messageWithHelp(f), /the migration passes \(Django first sets the NULL rows to the new default\), but the release still running/);
      assert.strictEqual(f.data?.probe, undefined, 'no NULL-row count: the NULLs do not fail this migration');
      const withDefault = ORDER.replace('models.TextField(null=True)', 'models.JSONField(null=True, default=dict)');
      assert.deepStrictEqual(only(await lastFindings([withDefault], ['migrations.AlterField(model_name="order", name="note", field=models.JSONField(default=dict, db_default={}))']), 'ML202'), []);
    });

    it('ML202 is quiet on a column nullable only between two operations of one migration, and after a fill by a helper named for the field in the plural', async () => {
      const roundTrip = [
        'migrations.AlterField(model_name="order", name="qty", field=models.IntegerField(null=True))',
        'migrations.AlterField(model_name="order", name="qty", field=models.IntegerField())',
      ];
      assert.deepStrictEqual(only(await lastFindings([ORDER], roundTrip), 'ML202'), []);
      // A column nullable before the migration stays a finding.
      const NULLABLE_QTY = ORDER.replace('models.IntegerField(default=1)', 'models.IntegerField(null=True)');
      assert.strictEqual(only(await lastFindings([NULLABLE_QTY], roundTrip), 'ML202').length, 1);
      const notNull = 'migrations.AlterField(model_name="order", name="note", field=models.TextField())';
      const fill = {
        head: 'def fill(apps, schema_editor):\n    fixup_null_notes(apps.get_model("orders", "Order"))\n',
        ops: ['migrations.RunPython(fill, migrations.RunPython.noop)'],
      };
      assert.deepStrictEqual(only(await lastFindings([ORDER], fill, [notNull]), 'ML202'), []);
      const other = { ...fill, head: fill.head.replace('fixup_null_notes', 'fixup_null_notices') };
      assert.strictEqual(only(await lastFindings([ORDER], other, [notNull]), 'ML202').length, 1, 'another name');
    });

    it('ML204 without a default after a step that deletes every row: the migration passes, the running release fails', async () => {
      const empty = {
        head: 'def empty(apps, schema_editor):\n    Order = apps.get_model("orders", "Order")\n    Order.objects.all().delete()\n',
        ops: ['migrations.RunPython(empty, migrations.RunPython.noop)'],
      };
      const add = ['migrations.AddField(model_name="order", name="ref", field=models.IntegerField())'];
      const [f] = only(await lastFindings([ORDER], empty, add), 'ML204');
      assert.match(
        f.message,
        /without a default: orders\.0002_m2 deletes every row first, so the migration passes, but inserts from the release still running during the deploy do not name the column and fail\./,
      );
      // A delete of some rows only: the migration fails on the others.
      const some = { ...empty, head: empty.head.replace('.all().delete()', '.filter(qty=0).delete()') };
      const [g] = only(await lastFindings([ORDER], some, add), 'ML204');
      assert.match(g.message, /without a default: the migration fails on a table that has rows\./);
    });

    it('ML101 on a field whose name a RenameField gives another column: a swap only when the column is the same', async () => {
      const WITH_COLUMN = ORDER.replace('models.IntegerField(default=1)', 'models.IntegerField(default=1, db_column="quantity")');
      const ops = (col: string) => [
        `migrations.AddField(model_name="order", name="new_qty", field=models.BooleanField(default=False${col}))`,
        'migrations.RemoveField(model_name="order", name="qty")',
        'migrations.RenameField(model_name="order", old_name="new_qty", new_name="qty")',
      ];
      const [plain] = only(await lastFindings([WITH_COLUMN], ops('')), 'ML101');
      assert.match(plain.message, /^RemoveField order\.qty drops column "quantity" of orders_order, and the release still running during the deploy fails on it\./);
      const [swap] = only(await lastFindings([WITH_COLUMN], ops(', db_column="quantity"')), 'ML101');
      assert.match(swap.message, /puts another column under that name/);
    });

    it('ML106 names the attribute that narrows; fewer decimal places round instead of failing', async () => {
      const PRICE = ORDER.replace('("qty", models.IntegerField(default=1)),', '("price", models.DecimalField(max_digits=12, decimal_places=2)),');
      const more = only(await lastFindings([PRICE], ['migrations.AlterField(model_name="order", name="price", field=models.DecimalField(max_digits=12, decimal_places=3))']), 'ML106')[0];
      assert.match(messageWithHelp(more), /decimal_places 2 -> 3: 10 -> 9 digits before the point/);
      assert.doesNotMatch(messageWithHelp(more), /max_digits 12 -> 12/);
      const fewer = only(await lastFindings([PRICE], ['migrations.AlterField(model_name="order", name="price", field=models.DecimalField(max_digits=12, decimal_places=1))']), 'ML106')[0];
      assert.match(messageWithHelp(fewer), /keeps fewer decimal places \(decimal_places 2 -> 1: values are rounded\)[\s\S]*the migration does not fail/);
    });

    it('ML106 on an integer field whose literal choices all fit the smaller type says nothing', async () => {
      const ALGO = ORDER.replace(
        '("qty", models.IntegerField(default=1)),',
        '("algo", models.PositiveIntegerField(choices=[(0, "None"), (1, _("Any word")), (6, "Automatic")], default=1)),\n                ("kind", models.PositiveIntegerField(choices=KINDS)),\n                ("big", models.IntegerField(choices=[(1, "a"), (70000, "b")])),',
      );
      const narrow = (field: string, cls: string) => `migrations.AlterField(model_name="order", name="${field}", field=models.${cls}(default=1))`;
      const fired = async (field: string, cls: string) => only(await lastFindings([ALGO], [narrow(field, cls)]), 'ML106').length;
      assert.deepStrictEqual(
        [await fired('algo', 'PositiveSmallIntegerField'), await fired('kind', 'PositiveSmallIntegerField'), await fired('big', 'SmallIntegerField')],
        [0, 1, 1],
        'literal choices that fit; choices named by a constant; a choice out of range',
      );
    });

    it('ML106 after a data step of the same migration that fixes the values says nothing; one after it, or on another field, still counts', async () => {
      const WIDE = ORDER.replace('("qty", models.IntegerField(default=1)),', '("dpi", models.PositiveIntegerField(default=300)),');
      const fix = {
        head: 'def clamp(apps, schema_editor):\n    apps.get_model("orders", "Order").objects.filter(dpi__gt=32767).update(dpi=32767)\n\n\ndef other(apps, schema_editor):\n    apps.get_model("orders", "Order").objects.update(note="")\n',
        ops: [] as string[],
      };
      const narrow = 'migrations.AlterField(model_name="order", name="dpi", field=models.PositiveSmallIntegerField(default=300))';
      const fired = async (ops: string[]) => only(await lastFindings([WIDE], { ...fix, ops }), 'ML106').length;
      assert.deepStrictEqual(
        [
          await fired(['migrations.RunPython(clamp, migrations.RunPython.noop)', narrow]),
          await fired([narrow, 'migrations.RunPython(clamp, migrations.RunPython.noop)']),
          await fired(['migrations.RunPython(other, migrations.RunPython.noop)', narrow]),
        ],
        [0, 1, 1],
      );
    });

    it('ML102 names the deletes Django carries into the table: a release that never queries the model still deletes its rows with a parent', async () => {
      const NOTE =
        'migrations.CreateModel(name="Note", fields=[("id", models.AutoField(primary_key=True)), ("customer", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="orders.customer")), ("raw", models.ForeignKey(on_delete=django.db.models.deletion.DO_NOTHING, to="orders.order"))])';
      const [f] = only(await lastFindings([CUSTOMER, ORDER, NOTE], ['migrations.DeleteModel(name="Note")']), 'ML102');
      assert.match(f.message, /fails on every use of the model: its queries, and deleting a Customer, which Django carries into orders_note\./);
      assert.doesNotMatch(f.message, /Order/, 'DO_NOTHING reaches nothing');
      const [g] = only(await lastFindings([ORDER], ['migrations.DeleteModel(name="Order")']), 'ML102');
      assert.match(g.message, /fails on every query of the model\./);
      const MARK =
        'migrations.CreateModel(name="Mark", fields=[("id", models.AutoField(primary_key=True)), ("by", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)), ("order", models.ForeignKey(on_delete=django.db.models.deletion.SET_NULL, null=True, to="orders.order"))])';
      const [h] = only(await lastFindings([ORDER, MARK], ['migrations.DeleteModel(name="Mark")']), 'ML102');
      assert.match(h.message, /deleting a User or an Order, which Django carries into orders_mark\./);
    });

    it('ML201 on a model renamed while another is renamed onto its old name: the old table name holds the other rows', async () => {
      const ITEM = 'migrations.CreateModel(name="Item", fields=[("id", models.AutoField(primary_key=True))])';
      const [first, second] = only(await lastFindings([ORDER, ITEM], ['migrations.RenameModel("Order", "Invoice")', 'migrations.RenameModel("Item", "Order")']), 'ML201');
      assert.match(
        first.message,
        /^RenameModel Order -> Invoice renames table orders_order, and RenameModel Item -> Order below puts Item's table under that name: the release still running during the deploy reads and writes Item's rows in orders_order/,
      );
      assert.doesNotMatch(first.help ?? '', /db_table = "orders_order" {2}# keep the table; rename it later if at all/);
      assert.match(second.message, /^RenameModel Item -> Order renames table orders_item: the release still running during the deploy queries the old name and fails\./);
    });

    it('ML102 on a model dropped and made again in the same migration: the table changes under the name the running release uses', async () => {
      const [f] = only(
        await lastFindings([ORDER], ['migrations.DeleteModel(name="Order")', 'migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("ref", models.TextField())])']),
        'ML102',
      );
      assert.match(messageWithHelp(f), /^DeleteModel Order drops table orders_order and its rows, and CreateModel Order in this migration makes a new one under that name: the model stays/);
      assert.doesNotMatch(messageWithHelp(f), /remove every use of Order/);
    });

    it('ML103 on an integer becoming text: quiet when max_length holds the widest value, else says how wide it is', async () => {
      const to = (n: number) => `migrations.AlterField(model_name="order", name="qty", field=models.CharField(max_length=${n}))`;
      assert.deepStrictEqual(only(await lastFindings([ORDER], [to(11)]), 'ML103'), []);
      const [f] = only(await lastFindings([ORDER], [to(10)]), 'ML103');
      assert.match(messageWithHelp(f), /beyond max_length=10 \(IntegerField values take up to 11 characters\)/);
    });

    it('ML103 is quiet on text that only held generated UUIDs, and after a data step of the migration that works on the field', async () => {
      const uuidText = (extra: string) => `migrations.AddField(model_name="order", name="uuid", field=models.CharField(max_length=36, default=uuid.uuid4${extra}))`;
      const toUuid = 'migrations.AlterField(model_name="order", name="uuid", field=models.UUIDField(default=uuid.uuid4, editable=False))';
      assert.deepStrictEqual(only(await lastFindings([ORDER, uuidText(', editable=False')], [toUuid]), 'ML103'), []);
      // Editable text may hold anything a user typed.
      assert.strictEqual(only(await lastFindings([ORDER, uuidText('')], [toUuid]), 'ML103').length, 1);
      const toNumber = 'migrations.AlterField(model_name="order", name="note", field=models.DecimalField(max_digits=4, decimal_places=1, null=True))';
      const clear = 'migrations.RunSQL("UPDATE orders_order SET note = NULL WHERE note = \'\'", migrations.RunSQL.noop)';
      assert.deepStrictEqual(only(await lastFindings([ORDER], [clear, toNumber]), 'ML103'), []);
      assert.strictEqual(only(await lastFindings([ORDER], [toNumber]), 'ML103').length, 1);
    });

    it('taggit managers add no column', async () => {
      assert.deepStrictEqual(
        codes(await lastFindings([ORDER], ['migrations.AddField(model_name="order", name="tags", field=taggit.managers.TaggableManager(through="taggit.TaggedItem", to="taggit.Tag"))'])).filter(
          (c) => c !== 'ML301',
        ),
        [],
      );
    });
  });

  it('ML204 on a site-wide settings table is only possible: it holds one row and the running release inserts none', async () => {
    const settings = 'migrations.CreateModel(name="SiteSettings", fields=[("id", models.AutoField(primary_key=True)), ("name", models.CharField(max_length=100))])';
    const add = (model: string) => [`migrations.AddField(model_name="${model}", name="invite_only", field=models.BooleanField(default=False))`];
    const [site] = only(await lastFindings([settings], add('sitesettings')), 'ML204');
    assert.ok(site?.possible);
    assert.match(messageWithHelp(site), /SiteSettings is a site-wide settings table: it holds one row, made at install, and the running release inserts none/);
    // Per-user settings get a row per user: inserted while the old release runs.
    const user = 'migrations.CreateModel(name="UserSettings", fields=[("id", models.AutoField(primary_key=True)), ("name", models.CharField(max_length=100))])';
    const [per] = only(await lastFindings([user], add('usersettings')), 'ML204');
    assert.strictEqual(per?.possible, undefined);
  });

  describe('ML203: certain, or only possible', () => {
    it('a new unique NOT NULL column is certain to collide; a uniqueness over existing values depends on the rows', async () => {
      const certain = only(await lastFindings([ORDER], ['migrations.AddField(model_name="order", name="ref", field=models.CharField(max_length=20, unique=True, default="x"))']), 'ML203');
      assert.strictEqual(certain.length, 1);
      assert.strictEqual(certain[0].possible, undefined);
      assert.match(messageWithHelp(certain[0]), /every existing row gets the same default/);
      const possible = only(await lastFindings([ORDER], ['migrations.AlterField(model_name="order", name="code", field=models.CharField(max_length=200, unique=True))']), 'ML203');
      assert.strictEqual(possible.length, 1);
      assert.ok(possible[0].possible, 'only possible: duplicates are data');
      assert.match(
        messageWithHelp(possible[0]),
        /fails on the first duplicate if the table already holds any; nothing in the migrations says whether it does \(with the database read, ML602 counts them\)/,
      );
      assert.ok(possible[0].data?.probe, 'the live count still runs');
    });
  });

  describe('ML203 when the new uniqueness cannot fail', () => {
    it('a UniqueConstraint over fields already unique together, or a superset of a unique column', async () => {
      const base = `migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("code", models.CharField(max_length=200, unique=True)), ("qty", models.IntegerField(default=1)), ("shop", models.IntegerField(default=1))], options={"unique_together": {("qty", "shop")}})`;
      assert.deepStrictEqual(
        only(await lastFindings([base], ['migrations.AddConstraint(model_name="order", constraint=models.UniqueConstraint(fields=["shop", "qty"], name="uniq_shop_qty"))']), 'ML203'),
        [],
      );
      assert.deepStrictEqual(only(await lastFindings([base], ['migrations.AlterUniqueTogether(name="order", unique_together={("qty", "shop"), ("code", "qty")})']), 'ML203'), []);
      assert.strictEqual(
        only(await lastFindings([base], ['migrations.AlterUniqueTogether(name="order", unique_together={("qty", "shop"), ("qty", "id")})']), 'ML203').length,
        0,
        'the primary key is unique',
      );
      assert.strictEqual(only(await lastFindings([base], ['migrations.AddConstraint(model_name="order", constraint=models.UniqueConstraint(fields=["qty"], name="uniq_qty"))']), 'ML203').length, 1);
    });

    it('unique=True dropped and a wider constraint added in the same migration relaxes; a dedupe step before it is the fix already', async () => {
      const UNIQUE = ORDER.replace('models.CharField(max_length=200)', 'models.CharField(max_length=200, unique=True)');
      assert.deepStrictEqual(
        only(
          await lastFindings(
            [UNIQUE],
            [
              'migrations.AlterField(model_name="order", name="code", field=models.CharField(max_length=200))',
              'migrations.AddConstraint(model_name="order", constraint=models.UniqueConstraint(fields=["code", "qty"], name="uniq_code_qty"))',
            ],
          ),
          'ML203',
        ),
        [],
      );
      const dedupe = {
        head: 'def dedupe(apps, schema_editor):\n    Order = apps.get_model("orders", "Order")\n',
        ops: ['migrations.RunPython(dedupe, migrations.RunPython.noop)', 'migrations.AddConstraint(model_name="order", constraint=models.UniqueConstraint(fields=["qty"], name="uniq_qty"))'],
      };
      assert.deepStrictEqual(only(await lastFindings([ORDER], dedupe), 'ML203'), []);
    });

    it('a unique set that includes a nullable column added in the same migration', async () => {
      const f = await lastFindings(
        [ORDER],
        ['migrations.AddField(model_name="order", name="ext", field=models.CharField(max_length=20, null=True))', 'migrations.AlterUniqueTogether(name="order", unique_together={("qty", "ext")})'],
      );
      assert.deepStrictEqual(only(f, 'ML203'), []);
    });
  });

  it('parts of an initial migration act on empty tables', async () => {
    const initial = (deps: string, ops: string) =>
      `from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = [${deps}]\n    operations = [${ops}]\n`;
    const files = {
      'orders/migrations/0001_initial_part_1.py': initial('', ORDER),
      'orders/migrations/0002_initial_part_2.py': initial(
        '("orders", "0001_initial_part_1")',
        'migrations.AddField(model_name="order", name="ref", field=models.CharField(max_length=20, unique=True))',
      ),
      'orders/migrations/0003_later.py': `from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    dependencies = [("orders", "0002_initial_part_2")]\n    operations = [migrations.AddField(model_name="order", name="ref2", field=models.CharField(max_length=20))]\n`,
    };
    assert.deepStrictEqual(codes(await projectFindings(files, 'orders/migrations/0002_initial_part_2.py')), []);
    assert.deepStrictEqual(codes(await projectFindings(files, 'orders/migrations/0003_later.py')), ['ML204']);
  });

  it('an edit that adds a data migration filling a field clears ML202 in a later migration (incremental)', async () => {
    const files = chain(
      [ORDER],
      ['migrations.AddField(model_name="order", name="ref", field=models.TextField(null=True))'],
      ['migrations.AlterField(model_name="order", name="ref", field=models.TextField())'],
    );
    const root = writeProject(files);
    roots.push(root);
    const ws = await analyze(root);
    const [m2, m3] = ['orders/migrations/0002_m2.py', 'orders/migrations/0003_m3.py'];
    assert.strictEqual(only(findingsOf(ws, root, m3), 'ML202').length, 1);
    const filled = files[m2]
      .replace('operations = [', 'operations = [\n        migrations.RunPython(fill_ref, migrations.RunPython.noop),')
      .replace('class Migration', 'def fill_ref(apps, schema_editor):\n    apps.get_model("orders", "Order").objects.update(ref="")\n\n\nclass Migration');
    const touched = ws.update(`${root}/${m2}`, filled);
    assert.ok(touched.includes(`${root}/${m3}`), 'the later migration is re-judged');
    assert.deepStrictEqual(only(findingsOf(ws, root, m3), 'ML202'), []);
    // A reverse_code edit changes nothing later: only the edited file is re-judged.
    assert.deepStrictEqual(
      ws.update(`${root}/${m2}`, filled.replace('migrations.RunPython.noop)', 'reverse_code=migrations.RunPython.noop)')).filter((p) => p.endsWith('0003_m3.py')),
      [],
    );
  });

  it('ML202 sees a fill done by a helper the data function calls, or written as a lookup (uuid__isnull)', async () => {
    const files = chain(
      [ORDER],
      ['migrations.AddField(model_name="order", name="uuid", field=models.UUIDField(null=True))'],
      ['migrations.RunPython(fill, migrations.RunPython.noop)'],
      ['migrations.AlterField(model_name="order", name="uuid", field=models.UUIDField())'],
    );
    const m3 = 'orders/migrations/0003_m3.py';
    const helper =
      'def update_uuid_field(Model):\n    for o in Model.objects.all():\n        o.save()\n\n\ndef fill(apps, schema_editor):\n    update_uuid_field(apps.get_model("orders", "Order"))\n\n\nclass Migration';
    const lookup = 'def fill(apps, schema_editor):\n    for o in apps.get_model("orders", "Order").objects.filter(uuid__isnull=True):\n        o.save()\n\n\nclass Migration';
    const unrelated = 'def fill(apps, schema_editor):\n    apps.get_model("orders", "Order").objects.update(note="")\n\n\nclass Migration';
    const ml202 = async (fn: string) => only(await projectFindings({ ...files, [m3]: files[m3].replace('class Migration', fn) }, 'orders/migrations/0004_m4.py'), 'ML202').length;
    assert.deepStrictEqual([await ml202(helper), await ml202(lookup), await ml202(unrelated)], [0, 0, 1]);
  });

  it('ML202 with a new default is quiet when the migration keeps a database default on the column (RunSQL SET DEFAULT)', async () => {
    const alter = 'migrations.AlterField(model_name="order", name="note", field=models.TextField(default=""))';
    const setDefault = `migrations.RunSQL("ALTER TABLE orders_order ALTER COLUMN note SET DEFAULT ''", migrations.RunSQL.noop)`;
    assert.deepStrictEqual(only(await lastFindings([ORDER], [alter, setDefault]), 'ML202'), []);
    assert.strictEqual(only(await lastFindings([ORDER], [alter, setDefault.replace('COLUMN note', 'COLUMN other')]), 'ML202').length, 1);
  });

  it('RemoveField of a many-to-many names its join table; with a through model it drops nothing', async () => {
    const withTags = ORDER.replace(
      '("qty", models.IntegerField(default=1)),',
      '("qty", models.IntegerField(default=1)),\n                ("tags", models.ManyToManyField(to="orders.order")),\n                ("links", models.ManyToManyField(through="orders.Link", to="orders.order")),',
    );
    const tags = only(await lastFindings([withTags], ['migrations.RemoveField(model_name="order", name="tags")']), 'ML101')[0];
    assert.match(messageWithHelp(tags), /drops the many-to-many table orders_order_tags and its rows/);
    assert.doesNotMatch(messageWithHelp(tags), /null=True/);
    assert.deepStrictEqual(only(await lastFindings([withTags], ['migrations.RemoveField(model_name="order", name="links")']), 'ML101'), []);
  });

  it("ML101's safe way takes the field out of the model class first, then drops the column a release later, on any engine", async () => {
    const f = only(await lastFindings([ORDER], ['migrations.RemoveField(model_name="order", name="code")']), 'ML101')[0];
    assert.match(
      messageWithHelp(f),
      /Release 1: remove the field from the model class[\s\S]*AlterField\("order", "code", models\.CharField\(max_length=200, null=True\)\)[\s\S]*Release 2[\s\S]*RemoveField\("order", "code"\)/,
    );
    assert.doesNotMatch(messageWithHelp(f), /RunSQL|DROP COLUMN/);
  });

  it("null='True' (a string) is nullable", async () => {
    assert.deepStrictEqual(only(await lastFindings([ORDER], ['migrations.AddField(model_name="order", name="ref", field=models.CharField(max_length=20, null="True"))']), 'ML204'), []);
  });

  it('the NOT NULL fill for a relation is valid Python with the value left to choose', async () => {
    const f = only(
      await lastFindings(
        [CUSTOMER, ORDER.replace('("qty", models.IntegerField(default=1)),', '("buyer", models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, to="orders.customer")),')],
        ['migrations.AlterField(model_name="order", name="buyer", field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="orders.customer"))'],
      ),
      'ML202',
    )[0];
    assert.match(messageWithHelp(f), /\.update\(buyer=\.\.\.\) {2}# the value existing rows get/);
  });

  it('a migration replaced by a squash in effect keeps its risks as moot information', async () => {
    const squash = `from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    replaces = [("orders", "0002_m2")]\n    dependencies = [("orders", "0001_m1")]\n    operations = []\n`;
    const files = { ...chain([ORDER], ['migrations.RemoveField(model_name="order", name="note")']), 'orders/migrations/0002_squashed.py': squash };
    const f = only(await projectFindings(files, 'orders/migrations/0002_m2.py'), 'ML101')[0];
    assert.ok(f?.moot);
    assert.match(messageWithHelp(f), /orders\.0002_squashed replaces this migration/);
  });

  it('type changes that cannot fail say what they drop; text to varchar is cut silently on PostgreSQL', async () => {
    const WHEN = ORDER.replace('("qty", models.IntegerField(default=1)),', '("at", models.DateTimeField(null=True)),');
    const date = only(await lastFindings([WHEN], ['migrations.AlterField(model_name="order", name="at", field=models.DateField(null=True))']), 'ML103')[0];
    assert.match(messageWithHelp(date), /every value converts, but the time of day is dropped for good/);
    const text = only(await lastFindings([ORDER], ['migrations.AlterField(model_name="order", name="note", field=models.CharField(max_length=80, null=True))']), 'ML106')[0];
    assert.match(messageWithHelp(text), /cut silently on PostgreSQL \(Django converts with an explicit ::varchar cast\)/);
    const chars = only(await lastFindings([ORDER], ['migrations.AlterField(model_name="order", name="code", field=models.CharField(max_length=80))']), 'ML106')[0];
    assert.match(messageWithHelp(chars), /existing values that do not fit fail the migration/);
  });

  it('a column swap (remove the old field, rename the new one onto its name) is not a rename that breaks the running release', async () => {
    const f = await lastFindings(
      [ORDER],
      ['migrations.AddField(model_name="order", name="code_new", field=models.IntegerField(null=True))'],
      ['migrations.RemoveField(model_name="order", name="code")', 'migrations.RenameField(model_name="order", old_name="code_new", new_name="code")'],
    );
    assert.deepStrictEqual(only(f, 'ML201'), []);
    const [swap] = only(f, 'ML101');
    // The field stays in the model: the message is about the column that changes under its name.
    assert.match(
      messageWithHelp(swap),
      /^RemoveField order\.code drops column "code" of orders_order, and RenameField code_new -> code in this migration puts another column under that name: the field stays in the model/,
    );
    assert.doesNotMatch(messageWithHelp(swap), /remove the field from the model class|The values go with the column/);
  });

  it('more real-project shapes: a unique column filled row by row, a custom class kept, a blank custom text field, a tagulous TagField', async () => {
    const fill = {
      head: 'def gen(apps, schema_editor):\n    Order = apps.get_model("orders", "Order")\n',
      ops: [
        'migrations.AddField(model_name="order", name="ref", field=models.UUIDField(null=True))',
        'migrations.RunPython(gen, migrations.RunPython.noop)',
        'migrations.AlterField(model_name="order", name="ref", field=models.UUIDField(unique=True))',
      ],
    };
    assert.deepStrictEqual(only(await lastFindings([ORDER], fill), 'ML203'), []);
    const ROLE = ORDER.replace('("qty", models.IntegerField(default=1)),', '("admin_role", awx.main.fields.ImplicitRoleField(null="True", related_name="+", to="main.role")),');
    assert.deepStrictEqual(
      only(
        await lastFindings(
          [ROLE],
          [
            'migrations.AlterField(model_name="order", name="admin_role", field=awx.main.fields.ImplicitRoleField(null="True", on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="main.role"))',
          ],
        ),
        'ML201',
      ),
      [],
    );
    const color = only(await lastFindings([ORDER], ['migrations.AddField(model_name="order", name="color", field=utilities.fields.ColorField(blank=True, max_length=6))']), 'ML204')[0];
    assert.match(messageWithHelp(color), /fills the existing rows with ''/);
    assert.deepStrictEqual(only(await lastFindings([ORDER], ['migrations.AddField(model_name="order", name="tags", field=tagulous.models.fields.TagField(to="orders.tag"))']), 'ML204'), []);
  });

  it("ML201's advice names a relation's target as renamed earlier in the same migration", async () => {
    const BASE = 'migrations.CreateModel(name="ExerciseBase", fields=[("id", models.AutoField(primary_key=True))])';
    const IMAGE = 'migrations.CreateModel(name="Image", fields=[("id", models.AutoField(primary_key=True)), ("exercise_base", models.ForeignKey(on_delete=models.CASCADE, to="orders.exercisebase"))])';
    const f = await lastFindings(
      [ORDER, BASE, IMAGE],
      ['migrations.RenameModel(old_name="ExerciseBase", new_name="Exercise")', 'migrations.RenameField(model_name="image", old_name="exercise_base", new_name="exercise")'],
    );
    const [rename] = only(f, 'ML201').filter((x) => x.data?.from === 'exercise_base');
    assert.match(messageWithHelp(rename), /migrations\.AlterField\("image", "exercise", models\.ForeignKey\(on_delete=models\.CASCADE, db_column="exercise_base_id", to="orders\.exercise"\)\)/);
    assert.doesNotMatch(messageWithHelp(rename), /to="orders\.exercisebase"/);
  });

  it('a field renamed and then removed in the same migration: the removal is the finding', async () => {
    const f = await lastFindings([ORDER], ['migrations.RenameField(model_name="order", old_name="note", new_name="remark")', 'migrations.RemoveField(model_name="order", name="remark")']);
    assert.deepStrictEqual(only(f, 'ML201'), []);
    assert.strictEqual(only(f, 'ML101').length, 1);
  });

  it('a number to a short CharField is cut on PostgreSQL; a column added empty in the migration cannot overflow; an expression constraint gets advice it can use', async () => {
    const cut = only(await lastFindings([ORDER], ['migrations.AlterField(model_name="order", name="qty", field=models.CharField(max_length=10, default="1"))']), 'ML103')[0];
    assert.match(
      messageWithHelp(cut),
      /every value converts, but what goes beyond max_length=10 \(IntegerField values take up to 11 characters\) on PostgreSQL \(MySQL in strict mode fails instead\) is dropped for good/,
    );
    assert.deepStrictEqual(
      only(
        await lastFindings(
          [ORDER],
          [
            'migrations.AddField(model_name="order", name="tag", field=models.TextField(null=True))',
            'migrations.AlterField(model_name="order", name="tag", field=models.CharField(max_length=5, null=True))',
          ],
        ),
        'ML106',
      ),
      [],
    );
    const expr = only(await lastFindings([ORDER], ['migrations.AddConstraint(model_name="order", constraint=models.UniqueConstraint(models.F("code"), name="uniq_code_expr"))']), 'ML203')[0];
    assert.match(messageWithHelp(expr), /find and resolve the rows the new constraint would reject/);
    assert.doesNotMatch(messageWithHelp(expr), /values\("\.\.\."\)/);
  });

  it('a name created by a migration written the same day is not known to any running release; another day it is', async () => {
    const on = (day: string, ops: string[]) => ({ head: `# Generated by Django 4.2 on ${day} 10:00`, ops });
    const steps = (later: string) =>
      [
        [ORDER],
        on('2024-01-02', ['migrations.AddField(model_name="order", name="code_tmp", field=models.IntegerField(null=True))']),
        on(later, ['migrations.RenameField(model_name="order", old_name="code_tmp", new_name="code_number")']),
      ] as Step[];
    assert.deepStrictEqual(only(await lastFindings(...steps('2024-01-02')), 'ML201'), []);
    assert.strictEqual(only(await lastFindings(...steps('2024-03-09')), 'ML201').length, 1);
  });

  it('RemoveField on a model the same migration deletes: the DeleteModel is the finding', async () => {
    const f = await lastFindings([ORDER], ['migrations.RemoveField(model_name="order", name="note")', 'migrations.DeleteModel(name="Order")']);
    assert.deepStrictEqual(
      codes(f).filter((c) => c.startsWith('ML10')),
      ['ML102'],
    );
  });

  it('ML204 on a column added again in place of one renamed away above: the running release inserts fine and meets a new, empty column', async () => {
    const swap = [
      `migrations.RunSQL('ALTER TABLE orders_order RENAME note TO note_old', state_operations=[migrations.RemoveField(model_name="order", name="note")])`,
      'migrations.AddField(model_name="order", name="note", field=models.JSONField(default=dict))',
    ];
    const f = only(await lastFindings([ORDER], swap), 'ML204');
    assert.strictEqual(f.length, 1);
    assert.match(f[0].message, /in place of the one of that name an operation above took out of the model: the release still running has the field, so its inserts pass/);
    assert.doesNotMatch(f[0].message, /do not name the column and fail/);
    // A many-to-many of that name had no column: the running release's inserts leave the new one out.
    const m2m = only(
      await lastFindings(
        [ORDER, 'migrations.AddField(model_name="order", name="tags", field=models.ManyToManyField(to="orders.order"))'],
        ['migrations.RemoveField(model_name="order", name="tags")', 'migrations.AddField(model_name="order", name="tags", field=models.JSONField(default=dict))'],
      ),
      'ML204',
    );
    assert.match(m2m[0].message, /do not name the column and fail/);
    // A new name is the ordinary case: the running release's inserts leave it out.
    const plain = only(await lastFindings([ORDER], ['migrations.AddField(model_name="order", name="data", field=models.JSONField(default=dict))']), 'ML204');
    assert.match(plain[0].message, /do not name the column and fail/);
  });

  it('ML101 on a name a RenameField of the same migration gave: the running release reads the column by its old name', async () => {
    const f = only(
      await lastFindings([ORDER], ['migrations.RenameField(model_name="order", old_name="note", new_name="old_note")', 'migrations.RemoveField(model_name="order", name="old_note")']),
      'ML101',
    );
    assert.strictEqual(f.length, 1);
    assert.match(f[0].message, /drops the column that the RenameField note -> old_note above renamed, which the release still running reads and writes as "note"/);
    assert.match(f[0].help ?? '', /stop using note in the code/);
    assert.match(f[0].help ?? '', /RemoveField\("order", "note"\)/);
  });

  it('ML201 on a rename whose old name is added again below: the running release finds a column, a new one', async () => {
    const f = only(
      await lastFindings(
        [ORDER],
        ['migrations.RenameField(model_name="order", old_name="note", new_name="note_detail")', 'migrations.AddField(model_name="order", name="note", field=models.TextField(null=True))'],
      ),
      'ML201',
    );
    assert.strictEqual(f.length, 1);
    assert.match(f[0].message, /and an AddField below adds a new "note": the release still running during the deploy finds a column by that name, but reads and writes the new one/);
    assert.doesNotMatch(f[0].message, /queries the old name and fails/);
  });

  it('ML204 is quiet when the migration sets the database default itself with RunSQL', async () => {
    const f = await lastFindings(
      [ORDER],
      [
        'migrations.AddField(model_name="order", name="paid", field=models.BooleanField(default=False))',
        `migrations.RunSQL('ALTER TABLE "orders_order" ALTER COLUMN "paid" SET DEFAULT false', migrations.RunSQL.noop)`,
      ],
    );
    assert.deepStrictEqual(only(f, 'ML204'), []);
    assert.deepStrictEqual(only(f, 'ML104'), []);
  });

  it('a dedupe function defined in the Migration class body of the previous migration quiets ML203', async () => {
    const prev = [
      'from django.db import migrations, models',
      '',
      'class Migration(migrations.Migration):',
      '    dependencies = [("orders", "0001_m1")]',
      '',
      '    def dedupe_order(apps, schema_editor):',
      '        Order = apps.get_model("orders", "Order")',
      '',
      '    operations = [migrations.RunPython(dedupe_order)]',
      '',
    ].join('\n');
    const next =
      'from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    dependencies = [("orders", "0002_m2")]\n    operations = [migrations.AddConstraint(model_name="order", constraint=models.UniqueConstraint(fields=("qty",), name="uniq_qty"))]\n';
    const files = { ...chain([ORDER]), 'orders/migrations/0002_m2.py': prev, 'orders/migrations/0003_m3.py': next };
    assert.deepStrictEqual(only(await projectFindings(files, 'orders/migrations/0003_m3.py'), 'ML203'), []);
  });

  it('ML203: a new auto-numbered key cannot collide; a fill two migrations back on the same day counts', async () => {
    assert.deepStrictEqual(
      only(
        await lastFindings(
          [ORDER.replace('("id", models.AutoField(primary_key=True)),', '')],
          ['migrations.AddField(model_name="order", name="id", field=models.BigAutoField(primary_key=True, serialize=False))'],
        ),
        'ML203',
      ),
      [],
    );
    const on = (day: string, step: { head?: string; ops: string[] }) => ({ head: `# Generated by Django 4.2 on ${day} 10:00\n${step.head ?? ''}`, ops: step.ops });
    const steps = (day: string) =>
      [
        [ORDER],
        on('2024-05-01', { head: 'def fill(apps, schema_editor):\n    Order = apps.get_model("orders", "Order")\n', ops: ['migrations.RunPython(fill, migrations.RunPython.noop)'] }),
        on('2024-05-01', { ops: ['migrations.AddField(model_name="order", name="tag", field=models.CharField(max_length=5, null=True))'] }),
        on(day, { ops: ['migrations.AddConstraint(model_name="order", constraint=models.UniqueConstraint(fields=("qty",), name="uniq_qty"))'] }),
      ] as Step[];
    assert.deepStrictEqual(only(await lastFindings(...steps('2024-05-01')), 'ML203'), []);
    assert.strictEqual(only(await lastFindings(...steps('2024-09-30')), 'ML203').length, 1);
  });
});
