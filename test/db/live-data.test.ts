// The database layer against real engines: applied rows written by real Django on SQLite,
// PostgreSQL and MariaDB, merged with the graph, and every probe counted against data the test
// inserted, through the same path the extension takes (resolve -> read -> server specs -> probe).
import * as assert from 'assert';
import * as path from 'path';
import { ProjectDatabase } from '../../core/src/database/session';
import { runProbes } from '../../core/src/database/probes';
import { openReader } from '../../core/src/database/reader';
import type { ProbeSpec } from '../../server/src/protocol';
import { analyze } from '../helpers/project';
import { labProject, LabProject } from '../helpers/django-project';
import { admin, DbServer, requireServer, SERVERS } from '../helpers/servers';
import { Workspace } from '../../server/src/analysis/workspace';

const INITIAL = `from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Item",
            fields=[
                ("id", models.AutoField(primary_key=True)),
                ("code", models.CharField(max_length=20, null=True)),
                ("name", models.CharField(max_length=100)),
                ("qty", models.CharField(max_length=20)),
                ("label", models.CharField(max_length=100)),
                ("tag", models.CharField(max_length=20, null=True)),
                ("a", models.IntegerField()),
                ("b", models.IntegerField()),
                ("level", models.IntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(name="Legacy", fields=[("id", models.AutoField(primary_key=True)), ("x", models.IntegerField())]),
    ]
`;

const RISKY = `from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("lab", "0001_initial")]

    operations = [
        migrations.AlterField("item", "code", models.CharField(max_length=20)),
        migrations.AlterField("item", "name", models.CharField(max_length=100, unique=True)),
        migrations.AlterField("item", "qty", models.IntegerField()),
        migrations.AlterField("item", "label", models.CharField(max_length=5)),
        migrations.AlterField("item", "level", models.SmallIntegerField(default=0)),
        migrations.AlterUniqueTogether("item", {("a", "b")}),
        migrations.RemoveField("item", "tag"),
        migrations.DeleteModel("Legacy"),
        migrations.CreateModel(name="Fresh", fields=[("id", models.AutoField(primary_key=True)), ("note", models.TextField(null=True))]),
    ]
`;

const LATER = `from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("lab", "0002_risky")]

    operations = [
        migrations.AlterField("fresh", "note", models.TextField()),
    ]
`;

const ROWS = [
  // id, code, name, qty, label, tag, a, b, level
  `(1, NULL, 'x', '12', 'abc', 't1', 1, 1, 1)`,
  `(2, NULL, 'x', ' 7 ', 'abcdefgh', NULL, 1, 1, 40000)`,
  `(3, 'c', 'y', 'abc', 'toolongvalue', 't3', 2, 1, -40000)`,
  `(4, 'd', 'z', '1.5', 'ok', NULL, 2, 2, 5)`,
  `(5, NULL, 'z', '-3', 'ok', 't5', 3, 3, 5)`,
  `(6, 'e', 'w', '', 'ok', NULL, 3, 3, 5)`,
];

interface Engine {
  name: string;
  server?: DbServer;
  quote(id: string): string;
}

const ENGINES: Engine[] = [
  { name: 'sqlite', quote: (id) => `"${id.replace(/"/g, '""')}"` },
  { name: 'postgres', server: SERVERS[0], quote: (id) => `"${id.replace(/"/g, '""')}"` },
  { name: 'mariadb', server: SERVERS[1], quote: (id) => '`' + id.replace(/`/g, '``') + '`' },
];

const HOSTILE_TABLE = 'we"ird`; drop table lab_canary; --';
const HOSTILE_COLUMN = 'co"l`\'; --';

for (const engine of ENGINES) {
  describe(`database layer on ${engine.name}`, function () {
    this.timeout(120_000);
    let lab: LabProject;
    let dbName: string | undefined;
    let ws: Workspace;
    let db: ProjectDatabase;

    const tz = process.env.TZ;
    before(async function () {
      // A zone other than UTC, so that a time read in the local zone would show.
      process.env.TZ = 'America/New_York';
      if (engine.server) requireServer(this, engine.server);
      let env: Record<string, string> = { DB_ENGINE: 'sqlite' };
      if (engine.server) {
        dbName = `ml_live_${process.pid}_${engine.name}`;
        const r = admin(engine.server, 'create', dbName);
        assert.ok(r.ok, r.error);
        env = { ...engine.server.env, DB_NAME: dbName };
      }
      lab = labProject(['lab'], env);
      lab.write('lab', '0001_initial', INITIAL);
      lab.manage('migrate', '--noinput');
      const t = (s: string) => engine.quote(s);
      lab.sql(
        ...ROWS.map((r) => `INSERT INTO lab_item (id, code, name, qty, label, tag, a, b, level) VALUES ${r}`),
        ...[1, 2, 3, 4].map((i) => `INSERT INTO lab_legacy (id, x) VALUES (${i}, ${i})`),
        `CREATE TABLE lab_canary (id integer)`,
        `CREATE TABLE ${t(HOSTILE_TABLE)} (id integer, ${t(HOSTILE_COLUMN)} varchar(20))`,
        `INSERT INTO ${t(HOSTILE_TABLE)} VALUES (1, NULL), (2, 'a'), (3, 'a'), (4, NULL)`,
      );
      lab.write('lab', '0002_risky', RISKY);
      lab.write('lab', '0003_later', LATER);
      ws = await analyze(lab.root);
      db = new ProjectDatabase(lab.root, { statementTimeoutMs: 5000 });
    });

    after(async () => {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
      await db?.close();
      lab?.dispose();
      if (engine.server && dbName) admin(engine.server, 'drop', dbName);
    });

    it('reads the applied rows Django wrote, with their times in UTC, and merges them with the graph', async () => {
      const report = await db.readApplied({ projectRoot: lab.root, env: lab.env });
      assert.strictEqual(report.problem, undefined, report.problem?.message);
      const expected = lab.recorded();
      const got = report.rows!.map((r) => `${r.app}.${r.name} ${r.applied!.replace('Z', '+00:00')}`);
      assert.deepStrictEqual(got, expected);
      assert.match(report.description, engine.name === 'sqlite' ? /^SQLite _data\/db\.sqlite3 \(from DB_\* variables/ : /@127\.0\.0\.1:\d+\/ml_live_/);
      assert.ok(!report.description.includes('password'));

      ws.setApplied(lab.root, report.rows!);
      assert.ok(ws.isApplied(path.join(lab.root, 'lab/migrations/0001_initial.py')));
      assert.ok(ws.isPending(path.join(lab.root, 'lab/migrations/0002_risky.py')));
      assert.deepStrictEqual(ws.historyOf(lab.root)!.externalApps, ['contenttypes']);
      assert.deepStrictEqual(ws.historyOf(lab.root)!.ghosts, []);
    });

    it('counts NULLs, duplicates, unconvertible and lost values for the pending migration, and skips tables not created yet', async () => {
      const specs = ws.probeSpecs(lab.root);
      const bySource = (code: string) => specs.filter((s) => s.source === code);
      assert.deepStrictEqual(specs.map((s) => `${s.migration} ${s.source} ${s.probe.kind}`).sort(), [
        'lab.0002_risky ML101 loss',
        'lab.0002_risky ML102 loss',
        'lab.0002_risky ML103 convert',
        'lab.0002_risky ML106 convert',
        'lab.0002_risky ML106 convert',
        'lab.0002_risky ML202 nulls',
        'lab.0002_risky ML203 duplicates',
        'lab.0002_risky ML203 duplicates',
        // The sizes of the tables the pending operations lock or rewrite (ML701, the plan).
        'lab.0002_risky impact size',
        'lab.0002_risky impact size',
        'lab.0003_later ML202 nulls',
        'lab.0003_later impact size',
      ]);
      const results = await db.probe(specs);
      const of = (s: ProbeSpec) => results.find((r) => r.id === s.id)!;
      assert.deepStrictEqual(
        results.filter((r) => r.error),
        [],
      );
      assert.deepStrictEqual(
        bySource('ML202').map((s) => [of(s).count, of(s).total, of(s).skipped && 'skipped']),
        [
          [3, 6, undefined],
          [undefined, undefined, 'skipped'],
        ],
      );
      assert.deepStrictEqual(
        bySource('ML203').map((s) => [of(s).count, of(s).total]),
        [
          [2, 4],
          [2, 4],
        ],
      );
      assert.deepStrictEqual(
        bySource('ML103').map((s) => of(s).count),
        [3],
      );
      assert.deepStrictEqual(
        bySource('ML106').map((s) => of(s).count),
        [2, 2],
      );
      assert.deepStrictEqual(
        bySource('ML101').map((s) => [of(s).count, of(s).total]),
        [[3, 6]],
      );
      assert.deepStrictEqual(
        bySource('ML102').map((s) => of(s).count),
        [4],
      );
      // Sizes: what the catalog says (server estimates; PostgreSQL before any ANALYZE: rows unknown,
      // not zero), SQLite counts; a table a pending migration creates first is skipped.
      const sizes = bySource('impact').map((s) => of(s));
      assert.deepStrictEqual(
        bySource('impact')
          .slice(0, 2)
          .map((s) => s.probe.table),
        ['lab_item', 'lab_legacy'],
      );
      if (engine.name === 'sqlite')
        assert.deepStrictEqual(
          sizes.slice(0, 2).map((r) => [r.count, r.bytes]),
          [
            [6, undefined],
            [4, undefined],
          ],
        );
      else for (const r of sizes.slice(0, 2)) assert.ok(r.bytes! > 0 && (r.count === undefined || r.count >= 0), JSON.stringify(r));
      // Back in the server: each count becomes its finding, next to the one it counts for.
      ws.setProbeResults(lab.root, results);
      const findings = ws.findings(path.join(lab.root, 'lab/migrations/0002_risky.py'));
      const live = findings.filter((f) => /^ML60[1-4]$/.test(f.code)).map((f) => `${f.code} ${f.range.start.line}: ${f.message.split(':')[0]}`);
      assert.deepStrictEqual(live, [
        'ML601 7: 3 of 6 rows in lab_item hold NULL in "code"',
        'ML602 8: 2 values of "name" in lab_item appear more than once, held by 4 rows',
        'ML603 9: 3 values in lab_item."qty" do not parse as integer (of 6 rows)',
        'ML603 10: 2 values in lab_item."label" are longer than max_length=5 (of 6 rows)',
        'ML603 11: 2 values in lab_item."level" do not fit a 16-bit integer (of 6 rows)',
        'ML602 12: 2 values of ("a", "b") in lab_item appear more than once, held by 4 rows',
        'ML604 13: 3 non-null values in lab_item."tag" (6 rows in the table) will be lost; rolling back brings the column back empty.',
        'ML604 14: 4 rows of lab_legacy will be lost; rolling back brings the table back empty.',
      ]);
      // Nothing counted for an applied migration.
      assert.deepStrictEqual(
        ws.findings(path.join(lab.root, 'lab/migrations/0001_initial.py')).filter((f) => f.code.startsWith('ML6')),
        [],
      );
    });

    it('quotes hostile table and column names: counts them and breaks out of nothing', async () => {
      const reader = openReader({ ...(await db.readApplied({ projectRoot: lab.root, env: lab.env })).connection! });
      try {
        const specs: ProbeSpec[] = [
          { id: 'n', migration: 'lab.x', source: 'ML202', probe: { kind: 'nulls', table: HOSTILE_TABLE, column: HOSTILE_COLUMN } },
          { id: 'd', migration: 'lab.x', source: 'ML203', probe: { kind: 'duplicates', table: HOSTILE_TABLE, columns: [HOSTILE_COLUMN] } },
          {
            id: 'c',
            migration: 'lab.x',
            source: 'ML103',
            probe: { kind: 'convert', table: HOSTILE_TABLE, column: HOSTILE_COLUMN, from: 'text', target: { type: 'integer', bits: 32, unsigned: false } },
          },
          { id: 'm', migration: 'lab.x', source: 'ML101', probe: { kind: 'loss', table: 'no"such`table', column: 'x' } },
        ];
        const r = await runProbes(reader, specs);
        assert.deepStrictEqual(
          r.map((x) => [x.id, x.count, x.total, x.error]),
          [
            ['n', 2, 4, undefined],
            ['d', 1, 2, undefined],
            ['c', 2, 2, undefined],
            ['m', undefined, undefined, undefined],
          ],
        );
        assert.match(r[3].skipped!, /does not exist yet/);
      } finally {
        await reader.close();
      }
      lab.sql('SELECT count(*) FROM lab_canary');
    });
  });
}
