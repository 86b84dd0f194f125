// The SQL reader's verdicts on column type changes, checked against what PostgreSQL does: a change
// it calls widening keeps every value; a conversion to jsonb keeps the values (an object's
// duplicate keys keep the last) or refuses the statement.
import * as assert from 'assert';
import { Client } from 'pg';
import { initParser } from '../../server/src/analysis/parser';
import { readSql } from '../../server/src/analysis/sql';
import { admin, requireServer, SERVERS } from '../helpers/servers';

const [PG] = SERVERS;

describe('SQL type changes on the real PostgreSQL', function () {
  this.timeout(60_000);
  const db = `ml_sql_${process.pid}`;
  let client: Client;

  before(async function () {
    requireServer(this, PG);
    await initParser();
    assert.ok(admin(PG, 'create', db).ok);
    client = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: db });
    await client.connect();
  });

  after(async () => {
    await client?.end();
    admin(PG, 'drop', db);
  });

  const widening = (sql: string) => {
    const e = readSql(sql)[0].effects.find((x) => x.kind === 'type-change');
    return e?.kind === 'type-change' && e.widening;
  };

  it('keeps every value where the reader says the type widens', async () => {
    await client.query('CREATE TABLE w (i integer, n numeric(10,2), s varchar(5), j json)');
    await client.query(`INSERT INTO w VALUES (2147483647, 12345678.91, 'abcde', '{"k": [1, 2.5, "x"]}'), (-1, -0.01, '', 'null')`);
    const before = (await client.query('SELECT i::text, n::text, s, j::text FROM w ORDER BY i')).rows;
    for (const sql of ['ALTER TABLE w ALTER COLUMN i TYPE bigint', 'ALTER TABLE w ALTER COLUMN n TYPE numeric', 'ALTER TABLE w ALTER COLUMN s TYPE text', 'ALTER TABLE w ALTER COLUMN j TYPE jsonb']) {
      assert.strictEqual(widening(sql), true, sql);
      await client.query(sql);
    }
    const after = (await client.query('SELECT i::text, n::text, s, j::text FROM w ORDER BY i')).rows;
    assert.deepStrictEqual(
      after.map((r) => [r.i, r.n, r.s]),
      before.map((r) => [r.i, r.n, r.s]),
    );
    assert.deepStrictEqual(
      after.map((r) => JSON.parse(r.j)),
      before.map((r) => JSON.parse(r.j)),
    );
  });

  it('json to jsonb keeps the last of duplicate keys; text to jsonb without USING is refused', async () => {
    await client.query('CREATE TABLE d (j json, t text)');
    await client.query(`INSERT INTO d VALUES ('{"x": 1, "x": 2}', '{"y": 1}')`);
    await client.query('ALTER TABLE d ALTER COLUMN j TYPE jsonb');
    assert.deepStrictEqual((await client.query('SELECT j FROM d')).rows[0].j, { x: 2 });
    await assert.rejects(client.query('ALTER TABLE d ALTER COLUMN t TYPE jsonb'), /cannot be cast automatically to type jsonb/);
    // The reader: converting the column's own value is kept; another expression may lose it.
    assert.strictEqual(widening('ALTER TABLE d ALTER COLUMN t TYPE jsonb USING t::jsonb'), true);
    assert.strictEqual(widening('ALTER TABLE d ALTER COLUMN t TYPE jsonb USING NULL'), false);
  });
});
