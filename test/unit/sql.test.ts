// The SQL reader of RunSQL (server/src/analysis/sql.ts): statements, what each does to the data, and
// what it cannot read. Then ML506 for SQL that cannot be read, through a migration.
import * as assert from 'assert';
import { initSql, losesData, MAX_SQL_CHARS, readSql, SqlEffect, SqlStatement, writesRows } from '../../server/src/analysis/sql';
import { chain, codesIn, last } from '../helpers/chain';
import { covered } from '../helpers/rule-coverage';

before(() => initSql());

const effects = (sql: string, params = false): SqlEffect[] => readSql(sql, { params }).flatMap((s) => s.effects);
const kinds = (sql: string, params = false): string[] => effects(sql, params).map((e) => e.kind);
const losses = (sql: string): SqlEffect[] => effects(sql).filter(losesData);
const only = (sql: string, params = false): SqlStatement => {
  const s = readSql(sql, { params });
  assert.strictEqual(s.length, 1, JSON.stringify(s));
  return s[0];
};
const typeChange = (sql: string) => {
  const e = effects(sql).filter((x): x is Extract<SqlEffect, { kind: 'type-change' }> => x.kind === 'type-change');
  assert.strictEqual(e.length, 1, `${sql}: ${JSON.stringify(effects(sql))}`);
  return e[0];
};

describe('SQL reader', () => {
  describe('statements', () => {
    it('splits a text into its statements, each with its own text, without the comments before it', () => {
      const s = readSql('-- clean up\nDROP TABLE legacy;\n\n/* then */ DELETE FROM orders_order WHERE id = 1;\n;  ;\nSELECT 1');
      assert.deepStrictEqual(
        s.map((x) => x.text),
        ['DROP TABLE legacy', 'DELETE FROM orders_order WHERE id = 1', 'SELECT 1'],
      );
      assert.deepStrictEqual(
        s.map((x) => x.dialect),
        ['postgresql', 'postgresql', 'postgresql'],
      );
    });

    it('reads nothing in an empty text or one of comments only', () => {
      assert.deepStrictEqual(readSql(''), []);
      assert.deepStrictEqual(readSql('  \n '), []);
      assert.deepStrictEqual(readSql('-- DROP TABLE x;\n/* TRUNCATE y; */'), []);
    });

    it('keeps statement texts right after multi-byte characters', () => {
      const s = readSql("UPDATE t SET note = 'café ☕ 😀'; DROP TABLE x");
      assert.deepStrictEqual(
        s.map((x) => x.text),
        ["UPDATE t SET note = 'café ☕ 😀'", 'DROP TABLE x'],
      );
      // The same when the text is split statement by statement (one of them is not PostgreSQL).
      const split = readSql("UPDATE t SET note = 'café ☕ 😀'; SELEC 'ü'; ALTER TABLE `tä` DROP COLUMN `ö`");
      assert.deepStrictEqual(
        split.map((x) => x.text),
        ["UPDATE t SET note = 'café ☕ 😀'", "SELEC 'ü'", 'ALTER TABLE `tä` DROP COLUMN `ö`'],
      );
      assert.deepStrictEqual(split[2].effects, [{ kind: 'drop-column', table: 'tä', column: 'ö' }]);
    });

    it('reads the same text twice to the same result', () => {
      const sql = 'DELETE FROM t; DROP TABLE u';
      assert.strictEqual(readSql(sql), readSql(sql));
      assert.notStrictEqual(readSql(sql, { params: true }), readSql(sql));
      assert.deepStrictEqual(readSql(sql, { params: true }), readSql(sql));
    });
  });

  describe('column changes', () => {
    it('a column literally named type: SET DEFAULT and DROP NOT NULL change no type', () => {
      assert.deepStrictEqual(effects("ALTER TABLE t ALTER COLUMN type SET DEFAULT 'x'"), [{ kind: 'set-default', table: 't', column: 'type' }]);
      assert.deepStrictEqual(effects('ALTER TABLE t ALTER COLUMN "type" DROP NOT NULL'), []);
      assert.deepStrictEqual(effects("ALTER TABLE discount_promotion ALTER COLUMN type SET DEFAULT 'catalogue';"), [{ kind: 'set-default', table: 'discount_promotion', column: 'type' }]);
      assert.deepStrictEqual(losses("ALTER TABLE t ALTER COLUMN type SET DEFAULT 'x'"), []);
    });

    it('TYPE bigint, SET DATA TYPE bigint and int8 widen, with table, column and type', () => {
      for (const sql of ['ALTER TABLE t ALTER COLUMN id TYPE bigint', 'ALTER TABLE t ALTER COLUMN id SET DATA TYPE bigint', 'ALTER TABLE ONLY t ALTER id TYPE int8']) {
        const e = typeChange(sql);
        assert.deepStrictEqual([e.table, e.column, e.type, e.using, e.widening], ['t', 'id', 'bigint', false, true], sql);
        assert.deepStrictEqual(losses(sql), [], sql);
      }
    });

    it('text, and varchar / numeric without a limit, widen', () => {
      assert.ok(typeChange('ALTER TABLE t ALTER COLUMN c TYPE text').widening);
      assert.ok(typeChange('ALTER TABLE t ALTER COLUMN c TYPE character varying').widening);
      assert.ok(typeChange('ALTER TABLE t ALTER COLUMN c TYPE numeric').widening);
    });

    it('a narrowing or converting type change loses data: integer, varchar(n), numeric(p,s), USING, arrays, other types', () => {
      const cases: Array<[string, string]> = [
        ['ALTER TABLE t ALTER COLUMN id TYPE integer', 'integer'],
        ['ALTER TABLE t ALTER COLUMN c TYPE varchar(10)', 'varchar(10)'],
        ['ALTER TABLE t ALTER COLUMN c TYPE numeric(10,2)', 'numeric(10,2)'],
        ['ALTER TABLE t ALTER COLUMN id TYPE bigint USING id::bigint', 'bigint'],
        ['ALTER TABLE t ALTER COLUMN c TYPE text USING c::text', 'text'],
        ['ALTER TABLE t ALTER COLUMN c TYPE bigint[]', 'bigint[]'],
        ['ALTER TABLE t ALTER COLUMN c TYPE jsonb USING NULL', 'jsonb'],
        ['ALTER TABLE t ALTER COLUMN c TYPE public.text', 'public.text'],
      ];
      for (const [sql, type] of cases) {
        const e = typeChange(sql);
        assert.strictEqual(e.type, type, sql);
        assert.strictEqual(e.widening, false, sql);
        assert.strictEqual(losses(sql).length, 1, sql);
      }
    });

    it('to jsonb from the column itself converts: the values are kept, or the statement fails', () => {
      // Observed on PostgreSQL 15: json -> jsonb keeps an object's last duplicate key; text without USING is refused.
      for (const sql of ['ALTER TABLE t ALTER COLUMN c TYPE jsonb', 'ALTER TABLE t ALTER COLUMN "c" TYPE jsonb USING regexp_replace("c"::text, \'x\', \'y\')::jsonb']) {
        assert.strictEqual(typeChange(sql).widening, true, sql);
        assert.strictEqual(losses(sql).length, 0, sql);
      }
    });

    it('MySQL MODIFY id BIGINT widens, and restates the column', () => {
      const s = only('ALTER TABLE t MODIFY id BIGINT');
      assert.strictEqual(s.dialect, 'mysql');
      const e = typeChange('ALTER TABLE t MODIFY id BIGINT');
      assert.deepStrictEqual([e.table, e.column, e.type, e.widening, e.restates], ['t', 'id', 'BIGINT', true, true]);
      assert.ok(typeChange('ALTER TABLE `t` MODIFY COLUMN `id` BIGINT NOT NULL AUTO_INCREMENT').widening);
      assert.ok(typeChange('ALTER TABLE t MODIFY body LONGTEXT').widening);
    });

    it('MySQL narrowing: UNSIGNED, TEXT, DECIMAL, VARCHAR(n); CHANGE renames too', () => {
      assert.strictEqual(typeChange('ALTER TABLE t MODIFY id BIGINT UNSIGNED').widening, false);
      assert.strictEqual(typeChange('ALTER TABLE t MODIFY body TEXT').widening, false);
      assert.strictEqual(typeChange('ALTER TABLE t MODIFY price DECIMAL').widening, false);
      const e = typeChange('ALTER TABLE t CHANGE code ref VARCHAR(10) NOT NULL');
      assert.deepStrictEqual([e.column, e.renamedTo, e.type, e.widening], ['code', 'ref', 'VARCHAR(10)', false]);
    });

    it('DROP COLUMN loses the column; DROP CONSTRAINT, DROP DEFAULT, DROP NOT NULL, RENAME do not', () => {
      assert.deepStrictEqual(losses('ALTER TABLE x DROP COLUMN y'), [{ kind: 'drop-column', table: 'x', column: 'y' }]);
      assert.deepStrictEqual(
        losses('ALTER TABLE x DROP y, DROP COLUMN IF EXISTS z').map((e) => e.kind),
        ['drop-column', 'drop-column'],
      );
      assert.deepStrictEqual(losses('ALTER TABLE `x` DROP COLUMN `y`'), [{ kind: 'drop-column', table: 'x', column: 'y' }]);
      for (const sql of [
        'ALTER TABLE x DROP CONSTRAINT y',
        'ALTER TABLE x DROP CONSTRAINT IF EXISTS y CASCADE',
        'ALTER TABLE x ALTER COLUMN y DROP DEFAULT',
        'ALTER TABLE x ALTER COLUMN y DROP NOT NULL',
        'ALTER TABLE x RENAME COLUMN y TO z',
        'ALTER TABLE x DROP INDEX i, DROP FOREIGN KEY fk',
      ]) {
        assert.deepStrictEqual(losses(sql), [], sql);
      }
    });
  });

  describe('rows and tables', () => {
    it('DELETE with WHERE writes rows; DELETE without WHERE deletes every row', () => {
      assert.deepStrictEqual(effects('DELETE FROM t WHERE id = 1'), [{ kind: 'write', verb: 'DELETE', table: 't' }]);
      assert.deepStrictEqual(losses('DELETE FROM t'), [{ kind: 'delete-all', table: 't' }]);
      assert.deepStrictEqual(losses('delete from auth_group_permissions'), [{ kind: 'delete-all', table: 'auth_group_permissions' }]);
      assert.deepStrictEqual(losses('WITH gone AS (DELETE FROM t RETURNING id) SELECT count(*) FROM gone'), [{ kind: 'delete-all', table: 't' }]);
    });

    it('TRUNCATE empties every table it names', () => {
      assert.deepStrictEqual(losses('TRUNCATE a, public.b RESTART IDENTITY'), [
        { kind: 'truncate', table: 'a' },
        { kind: 'truncate', table: 'public.b' },
      ]);
      assert.deepStrictEqual(kinds('TRUNCATE TABLE `c`'), ['truncate']);
    });

    it('DROP TABLE (IF EXISTS, qualified, quoted), DROP SCHEMA and DROP DATABASE lose data', () => {
      assert.deepStrictEqual(losses('DROP TABLE IF EXISTS legacy'), [{ kind: 'drop-table', table: 'legacy' }]);
      assert.deepStrictEqual(
        losses('DROP TABLE public."Legacy", other CASCADE').map((e) => (e as { table: string }).table),
        ['public.Legacy', 'other'],
      );
      assert.deepStrictEqual(losses('DROP TABLE IF EXISTS `legacy`'), [{ kind: 'drop-table', table: 'legacy' }]);
      assert.deepStrictEqual(kinds('DROP SCHEMA old CASCADE'), ['drop-schema']);
      assert.deepStrictEqual(losses('DROP DATABASE scratch'), [{ kind: 'drop-schema', name: 'scratch', database: true }]);
    });

    it('DROP TYPE / DOMAIN ... CASCADE drops the columns of that type; without CASCADE nothing', () => {
      assert.deepStrictEqual(kinds('DROP TYPE mood CASCADE'), ['drop-type']);
      assert.deepStrictEqual(kinds('DROP DOMAIN posint CASCADE'), ['drop-type']);
      assert.deepStrictEqual(kinds('DROP TYPE mood'), []);
    });

    it('DROP INDEX, FUNCTION, TRIGGER, VIEW, MATERIALIZED VIEW, SEQUENCE lose no rows', () => {
      for (const sql of [
        'DROP INDEX legacy_idx',
        'DROP INDEX CONCURRENTLY IF EXISTS legacy_idx',
        'DROP FUNCTION IF EXISTS book_trigger',
        'DROP FUNCTION powersync_ensure_ingredient_synced(bigint)',
        'DROP TRIGGER IF EXISTS search_vector_trigger ON bookwyrm_book',
        'DROP VIEW report',
        'DROP MATERIALIZED VIEW report_cache',
        'DROP SEQUENCE IF EXISTS "django_admin_log_id_seq"',
        'DROP VIEW `report`',
      ]) {
        assert.deepStrictEqual(effects(sql), [], sql);
        assert.ok(readSql(sql)[0].dialect, sql);
      }
    });

    it('writes rows: INSERT, UPDATE, DELETE, COPY ... FROM, MERGE, MySQL REPLACE; not SELECT or COPY ... TO', () => {
      const verbs = (sql: string) =>
        effects(sql)
          .filter((e) => e.kind === 'write')
          .map((e) => (e as { verb: string }).verb);
      assert.deepStrictEqual(verbs("INSERT INTO t (a) VALUES ('x')"), ['INSERT']);
      assert.deepStrictEqual(verbs('UPDATE t SET a = 1 WHERE a IS NULL'), ['UPDATE']);
      assert.deepStrictEqual(verbs('COPY t FROM STDIN'), ['COPY']);
      assert.deepStrictEqual(verbs('MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = s.a'), ['MERGE']);
      assert.deepStrictEqual(verbs("INSERT INTO t (a) VALUES ('x') ON DUPLICATE KEY UPDATE a = 'y'"), ['INSERT']);
      assert.deepStrictEqual(verbs('REPLACE INTO t VALUES (1)'), ['REPLACE']);
      assert.deepStrictEqual(verbs('COPY t TO STDOUT'), []);
      assert.deepStrictEqual(verbs("SELECT setval('users_group_id_seq', (SELECT MAX(id) FROM users_group))"), []);
      assert.ok(writesRows(only('UPDATE t SET a = 1')));
      assert.ok(!writesRows(only('CREATE INDEX i ON t (a)')));
    });
  });

  describe('what never counts', () => {
    it('a DELETE inside a function body is not a statement of the migration', () => {
      const sql = 'CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN DELETE FROM t; RETURN NEW; END $$ LANGUAGE plpgsql';
      assert.deepStrictEqual(
        readSql(sql).map((s) => [s.dialect, s.effects]),
        [['postgresql', []]],
      );
    });

    it('nor inside named dollar quotes, DO blocks, BEGIN ATOMIC bodies and triggers', () => {
      const sql = [
        'CREATE OR REPLACE FUNCTION clean() RETURNS trigger AS $clean$ DECLARE k text; BEGIN UPDATE t SET a = 1; DROP TABLE x; RETURN NULL; END; $clean$ LANGUAGE plpgsql',
        "DO $$ BEGIN TRUNCATE t; EXECUTE 'DROP TABLE y'; END $$",
        'CREATE FUNCTION g() RETURNS void LANGUAGE sql BEGIN ATOMIC DELETE FROM t; END',
        'CREATE TRIGGER trg AFTER DELETE ON t FOR EACH ROW EXECUTE FUNCTION clean()',
      ].join(';\n');
      const s = readSql(sql);
      assert.strictEqual(s.length, 4, JSON.stringify(s));
      assert.deepStrictEqual(
        s.flatMap((x) => x.effects),
        [],
      );
      assert.ok(s.every((x) => x.dialect === 'postgresql'));
    });

    it('nor in a body when the text is read statement by statement (BEGIN ATOMIC, a MySQL trigger, a multi-action rule)', () => {
      const atomic = readSql('CREATE FUNCTION g() RETURNS void LANGUAGE sql BEGIN ATOMIC UPDATE x SET a = 1; DELETE FROM t; END; ALTER TABLE t MODIFY id BIGINT');
      assert.deepStrictEqual(
        atomic.map((s) => [s.dialect, s.effects.map((e) => e.kind)]),
        [
          ['postgresql', []],
          ['mysql', ['type-change']],
        ],
      );
      const trigger = readSql(
        'CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW BEGIN IF NEW.a IS NULL THEN DELETE FROM u; END IF; ' + 'SET NEW.b = CASE WHEN 1 THEN 2 END; DELETE FROM v; END; DROP TABLE `w`',
      );
      assert.strictEqual(trigger.length, 2, JSON.stringify(trigger));
      assert.ok(trigger[0].unreadable, 'the trigger is one statement, not read: never its DELETEs');
      assert.deepStrictEqual(trigger[1].effects, [{ kind: 'drop-table', table: 'w' }]);
      const rule = readSql('CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO log VALUES (1); DELETE FROM u); ALTER TABLE t MODIFY id INT');
      assert.deepStrictEqual(
        rule.map((s) => s.effects.map((e) => e.kind)),
        [[], ['type-change']],
      );
      const transaction = readSql('BEGIN; DELETE FROM t; COMMIT; ALTER TABLE t MODIFY id INT');
      assert.deepStrictEqual(
        transaction.map((s) => s.text),
        ['BEGIN', 'DELETE FROM t', 'COMMIT', 'ALTER TABLE t MODIFY id INT'],
      );
    });

    it('nor in string literals or comments, in either dialect', () => {
      assert.deepStrictEqual(kinds("INSERT INTO log VALUES ('DROP TABLE x; DELETE FROM y')"), ['write']);
      assert.deepStrictEqual(kinds("INSERT INTO log VALUES (E'it\\'s; DROP TABLE x')"), ['write']);
      assert.deepStrictEqual(kinds('SELECT 1 -- ; DROP TABLE x\n'), []);
      assert.deepStrictEqual(kinds('SELECT /* ; TRUNCATE t; */ 1'), []);
      assert.deepStrictEqual(kinds("UPDATE t SET a = 'it\\'s; DROP TABLE x' WHERE id = 1 # DROP TABLE y"), ['write']);
    });
  });

  describe('parameters', () => {
    it("with parameters, %s, %(name)s and %% are the driver's, and the statement is read", () => {
      const s = only("UPDATE orders_order SET note = %s, code = %(code)s WHERE qty = %s AND note LIKE 'a%%'", true);
      assert.strictEqual(s.dialect, 'postgresql');
      assert.strictEqual(s.text, "UPDATE orders_order SET note = %s, code = %(code)s WHERE qty = %s AND note LIKE 'a%%'");
      assert.deepStrictEqual(s.effects, [{ kind: 'write', verb: 'UPDATE', table: 'orders_order' }]);
      assert.deepStrictEqual(kinds('DELETE FROM t WHERE id = %s', true), ['write']);
      assert.strictEqual(only('UPDATE t SET a = %s', true).unreadable, undefined);
    });

    it('without parameters, %s is no placeholder', () => {
      assert.match(only('UPDATE t SET a = %s').unreadable ?? '', /syntax error/);
      assert.strictEqual(only("UPDATE t SET a = 'x%' WHERE b LIKE '%s'").unreadable, undefined);
    });
  });

  describe('what cannot be read', () => {
    it('is returned as unreadable with the reason, and the statements around it are still read', () => {
      const s = readSql('DROP TABLE a; SELEC 1; ALTER TABLE t MODIFY id BIGINT; TRUNCATE b');
      assert.deepStrictEqual(
        s.map((x) => [x.text, x.dialect]),
        [
          ['DROP TABLE a', 'postgresql'],
          ['SELEC 1', undefined],
          ['ALTER TABLE t MODIFY id BIGINT', 'mysql'],
          ['TRUNCATE b', 'postgresql'],
        ],
      );
      assert.match(s[1].unreadable!, /syntax error at or near "SELEC"/);
      assert.deepStrictEqual(s[1].effects, []);
    });

    it('an unterminated string makes the whole text unreadable, never half read', () => {
      const s = readSql("UPDATE t SET a = 'x; DROP TABLE y");
      assert.strictEqual(s.length, 1);
      assert.strictEqual(s[0].dialect, undefined);
      assert.match(s[0].unreadable!, /unterminated/);
    });

    it('MySQL with backslash escapes is read as MySQL as a whole', () => {
      const s = readSql("UPDATE t SET a = 'it\\'s'; DROP TABLE x");
      assert.deepStrictEqual(
        s.map((x) => [x.dialect, x.effects.map((e) => e.kind)]),
        [
          ['mysql', ['write']],
          ['mysql', ['drop-table']],
        ],
      );
    });

    it('more SQL than is read says so', () => {
      const big = `INSERT INTO t VALUES ${Array.from({ length: MAX_SQL_CHARS / 4 }, (_, i) => `(${i})`).join(',')}`;
      const s = only(big);
      assert.match(s.unreadable!, /KB of SQL is more than is read \(256 KB\)/);
    });

    it('odd input never throws: NUL, lone surrogates, deep nesting, garbage', () => {
      assert.deepStrictEqual(kinds('SELECT 1\u0000; DROP TABLE x'), ['drop-table'], 'NUL does not hide what follows');
      assert.deepStrictEqual(kinds("SELECT '\ud800'; DROP TABLE x"), ['drop-table']);
      const deep = readSql(`SELECT ${'('.repeat(20000)}1${')'.repeat(20000)}`);
      assert.ok(deep.length === 1 && deep[0].unreadable, 'too deep to read is unreadable');
      assert.ok(readSql('\u0001\u0002 $$ \' " ` ;;; /*').every((s) => s.unreadable));
    });
  });
});

describe('ML506 for SQL that cannot be read', () => {
  const unreadable = 'migrations.RunSQL(["UPDATE orders_order SET qty = 1", "UPDAT orders_order SET qty = 2"], "")';
  it('positive: names the SQL that could not be read', async () => {
    const { findings } = await codesIn(chain([unreadable]));
    const notes = findings.filter((f) => f.code === 'ML506');
    assert.strictEqual(notes.length, 1, JSON.stringify(findings));
    assert.match(
      notes[0].message,
      /^Not fully analyzed: the SQL `UPDAT orders_order SET qty = 2` could not be read as PostgreSQL or MySQL \(syntax error at or near "UPDAT"\); what it does to the data is not checked\.$/,
    );
    covered('ML506', 'positive');
  });
  it('negative: SQL that reads, in either dialect, with parameters, or in state_operations only', async () => {
    const { findings } = await codesIn(
      chain([
        'migrations.RunSQL([("UPDATE orders_order SET qty = %s", [1]), "ALTER TABLE orders_order MODIFY qty BIGINT"], "")',
        'migrations.SeparateDatabaseAndState(state_operations=[migrations.RunSQL("UPDAT x", "")])',
      ]),
    );
    assert.deepStrictEqual(
      findings.filter((f) => f.code === 'ML506'),
      [],
    );
    covered('ML506', 'negative');
  });
  it('suppressed on its line', async () => {
    const files = chain([`${unreadable}  # migration-lens: ignore ML506`]);
    const { findings } = await codesIn(files, last(files));
    assert.deepStrictEqual(
      findings.filter((f) => f.code === 'ML506'),
      [],
    );
    covered('ML506', 'suppressed');
  });
});
