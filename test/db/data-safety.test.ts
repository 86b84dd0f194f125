// The extension's only writer is Django's migrate: the reader's transactions are read-only on the
// servers (a write inside one is refused by the server itself), and a SQLite file is never written,
// not even a journal, while it is read and probed.
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { sql } from 'kysely';
import { openReader } from '../../core/src/database/reader';
import { ProjectDatabase } from '../../core/src/database/session';
import { freshDatabase, EngineName } from '../helpers/djangos';
import { shopCopy } from '../helpers/django-project';
import type { ProbeSpec } from '../../server/src/protocol';

const WRITES = ["INSERT INTO store_category (name, slug) VALUES ('x', 'x')", "UPDATE store_product SET sku = 'X'", 'DELETE FROM django_migrations', 'CREATE TABLE ml_should_not_exist (id integer)'];
const PROBES: ProbeSpec[] = [
  { id: 'a', migration: 'store.0003_product_sku_required', source: 'ML202', probe: { kind: 'nulls', table: 'store_product', column: 'sku' } },
  { id: 'b', migration: 'store.0003_product_sku_required', source: 'ML203', probe: { kind: 'duplicates', table: 'store_product', columns: ['sku'] } },
];

describe('data safety: the extension never writes the database', function () {
  this.timeout(120_000);

  for (const engine of ['postgres', 'mysql'] as EngineName[]) {
    it(`${engine}: a write inside the reader's transaction is refused by the server, and reading changes nothing`, async function () {
      const db = freshDatabase(this, engine, 'safety');
      const shop = shopCopy(db.env);
      try {
        shop.manage('migrate', 'store', '0002', '--noinput');
        shop.sql("INSERT INTO store_category (name, slug) VALUES ('Tea', 'tea')");
        const before = shop.recorded();
        const reader = openReader({ engine, host: '127.0.0.1', port: Number(db.env.DB_PORT), database: db.env.DB_NAME, user: db.env.DB_USER, password: '', source: 'test' });
        try {
          for (const statement of WRITES) {
            await assert.rejects(
              reader.readOnly((trx) => sql.raw(statement).execute(trx)),
              (e: Error) => /read-only|READ ONLY/i.test(e.message),
              statement,
            );
            // Outside a transaction too: the session itself is read-only.
            await assert.rejects(sql.raw(statement).execute(reader.db), (e: Error) => /read-only|READ ONLY/i.test(e.message), `${statement} (no transaction)`);
          }
        } finally {
          await reader.close();
        }
        const project = new ProjectDatabase(shop.root);
        const inputs = { projectRoot: shop.root, env: db.env };
        const report = await project.readApplied(inputs);
        assert.strictEqual(report.problem, undefined);
        // The engine and version the server reports, for judging the impact of schema operations.
        if (engine === 'postgres') assert.match(`${report.engine?.name} ${report.engine?.version}`, /^postgresql \d+$/);
        else assert.match(`${report.engine?.name} ${report.engine?.version}`, /^(mariadb|mysql) \d+\.\d+$/);
        await project.probe(PROBES);
        await project.close();
        assert.deepStrictEqual(shop.recorded(), before);
        assert.doesNotMatch(shop.manage('shell', '-c', 'from django.db import connection\nprint(connection.introspection.table_names())'), /ml_should_not_exist/);
        assert.strictEqual(
          shop.manage('shell', '-c', 'from django.db import connection\nc = connection.cursor()\nc.execute("SELECT count(*) FROM store_category")\nprint(c.fetchone()[0])').trim(),
          '1',
        );
      } finally {
        shop.dispose();
        db.drop();
      }
    });
  }

  it('sqlite: reading and probing leave the file byte for byte as it was, with no journal or WAL', async () => {
    const shop = shopCopy({ DB_ENGINE: 'sqlite' });
    try {
      shop.manage('migrate', 'store', '0002', '--noinput');
      const file = path.join(shop.root, '_data', 'db.sqlite3');
      const hash = () => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
      const before = { hash: hash(), mtime: fs.statSync(file).mtimeMs, dir: fs.readdirSync(path.dirname(file)).sort() };
      const project = new ProjectDatabase(shop.root);
      for (let i = 0; i < 3; i++) {
        const report = await project.readApplied({ projectRoot: shop.root, env: { DB_ENGINE: 'sqlite' } });
        assert.ok(report.rows && report.rows.length > 0, report.problem?.message);
        assert.deepStrictEqual(report.engine, { name: 'sqlite' });
        await project.probe(PROBES);
      }
      // A write sent through the reader reaches only the in-memory snapshot, never the file.
      const reader = openReader({ engine: 'sqlite', file, source: 'test' });
      await reader.readOnly((trx) => sql.raw(WRITES[2]).execute(trx)).catch(() => undefined);
      await reader.close();
      await project.close();
      assert.deepStrictEqual({ hash: hash(), mtime: fs.statSync(file).mtimeMs, dir: fs.readdirSync(path.dirname(file)).sort() }, before);
      assert.ok(shop.recorded().length > 0, 'django_migrations still holds its rows');
    } finally {
      shop.dispose();
    }
  });
});
