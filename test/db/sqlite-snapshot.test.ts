// SQLite read from a snapshot while another process writes: committed WAL frames are seen,
// uncommitted ones are not, and a hot rollback journal (a writer that spilled pages and then died)
// never yields a torn read. The files are written by real Django and Python's sqlite3.
import * as assert from 'assert';
import * as cp from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import initSqlJs from 'sql.js';
import { ProjectDatabase } from '../../core/src/database/session';
import { labProject, LabProject } from '../helpers/django-project';
import { PYTHON } from '../helpers/servers';

const INITIAL = `from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(name="Blob", fields=[("id", models.AutoField(primary_key=True)), ("data", models.TextField())]),
    ]
`;

/** Python that writes with real SQLite, then dies without closing (os._exit), leaving its files behind. */
function crashWriter(file: string, script: string): void {
  const code = `import os, sqlite3, sys\ncon = sqlite3.connect(sys.argv[1], isolation_level=None)\n${script}\nos._exit(0)\n`;
  const r = cp.spawnSync(PYTHON, ['-c', code, file], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
}

async function naiveNames(file: string): Promise<string[] | string> {
  const SQL = await initSqlJs();
  try {
    const db = new SQL.Database(fs.readFileSync(file));
    const r = db.exec("select name from django_migrations where app = 'lab' order by id");
    db.close();
    return (r[0]?.values ?? []).map((v) => String(v[0]));
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

describe('SQLite snapshots while another process writes', function () {
  this.timeout(60_000);
  let lab: LabProject;
  let file: string;
  let db: ProjectDatabase;

  beforeEach(() => {
    lab = labProject(['lab'], { DB_ENGINE: 'sqlite' });
    lab.write('lab', '0001_initial', INITIAL);
    lab.manage('migrate', '--noinput');
    file = path.join(lab.root, '_data', 'db.sqlite3');
    db = new ProjectDatabase(lab.root);
  });
  afterEach(async () => {
    await db.close();
    lab.dispose();
  });

  const labNames = async () => {
    const r = await db.readApplied({ projectRoot: lab.root, env: lab.env });
    assert.strictEqual(r.problem, undefined, r.problem?.message);
    return { names: r.rows!.filter((x) => x.app === 'lab').map((x) => x.name), notes: r.notes };
  };

  it('folds committed WAL frames in and leaves uncommitted ones out', async () => {
    crashWriter(
      file,
      [
        "con.execute('pragma journal_mode=wal')",
        "con.execute('pragma wal_autocheckpoint=0')",
        "con.execute(\"insert into django_migrations (app, name, applied) values ('lab', '0002_in_wal', '2026-11-24 10:00:00.123456')\")",
        "con.execute('pragma cache_size=2')",
        'con.execute("begin")',
        "con.execute(\"insert into django_migrations (app, name, applied) values ('lab', '0003_uncommitted', '2026-11-24 10:00:01')\")",
        "for i in range(400): con.execute('insert into lab_blob (data) values (?)', ('x' * 3000,))",
      ].join('\n'),
    );
    assert.ok(fs.statSync(file + '-wal').size > 100_000, 'the writer left a WAL with spilled frames');
    // Without the WAL, the committed row is invisible.
    assert.deepStrictEqual(await naiveNames(file), ['0001_initial']);
    const { names, notes } = await labNames();
    assert.deepStrictEqual(names, ['0001_initial', '0002_in_wal']);
    assert.ok(
      notes.some((n) => /committed WAL frames/.test(n)),
      notes.join(),
    );
    const r = await db.readApplied({ projectRoot: lab.root, env: lab.env });
    assert.strictEqual(r.rows!.find((x) => x.name === '0002_in_wal')!.applied, '2026-11-24T10:00:00.123Z');
  });

  it("rolls a hot journal back instead of reading a dead writer's uncommitted pages", async () => {
    crashWriter(
      file,
      [
        "con.execute('pragma cache_size=2')",
        'con.execute("begin")',
        'con.execute("delete from django_migrations where app = \'lab\'")',
        "con.execute(\"insert into django_migrations (app, name, applied) values ('lab', '0009_torn', '2026-11-24 10:00:00')\")",
        "for i in range(400): con.execute('insert into lab_blob (data) values (?)', ('y' * 3000,))",
      ].join('\n'),
    );
    assert.ok(fs.statSync(file + '-journal').size > 0, 'the writer left a hot journal');
    // The main file alone holds the uncommitted transaction (or is unreadable).
    const naive = await naiveNames(file);
    assert.notDeepStrictEqual(naive, ['0001_initial']);
    const { names, notes } = await labNames();
    assert.deepStrictEqual(names, ['0001_initial']);
    assert.ok(notes.includes('hot journal rolled back'), notes.join());
    // And the file itself was not touched: the journal is still there for SQLite to recover.
    assert.ok(fs.existsSync(file + '-journal'));
  });

  it('says a database without django_migrations has nothing applied, and a missing or corrupt file clearly', async () => {
    fs.rmSync(file);
    let r = await db.readApplied({ projectRoot: lab.root, env: lab.env });
    assert.strictEqual(r.problem?.kind, 'sqlite-missing');
    assert.match(r.problem!.message, /does not exist yet .*SQLite \S*_data\/db\.sqlite3/);

    // An empty database file (sqlite3 creates one on connect) has no table yet.
    crashWriter(file, "con.execute('create table other (x integer)')");
    r = await db.readApplied({ projectRoot: lab.root, env: lab.env });
    assert.deepStrictEqual([r.problem, r.rows], [undefined, []]);

    fs.writeFileSync(file, 'this is not a database at all, just text that is long enough to have a header...........................');
    r = await db.readApplied({ projectRoot: lab.root, env: lab.env });
    assert.strictEqual(r.problem?.kind, 'sqlite-corrupt');
    assert.match(r.problem!.message, /not a SQLite database/);
  });
});
