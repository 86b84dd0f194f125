import * as assert from 'assert';
import { messageWithHelp } from '../../server/src/analysis/risk';
import { chain, codesIn, last, ORDER, Step } from '../helpers/chain';
import { RULES_BY_CODE } from '../../server/src/rules/registry';
import { covered } from '../helpers/rule-coverage';

/** The findings of `code` in the last migration: at least one, or exactly `count`. */
async function expectCode(code: string, files: Record<string, string>, count?: number) {
  const { findings } = await codesIn(files);
  const hits = findings.filter((f) => f.code === code);
  const seen = JSON.stringify(
    findings.map((f) => [f.code, f.message.split('\n')[0]]),
    null,
    1,
  );
  if (count === undefined) assert.ok(hits.length >= 1, `${code} expected: ${seen}`);
  else assert.strictEqual(hits.length, count, `${code}: ${seen}`);
  return hits;
}

interface Case {
  code: string;
  positive: Step[][];
  negative: Step[][];
  /** Message fragment of the first positive case. */
  says: RegExp;
}

const SEP = (db: string, state: string) => `migrations.SeparateDatabaseAndState(database_operations=[${db}], state_operations=[${state}])`;

const CASES: Case[] = [
  {
    code: 'ML101',
    positive: [[[ORDER], ['migrations.RemoveField(model_name="order", name="note")']]],
    negative: [[[ORDER], [SEP('', 'migrations.RemoveField(model_name="order", name="note")')]], [[ORDER, 'migrations.RemoveField(model_name="order", name="note")']]],
    says: /drops column "note" of orders_order, and the release still running during the deploy fails on it\. The values go with the column: keep a copy first if anything still needs them\.[\s\S]*Safe way:[\s\S]*RemoveField\("order", "note"\)/,
  },
  {
    code: 'ML102',
    positive: [[[ORDER], ['migrations.DeleteModel(name="Order")']]],
    negative: [[[ORDER], [SEP('', 'migrations.DeleteModel(name="Order")')]], [[ORDER, 'migrations.DeleteModel(name="Order")']]],
    says: /DeleteModel Order drops table orders_order and its rows, and the release still running during the deploy fails on every query of the model\. The rows go with the table: keep a copy first[\s\S]*dumpdata orders\.Order/,
  },
  {
    code: 'ML103',
    positive: [
      [[ORDER], ['migrations.AlterField(model_name="order", name="code", field=models.IntegerField())']],
      [[ORDER], ['migrations.AlterField(model_name="order", name="note", field=models.DateField(null=True))']],
    ],
    negative: [
      [[ORDER], ['migrations.AlterField(model_name="order", name="code", field=models.TextField())']],
      [[ORDER], ['migrations.AlterField(model_name="order", name="code", field=models.CharField(max_length=200, help_text="x"))']],
      [[ORDER], ['migrations.AlterField(model_name="order", name="qty", field=models.BigIntegerField(default=1))']],
      [[ORDER], [SEP('', 'migrations.AlterField(model_name="order", name="code", field=models.IntegerField())')]],
    ],
    says: /changes the column type \(CharField -> IntegerField\)[\s\S]*AddField\("order", "code_new", models\.IntegerField\(null=True\)\)/,
  },
  {
    code: 'ML104',
    positive: [
      [['migrations.RunSQL("DROP TABLE legacy", reverse_sql=migrations.RunSQL.noop)']],
      [['migrations.RunSQL(["DELETE FROM orders_order", "SELECT 1"], reverse_sql="")']],
      [['migrations.RunSQL("ALTER TABLE orders_order DROP COLUMN note", "")']],
      [['migrations.RunSQL("TRUNCATE orders_order", "")']],
      [['migrations.RunSQL("ALTER TABLE t ALTER COLUMN c TYPE integer", "")']],
      [['migrations.RunSQL("DROP TABLE IF EXISTS legacy;", migrations.RunSQL.noop)']],
      [['migrations.RunSQL(sql=[("UPDATE orders_order SET qty = %s", [1]), ("DELETE FROM orders_order", None)], reverse_sql="")']],
      [['migrations.RunSQL("ALTER TABLE t ALTER COLUMN c TYPE varchar(10)", "")']],
      [['migrations.RunSQL("ALTER TABLE t ALTER COLUMN id TYPE bigint USING id::bigint", "")']],
      [['migrations.RunSQL("ALTER TABLE t MODIFY code VARCHAR(10)", "")']],
      [
        [
          `migrations.RunSQL("""
            CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN DELETE FROM t; RETURN NEW; END $$ LANGUAGE plpgsql;
            DELETE FROM orders_order;
        """, "")`,
        ],
      ],
    ],
    negative: [
      [['migrations.RunSQL("DROP INDEX legacy_idx", "")']],
      [['migrations.RunSQL("DELETE FROM orders_order WHERE id = 1", "")']],
      [['migrations.RunSQL("INSERT INTO log VALUES (\'DROP TABLE x\')", "")']],
      [['migrations.RunSQL("ALTER TABLE t DROP CONSTRAINT c", "")']],
      [['migrations.RunSQL("CREATE TABLE t (id int)", "DROP TABLE t")']],
      [[`migrations.RunSQL("ALTER TABLE t ALTER COLUMN type SET DEFAULT 'x'", "")`]],
      [[`migrations.RunSQL('ALTER TABLE t ALTER COLUMN "type" DROP NOT NULL', "")`]],
      [['migrations.RunSQL("ALTER TABLE t ALTER COLUMN id TYPE bigint", "")']],
      [['migrations.RunSQL("ALTER TABLE t ALTER COLUMN id SET DATA TYPE bigint", "")']],
      [['migrations.RunSQL("ALTER TABLE t MODIFY id BIGINT", "")']],
      [['migrations.RunSQL("DROP FUNCTION IF EXISTS f; DROP TRIGGER IF EXISTS tr ON t; DROP VIEW v; DROP MATERIALIZED VIEW mv", "")']],
      [['migrations.RunSQL("CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN DELETE FROM t; RETURN NEW; END $$ LANGUAGE plpgsql", "")']],
      [['migrations.RunSQL("DO $$ BEGIN TRUNCATE t; END $$", "")']],
      [['migrations.RunSQL("-- DROP TABLE legacy\\nSELECT 1 /* ; TRUNCATE t */", "")']],
      [['migrations.RunSQL("SELEC 1; DROP TABLEE legacy", "")']],
      [['migrations.SeparateDatabaseAndState(state_operations=[migrations.RunSQL("DROP TABLE legacy", "")])']],
    ],
    says: /RunSQL drops a table \(DROP TABLE legacy\)[\s\S]*CREATE TABLE legacy_backup AS SELECT \* FROM legacy/,
  },
  {
    code: 'ML105',
    positive: [
      [[ORDER], ['migrations.RemoveField(model_name="order", name="note")', 'migrations.AddField(model_name="order", name="order_note", field=models.TextField(null=True))']],
      [[ORDER], ['migrations.AddField(model_name="order", name="order_note", field=models.TextField(null=True))', 'migrations.RemoveField(model_name="order", name="note")']],
    ],
    negative: [
      [[ORDER], ['migrations.RemoveField(model_name="order", name="note")', 'migrations.AddField(model_name="order", name="comment", field=models.TextField(null=True))']],
      [
        [ORDER],
        ['migrations.RemoveField(model_name="order", name="note")', 'migrations.AddField(model_name="order", name="order_note", field=models.TextField(null=True))'],
        ['migrations.AddField(model_name="order", name="note", field=models.TextField(null=True))'],
      ],
      [[ORDER], ['migrations.RemoveField(model_name="order", name="note")', 'migrations.AddField(model_name="order", name="order_note", field=models.CharField(max_length=20, null=True))']],
      [[ORDER], ['migrations.RemoveField(model_name="order", name="note")', 'migrations.AddField(model_name="order", name="total", field=models.IntegerField(null=True))']],
      [
        [ORDER],
        [
          'migrations.AddField(model_name="order", name="order_note", field=models.TextField(null=True))',
          'migrations.RunPython(copy_note, migrations.RunPython.noop)',
          'migrations.RemoveField(model_name="order", name="note")',
        ],
      ],
      [[ORDER], ['migrations.RemoveField(model_name="order", name="note")', 'migrations.AddField(model_name="order", name="note", field=models.IntegerField(null=True))']],
    ],
    says: /RemoveField order\.note and AddField order\.order_note \(in this migration\) look like a rename[\s\S]*RenameField\("order", "note", "order_note"\)/,
  },
  {
    code: 'ML106',
    positive: [
      [[ORDER], ['migrations.AlterField(model_name="order", name="code", field=models.CharField(max_length=100))']],
      [[ORDER], ['migrations.AlterField(model_name="order", name="note", field=models.CharField(max_length=100, null=True))']],
      [[ORDER], ['migrations.AlterField(model_name="order", name="qty", field=models.SmallIntegerField(default=1))']],
    ],
    negative: [
      [[ORDER], ['migrations.AlterField(model_name="order", name="code", field=models.CharField(max_length=300))']],
      [[ORDER, 'migrations.AlterField(model_name="order", name="code", field=models.CharField(max_length=100))']],
    ],
    says: /leaves less room \(max_length 200 -> 100\)[\s\S]*Order\.objects\.annotate\(n=Length\("code"\)\)\.filter\(n__gt=100\)/,
  },
  {
    code: 'ML201',
    positive: [
      [[ORDER], ['migrations.RenameField(model_name="order", old_name="note", new_name="comment")']],
      [[ORDER], ['migrations.RenameModel(old_name="Order", new_name="Purchase")']],
      [[ORDER], ['migrations.AlterModelTable(name="order", table="purchases")']],
      [[ORDER], ['migrations.AlterField(model_name="order", name="note", field=models.TextField(null=True, db_column="remark"))']],
    ],
    negative: [
      [[ORDER.replace('models.TextField(null=True)', 'models.TextField(null=True, db_column="note")')], ['migrations.RenameField(model_name="order", old_name="note", new_name="comment")']],
      [[ORDER, 'migrations.AlterModelTable(name="order", table="orders")'], ['migrations.RenameModel(old_name="Order", new_name="Purchase")']],
      [[ORDER], [SEP('', 'migrations.RenameField(model_name="order", old_name="note", new_name="comment")')]],
    ],
    says: /RenameField order\.note -> comment renames column "note"[\s\S]*SeparateDatabaseAndState[\s\S]*models\.TextField\(null=True, db_column="note"\)/,
  },
  {
    code: 'ML202',
    positive: [
      [[ORDER], ['migrations.AlterField(model_name="order", name="note", field=models.TextField())']],
      [[ORDER], ['migrations.AlterField(model_name="order", name="note", field=models.TextField(default=""))']],
    ],
    negative: [
      [
        {
          head: 'def fill_note(apps, schema_editor):\n    apps.get_model("orders", "Order").objects.filter(note__isnull=True).update(note="")\n',
          ops: [ORDER, 'migrations.RunPython(fill_note, migrations.RunPython.noop)'],
        },
        ['migrations.AlterField(model_name="order", name="note", field=models.TextField())'],
      ],
      [[ORDER, 'migrations.AlterField(model_name="order", name="note", field=models.TextField())']],
    ],
    says: /makes the column NOT NULL: the migration fails if any row still holds NULL[\s\S]*Order = apps\.get_model\("orders", "Order"\)\n\s+Order\.objects\.filter\(note__isnull=True\)\.update\(note=""\)/,
  },
  {
    code: 'ML203',
    positive: [
      [[ORDER], ['migrations.AlterField(model_name="order", name="code", field=models.CharField(max_length=200, unique=True))']],
      [[ORDER], ['migrations.AlterUniqueTogether(name="order", unique_together={("code", "qty")})']],
      [[ORDER], ['migrations.AddConstraint(model_name="order", constraint=models.UniqueConstraint(fields=["code"], name="uniq_code"))']],
      [[ORDER], ['migrations.AddField(model_name="order", name="ref", field=models.CharField(max_length=10, unique=True, default="x"))']],
    ],
    negative: [
      [
        [ORDER.replace('models.CharField(max_length=200)', 'models.CharField(max_length=200, unique=True)')],
        ['migrations.AlterField(model_name="order", name="code", field=models.CharField(max_length=300, unique=True))'],
      ],
      [[ORDER], ['migrations.AddField(model_name="order", name="ref", field=models.CharField(max_length=10, unique=True, null=True))']],
      [[ORDER, 'migrations.AlterUniqueTogether(name="order", unique_together={("code", "qty")})'], ['migrations.AlterUniqueTogether(name="order", unique_together={("code", "qty")})']],
    ],
    says: /AlterField order\.code makes the column unique: the migration fails on the first duplicate[\s\S]*Order\.objects\.values\("code"\)\.annotate\(n=Count\("pk"\)\)\.filter\(n__gt=1\)/,
  },
  {
    code: 'ML204',
    positive: [
      [[ORDER], ['migrations.AddField(model_name="order", name="priority", field=models.IntegerField(default=0), preserve_default=False)']],
      [[ORDER], ['migrations.AddField(model_name="order", name="priority", field=models.IntegerField())']],
    ],
    negative: [
      [[ORDER], ['migrations.AddField(model_name="order", name="priority", field=models.IntegerField(null=True))']],
      [[ORDER], ['migrations.AddField(model_name="order", name="priority", field=models.IntegerField(db_default=0))']],
      [[ORDER], ['migrations.AddField(model_name="order", name="tags", field=taggit.managers.TaggableManager(through="taggit.TaggedItem", to="taggit.Tag"))']],
      [[ORDER], ['migrations.AddField(model_name="order", name="flag", field=models.NullBooleanField())']],
      [[ORDER, 'migrations.AddField(model_name="order", name="priority", field=models.IntegerField(default=0))']],
    ],
    says: /adds a NOT NULL column: Django fills the existing rows with its default and then drops the default, so the migration passes, but inserts from the release still running[\s\S]*AddField\("order", "priority", models\.IntegerField\(default=0, db_default=0\)\)[\s\S]*SET DEFAULT 0/,
  },
  {
    code: 'ML301',
    positive: [
      [[ORDER], ['migrations.AddField(model_name="order", name="tag", field=models.CharField(max_length=5, null=True))']],
      [[ORDER]],
      [['migrations.RunSQL("ALTER TABLE orders_order ALTER COLUMN id TYPE bigint", "")']],
      [['migrations.RunSQL("ALTER TABLE orders_order ALTER COLUMN id SET DATA TYPE bigint", "")']],
      [['migrations.RunSQL("ALTER TABLE orders_order MODIFY id BIGINT", "")']],
    ],
    negative: [
      [[ORDER], ['migrations.AddField(model_name="order", name="tag", field=models.CharField(max_length=5, default=""))']],
      [['migrations.RunSQL("ALTER TABLE orders_order ALTER COLUMN id TYPE integer", "")']],
      [['migrations.RunSQL("ALTER TABLE orders_order ALTER COLUMN id TYPE bigint USING id::bigint", "")']],
      [[`migrations.RunSQL("ALTER TABLE orders_order ALTER COLUMN type SET DEFAULT 'x'", "")`]],
    ],
    says: /Low risk: AddField order\.tag adds a nullable column/,
  },
  {
    code: 'ML302',
    positive: [
      [[ORDER], ['migrations.AddIndex(model_name="order", index=models.Index(fields=["code"], name="order_code_idx"))']],
      [[ORDER], ['migrations.AlterField(model_name="order", name="code", field=models.CharField(max_length=200, db_index=True))']],
      [[ORDER], ['migrations.AlterIndexTogether(name="order", index_together={("code", "qty")})']],
    ],
    negative: [
      [[ORDER, 'migrations.AddIndex(model_name="order", index=models.Index(fields=["code"], name="order_code_idx"))']],
      [
        { head: 'from django.contrib.postgres.operations import AddIndexConcurrently\n', ops: [ORDER] },
        ['AddIndexConcurrently(model_name="order", index=models.Index(fields=["code"], name="order_code_idx"))'],
      ],
    ],
    says: /AddIndex on Order builds an index without CONCURRENTLY[\s\S]*AddIndexConcurrently\("order", models\.Index\(fields=\["code"\], name="order_code_idx"\)\)/,
  },
  {
    code: 'ML403',
    positive: [[{ head: 'from orders.models import Order\n\ndef f(apps, schema_editor):\n    Order.objects.all()\n', ops: ['migrations.RunPython(f, migrations.RunPython.noop)'] }]],
    negative: [
      [{ head: 'def f(apps, schema_editor):\n    apps.get_model("orders", "Order").objects.all()\n', ops: ['migrations.RunPython(f, migrations.RunPython.noop)'] }],
      [{ head: 'from orders.models import Order\n', ops: [ORDER] }],
    ],
    says: /`orders\.models\.Order` is the model as it is today[\s\S]*Order = apps\.get_model\("orders", "Order"\)/,
  },
  {
    code: 'ML404',
    positive: [
      [[ORDER], ['migrations.AddField(model_name="order", name="tag", field=models.CharField(max_length=5, null=True))', 'migrations.RunPython(f, migrations.RunPython.noop)']],
      [[ORDER], ['migrations.AddField(model_name="order", name="tag", field=models.CharField(max_length=5, null=True))', 'migrations.RunSQL([("UPDATE orders_order SET tag = %s", ["x"])], "")']],
      [
        [ORDER],
        [
          'migrations.AddField(model_name="order", name="tag", field=models.CharField(max_length=5, null=True))',
          `migrations.RunSQL("CREATE INDEX i ON orders_order (tag); INSERT INTO log (m) VALUES ('tag added')", "")`,
        ],
      ],
    ],
    negative: [
      [[ORDER], ['migrations.RunPython(f, migrations.RunPython.noop)']],
      [[ORDER], ['migrations.RunSQL("SELECT 1", "")', 'migrations.AddField(model_name="order", name="tag", field=models.CharField(max_length=5, null=True))']],
      [
        [ORDER],
        [
          'migrations.AddField(model_name="order", name="tag", field=models.CharField(max_length=5, null=True))',
          `migrations.RunSQL("""
            CREATE FUNCTION touch() RETURNS trigger AS $$
            BEGIN
                UPDATE orders_order SET tag = 'x' WHERE id = NEW.id;
                RETURN NEW;
            END
            $$ LANGUAGE plpgsql;
        """, "DROP FUNCTION touch")`,
        ],
      ],
    ],
    says: /RunPython writes data in the same migration as AddField changes the schema/,
  },
];

describe('RunSQL type changes: widening is ML301, not ML104', () => {
  it('PostgreSQL: says the type widens, no data is lost, the table is rewritten under ACCESS EXCLUSIVE', async () => {
    const files = chain(['migrations.RunSQL("ALTER TABLE users_user ALTER COLUMN id TYPE bigint", "")']);
    const [hit] = await expectCode('ML301', files, 1);
    assert.strictEqual(
      hit.message,
      'Low risk: RunSQL widens column users_user.id to bigint (ALTER TABLE users_user ALTER COLUMN id TYPE bigint): no data is lost, ' +
        'but the table is rewritten, on PostgreSQL under an ACCESS EXCLUSIVE lock: reads and writes wait until it is done.',
    );
    await expectCode('ML104', files, 0);
  });
  it('MySQL MODIFY: says what MODIFY drops from the column', async () => {
    const [hit] = await expectCode('ML301', chain(['migrations.RunSQL("ALTER TABLE orders_order MODIFY id BIGINT", "")']), 1);
    assert.match(
      messageWithHelp(hit),
      /^Low risk: RunSQL widens column orders_order\.id to BIGINT \(ALTER TABLE orders_order MODIFY id BIGINT\): no data is lost, but the table is rewritten \(MySQL copies it; writes wait until it is done\)\. MODIFY \/ CHANGE restates the whole column: NOT NULL, DEFAULT, AUTO_INCREMENT or COMMENT left out of it are dropped\.$/,
    );
  });
  it('a narrowing change stays ML104, with the add-copy-drop way', async () => {
    const files = chain(['migrations.RunSQL("ALTER TABLE t ALTER COLUMN c TYPE varchar(10)", "")']);
    const [hit] = await expectCode('ML104', files, 1);
    assert.match(messageWithHelp(hit), /^RunSQL changes a column type \(ALTER TABLE t ALTER COLUMN c TYPE varchar\(10\)\): the data is gone for good[\s\S]*add a new column, copy and convert/);
    await expectCode('ML301', files, 0);
  });
  it('one statement that drops two columns is one finding that says so', async () => {
    const [hit] = await expectCode('ML104', chain(['migrations.RunSQL("ALTER TABLE payment_transactionevent DROP COLUMN name, DROP COLUMN reference;", "")']), 1);
    assert.match(
      messageWithHelp(hit),
      /^RunSQL drops columns \(ALTER TABLE payment_transactionevent DROP COLUMN name, DR\.\.\.\)[\s\S]*CREATE TABLE payment_transactionevent_backup AS SELECT \* FROM payment_transactionevent/,
    );
  });
});

describe('ML104 and what the migration keeps', () => {
  it("rows copied to another table first are not lost: the rule's own safe way passes", async () => {
    await expectCode('ML104', chain(['migrations.RunSQL("CREATE TABLE legacy_backup AS SELECT * FROM legacy; DROP TABLE legacy;", "")']), 0);
    // Copied by one RunSQL, deleted by a later one (NetBox users/0006); a table not copied stays a loss.
    const moved = chain([
      'migrations.RunSQL("INSERT INTO users_group (SELECT id, name, \'\' AS description FROM auth_group)")',
      'migrations.RunSQL("DELETE from auth_group_permissions")',
      'migrations.RunSQL("DELETE from auth_group")',
    ]);
    const [hit] = await expectCode('ML104', moved, 1);
    assert.match(messageWithHelp(hit), /auth_group_permissions/);
    // Deleted before the copy: lost.
    await expectCode('ML104', chain(['migrations.RunSQL("DELETE FROM auth_group; INSERT INTO users_group SELECT * FROM auth_group;")']), 1);
  });

  it('a column dropped for another renamed onto its name is a swap (Saleor order/0134)', async () => {
    const swap = 'ALTER TABLE order_order_gift_cards DROP COLUMN order_id; ALTER TABLE order_order_gift_cards RENAME COLUMN order_token TO order_id;';
    await expectCode('ML104', chain([`migrations.RunSQL("${swap}", migrations.RunSQL.noop)`]), 0);
    await expectCode('ML104', chain(['migrations.RunSQL("ALTER TABLE order_order_gift_cards DROP COLUMN order_id;", migrations.RunSQL.noop)']), 1);
  });

  it('a drop of what an earlier migration took out of the models is the last step of expand/contract: only possibly a loss', async () => {
    const stateOnly = (op: string) => `migrations.SeparateDatabaseAndState(state_operations=[${op}], database_operations=[])`;
    const [col] = await expectCode(
      'ML104',
      chain([ORDER], [stateOnly('migrations.RemoveField(model_name="order", name="note")')], ['migrations.RunSQL("ALTER TABLE orders_order DROP COLUMN note")']),
      1,
    );
    assert.match(col.possible ?? '', /No model has used it since orders\.0002_m2 took it out of the state/);
    assert.match(messageWithHelp(col), /the last step of an expand\/contract change/);
    const [table] = await expectCode('ML104', chain([ORDER], [stateOnly('migrations.DeleteModel(name="Order")')], ['migrations.RunSQL("DROP TABLE orders_order")']), 1);
    assert.ok(table.possible);
    // The join table of a many-to-many field of a model taken out of the state (Saleor discount/0055).
    const withTags = ORDER.replace('("qty", models.IntegerField(default=1)),', '("qty", models.IntegerField(default=1)), ("tags", models.ManyToManyField(to="orders.order")),');
    const [join] = await expectCode('ML104', chain([withTags], [stateOnly('migrations.DeleteModel(name="Order")')], ['migrations.RunSQL("DROP TABLE orders_order_tags")']), 1);
    assert.ok(join.possible);
    // Taken out of the state in the same migration: an ordinary removal, the data goes now.
    const [now] = await expectCode(
      'ML104',
      chain(
        [ORDER],
        [
          'migrations.SeparateDatabaseAndState(state_operations=[migrations.RemoveField(model_name="order", name="note")], database_operations=[migrations.RunSQL("ALTER TABLE orders_order DROP COLUMN note")])',
        ],
      ),
      1,
    );
    assert.strictEqual(now.possible, undefined);
    // A column some model still has: certain.
    const [used] = await expectCode('ML104', chain([ORDER], ['migrations.RunSQL("ALTER TABLE orders_order DROP COLUMN code")']), 1);
    assert.strictEqual(used.possible, undefined);
  });

  it('json to jsonb from the column itself converts (or fails); from something else it may lose', async () => {
    const own = chain([
      "migrations.RunSQL('ALTER TABLE \"projects_config\" ALTER COLUMN \"config\" TYPE jsonb USING regexp_replace(\"config\"::text, \\'x\\', \\'y\\', \\'g\\')::jsonb;', migrations.RunSQL.noop)",
    ]);
    await expectCode('ML104', own, 0);
    await expectCode('ML301', own, 1);
    await expectCode('ML104', chain(['migrations.RunSQL(\'ALTER TABLE "projects_config" ALTER COLUMN "config" TYPE jsonb USING NULL;\', migrations.RunSQL.noop)']), 1);
  });
});

/** Adds `# migration-lens: ignore CODE` to the lines where the code is reported. */
function suppressAll(files: Record<string, string>, rel: string, lines: number[], code: string): Record<string, string> {
  const text = files[rel].split('\n');
  for (const l of lines) text[l] += `  # migration-lens: ignore ${code}`;
  return { ...files, [rel]: text.join('\n') };
}

describe('risk rules', () => {
  for (const c of CASES) {
    describe(`${c.code} ${RULES_BY_CODE.get(c.code)!.title}`, () => {
      c.positive.forEach((p, i) => {
        it(`positive #${i + 1}`, async () => {
          const hits = await expectCode(c.code, chain(...p));
          if (i === 0) assert.match(messageWithHelp(hits[0]), c.says);
          covered(c.code, 'positive');
        });
      });
      c.negative.forEach((n, i) => {
        it(`negative #${i + 1}`, async () => {
          await expectCode(c.code, chain(...n), 0);
          covered(c.code, 'negative');
        });
      });
      it('suppressed on its line', async () => {
        const files = chain(...c.positive[0]);
        const rel = last(files);
        const { findings } = await codesIn(files);
        const lines = findings.filter((f) => f.code === c.code).map((f) => f.range.start.line);
        assert.ok(lines.length);
        const quiet = await codesIn(suppressAll(files, rel, lines, c.code));
        assert.deepStrictEqual(
          quiet.findings.filter((f) => f.code === c.code),
          [],
        );
        covered(c.code, 'suppressed');
      });
    });
  }
});
