// The applied rows merged with the graph (ML605), and the live rules (ML601–ML604) turning counts
// into findings: each with a positive, a negative and a suppressed case. The counts themselves are
// tested against real databases in test/db.
import { messageWithHelp } from '../../server/src/analysis/risk';
import * as assert from 'assert';
import * as path from 'path';
import type { AppliedRow, ProbeResult } from '../../server/src/protocol';
import { summarizeProjects } from '../../server/src/analysis/summary';
import { analyze, findingsOf, migration, writeProject } from '../helpers/project';
import { chain, ORDER } from '../helpers/chain';
import { covered } from '../helpers/rule-coverage';

const row = (key: string, applied: string | null = '2026-11-24T10:00:00.000Z'): AppliedRow => {
  const [app, name] = key.split('.');
  return { app, name, applied };
};

const codes = (ws: Awaited<ReturnType<typeof analyze>>, root: string, rel: string, prefix = 'ML6') => findingsOf(ws, root, rel).filter((f) => f.code.startsWith(prefix));

describe('applied history merged with the graph (ML605)', () => {
  const three = {
    'orders/migrations/0001_initial.py': migration([], []),
    'orders/migrations/0002_b.py': migration([['orders', '0001_initial']], []),
    'orders/migrations/0003_c.py': migration([['orders', '0002_b']], []),
  };

  it('marks each migration applied (with its time) or pending, and other apps external', async () => {
    const root = writeProject(three);
    const ws = await analyze(root);
    assert.strictEqual(summarizeProjects(ws)[0].apps[0].migrations[0].status, 'unknown');
    ws.setApplied(root, [row('contenttypes.0001_initial'), row('orders.0001_initial', '2026-11-24T09:00:00.000Z'), row('orders.0002_b')]);
    const s = summarizeProjects(ws)[0];
    assert.deepStrictEqual(
      s.apps[0].migrations.map((m) => [m.name, m.status, m.appliedAt]),
      [
        ['0001_initial', 'applied', '2026-11-24T09:00:00.000Z'],
        ['0002_b', 'applied', '2026-11-24T10:00:00.000Z'],
        ['0003_c', 'pending', undefined],
      ],
    );
    assert.deepStrictEqual([s.historyKnown, s.externalApps, s.ghosts], [true, ['contenttypes'], []]);
    for (const rel of Object.keys(three)) assert.deepStrictEqual(codes(ws, root, rel), [], rel);
    covered('ML605', 'negative');
    // A database without django_migrations: nothing applied, nothing drifts.
    ws.setApplied(root, []);
    assert.ok(summarizeProjects(ws)[0].apps[0].migrations.every((m) => m.status === 'pending'));
  });

  it("flags rows whose file is gone on the app's last migration", async () => {
    const root = writeProject(three);
    const ws = await analyze(root);
    ws.setApplied(
      root,
      ['orders.0001_initial', 'orders.0002_b', 'orders.0003_c', 'orders.0004_deleted'].map((k) => row(k)),
    );
    const [f] = codes(ws, root, 'orders/migrations/0003_c.py');
    assert.strictEqual(f.code, 'ML605');
    assert.match(messageWithHelp(f), /orders\.0004_deleted applied, but no file for it exists/);
    assert.deepStrictEqual(
      summarizeProjects(ws)[0].ghosts.map((g) => g.name),
      ['0004_deleted'],
    );
    covered('ML605', 'positive');
  });

  it('flags a migration applied before its dependency, on the dependency tuple', async () => {
    const root = writeProject(three);
    const ws = await analyze(root);
    ws.setApplied(root, [row('orders.0001_initial'), row('orders.0003_c')]);
    const [f] = codes(ws, root, 'orders/migrations/0003_c.py');
    assert.strictEqual(f.code, 'ML605');
    assert.match(messageWithHelp(f), /orders\.0003_c is applied but its dependency orders\.0002_b is not: .*InconsistentMigrationHistory/);
    const text = three['orders/migrations/0003_c.py'].split('\n')[f.range.start.line];
    assert.match(text, /\("orders", "0002_b"\)/);
    assert.match(summarizeProjects(ws)[0].apps[0].migrations[2].drift ?? '', /InconsistentMigrationHistory/);
    covered('ML605', 'positive');
  });

  it('counts a squash applied when all it replaces is; flags it when part is applied and part is gone', async () => {
    const squash = migration([], [], 'replaces = [("orders", "0001_initial"), ("orders", "0002_b")]');
    const withFiles = writeProject({ ...three, 'orders/migrations/0001_squashed_0002_b.py': squash });
    let ws = await analyze(withFiles);
    ws.setApplied(withFiles, [row('orders.0001_initial'), row('orders.0002_b')]);
    assert.ok(ws.isApplied(path.join(withFiles, 'orders/migrations/0001_squashed_0002_b.py')));
    // Partly applied with the replaced files present: Django carries on with them; not drift.
    ws.setApplied(withFiles, [row('orders.0001_initial')]);
    assert.deepStrictEqual(codes(ws, withFiles, 'orders/migrations/0001_squashed_0002_b.py'), []);

    const gone = writeProject({ 'orders/migrations/0001_squashed_0002_b.py': squash, 'orders/migrations/0003_c.py': migration([['orders', '0001_squashed_0002_b']], []) });
    ws = await analyze(gone);
    ws.setApplied(gone, [row('orders.0001_initial')]);
    const [f] = codes(ws, gone, 'orders/migrations/0001_squashed_0002_b.py');
    assert.match(messageWithHelp(f), /1 of the 2 migrations this squash replaces are applied, and orders\.0002_b is missing on disk/);
  });

  it('is silenced by an ignore comment', async () => {
    const drifted = [row('orders.0001_initial'), row('orders.0003_c'), row('orders.0009_gone')];
    const bare = writeProject(three);
    const loud = await analyze(bare);
    loud.setApplied(bare, drifted);
    assert.deepStrictEqual(
      codes(loud, bare, 'orders/migrations/0003_c.py').map((f) => f.code),
      ['ML605', 'ML605'],
    );
    const files = { ...three, 'orders/migrations/0003_c.py': three['orders/migrations/0003_c.py'].replace('class Migration', '# migration-lens: ignore-file ML605\nclass Migration') };
    const root = writeProject(files);
    const ws = await analyze(root);
    ws.setApplied(root, drifted);
    assert.deepStrictEqual(codes(ws, root, 'orders/migrations/0003_c.py'), []);
    covered('ML605', 'suppressed');
  });
});

describe('live-data findings (ML601–ML604) from the counts the client reports', () => {
  const OPS: Record<string, string> = {
    ML601: 'migrations.AlterField(model_name="order", name="note", field=models.TextField())',
    ML602: 'migrations.AlterField(model_name="order", name="code", field=models.CharField(max_length=200, unique=True))',
    ML603: 'migrations.AlterField(model_name="order", name="code", field=models.IntegerField())',
    ML604: 'migrations.RemoveField(model_name="order", name="note")',
  };

  async function setup(code: string, suppress = false) {
    const op = suppress ? `# migration-lens: ignore ${code}\n        ${OPS[code]}` : OPS[code];
    const files = chain([ORDER], [op]);
    const root = writeProject(files);
    const ws = await analyze(root);
    const rel = 'orders/migrations/0002_m2.py';
    ws.setApplied(root, [row('orders.0001_m1')]);
    // The size probes of the engine rule (ML701) are tested apart.
    const specs = ws.probeSpecs(root).filter((s) => s.source !== 'impact');
    return { ws, root, rel, specs };
  }

  for (const code of Object.keys(OPS)) {
    it(`${code}: a count makes a finding, zero does not, an ignore comment silences it`, async () => {
      const { ws, root, rel, specs } = await setup(code);
      assert.strictEqual(specs.length, 1, JSON.stringify(specs));
      const report = (count: number) =>
        ws.setProbeResults(
          root,
          specs.map((s): ProbeResult => ({ id: s.id, count, total: 10, engine: 'postgres' })),
        );
      report(4);
      const [f] = codes(ws, root, rel);
      assert.strictEqual(f?.code, code, JSON.stringify(codes(ws, root, rel)));
      assert.match(messageWithHelp(f), /^4 /);
      covered(code, 'positive');
      report(0);
      assert.deepStrictEqual(codes(ws, root, rel), []);
      covered(code, 'negative');
      // Applied: history, no live finding even with a count.
      report(4);
      ws.setApplied(root, [row('orders.0001_m1'), row('orders.0002_m2')]);
      assert.deepStrictEqual(codes(ws, root, rel), []);
      assert.deepStrictEqual(
        ws.probeSpecs(root).filter((x) => x.source !== 'impact'),
        [],
      );

      const s = await setup(code, true);
      s.ws.setProbeResults(
        s.root,
        s.specs.map((x) => ({ id: x.id, count: 4, total: 10 })),
      );
      assert.deepStrictEqual(codes(s.ws, s.root, s.rel), []);
      covered(code, 'suppressed');
    });
  }

  it('ML701: a blocking rewrite or full read of a big table, once its size is read; not for a small one, nor suppressed', async () => {
    const NOT_NULL = 'migrations.AlterField(model_name="order", name="note", field=models.TextField(default=""))';
    const make = async (op: string) => {
      const root = writeProject(chain([ORDER], [op]));
      const ws = await analyze(root);
      ws.setApplied(root, [row('orders.0001_m1')]);
      return { ws, root };
    };
    const { ws, root } = await make(NOT_NULL);
    const size = ws.probeSpecs(root).find((s) => s.source === 'impact')!;
    assert.deepStrictEqual(size.probe, { kind: 'size', table: 'orders_order' });
    const rel = 'orders/migrations/0002_m2.py';
    // Nothing before the size is known.
    assert.deepStrictEqual(codes(ws, root, rel, 'ML7'), []);
    ws.setProbeResults(root, [{ id: size.id, count: 2_400_000, bytes: 1_130_000_000, engine: 'postgres' }]);
    const [big] = codes(ws, root, rel, 'ML7');
    assert.strictEqual(big?.code, 'ML701');
    assert.match(messageWithHelp(big), /On PostgreSQL 15: ACCESS EXCLUSIVE lock on orders_order \(~2\.4M rows, 1\.1 GB\) and reads every row: reads and writes wait until it ends\./);
    assert.match(messageWithHelp(big), /VALIDATE CONSTRAINT/);
    covered('ML701', 'positive');
    // The plan shows the same for the step, with the size.
    const step = summarizeProjects(ws)[0].apps[0].migrations.find((m) => m.name === '0002_m2')!;
    assert.deepStrictEqual(step.impact, ['1. On PostgreSQL 15: ACCESS EXCLUSIVE lock on orders_order (~2.4M rows, 1.1 GB) and reads every row: reads and writes wait until it ends. (engine assumed)']);
    assert.strictEqual(summarizeProjects(ws)[0].apps[0].migrations.find((m) => m.name === '0001_m1')!.impact, undefined, 'applied: nothing to plan');
    // A small table: over in a moment.
    ws.setProbeResults(root, [{ id: size.id, count: 2_000, bytes: 300_000 }]);
    assert.deepStrictEqual(codes(ws, root, rel, 'ML7'), []);
    covered('ML701', 'negative');
    // The threshold is the user's.
    ws.setImpactOptions({ bigTableRows: 1_000 });
    assert.deepStrictEqual(
      codes(ws, root, rel, 'ML7').map((f) => f.code),
      ['ML701'],
    );
    // On MariaDB the same change runs in place with LOCK=NONE: no one waits.
    ws.setEngine(root, { name: 'mariadb', version: '10.11' }, 'test');
    assert.deepStrictEqual(codes(ws, root, rel, 'ML7'), []);
    // Suppressed on the operation.
    const s = await make(`# migration-lens: ignore ML701\n        ${NOT_NULL}`);
    const id = s.ws.probeSpecs(s.root).find((x) => x.source === 'impact')!.id;
    s.ws.setProbeResults(s.root, [{ id, count: 2_400_000 }]);
    assert.deepStrictEqual(codes(s.ws, s.root, rel, 'ML7'), []);
    covered('ML701', 'suppressed');
  });

  it('keeps a count matched while unrelated text changes, and drops it when the question changes', async () => {
    const { ws, root, rel, specs } = await setup('ML601');
    ws.setProbeResults(root, [{ id: specs[0].id, count: 2, total: 5 }]);
    const file = path.join(root, rel);
    const text = ws.textOf(file)!;
    ws.update(file, `# a comment moves everything down\n${text}`);
    assert.deepStrictEqual(
      codes(ws, root, rel).map((f) => [f.code, f.range.start.line]),
      [['ML601', 11]],
    );
    ws.update(file, text.replace('name="note"', 'name="code"'));
    assert.deepStrictEqual(codes(ws, root, rel), []);
  });
});
