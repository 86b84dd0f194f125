import * as assert from 'assert';
import * as cp from 'child_process';
import * as path from 'path';
import { REPO, migration, writeProject } from '../helpers/project';

const CLI = path.join(REPO, 'dist', 'cli.js');
const run = (args: string[], cwd = REPO) => cp.spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });

describe('migration-lens check (CLI)', () => {
  it('checks the example project: its risky migrations warn, nothing fails by default', () => {
    const r = run(['check', 'examples/shop']);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /^examples\/shop\/store\/migrations\/0003_product_sku_required\.py\n {2}11:9 {5}warning {5}ML202 {2}AlterField product\.sku makes the column NOT NULL/m);
    assert.match(r.stdout, /^ {29}Safe way:$/m);
    assert.match(r.stdout, /^8 migration files checked: 2 warnings, 6 info$/m);
  });

  it('fails with exit 1 on a conflict and prints file:line:col, severity and code', () => {
    const root = writeProject({
      'orders/migrations/0001_initial.py': migration([], []),
      'orders/migrations/0002_a.py': migration([['orders', '0001_initial']], ['migrations.RunSQL("DELETE FROM t")']),
      'orders/migrations/0002_b.py': migration([['orders', '0001_initial']], []),
    });
    const r = run(['check', '.'], root);
    assert.strictEqual(r.status, 1);
    assert.match(r.stdout, /^orders\/migrations\/0002_a\.py$/m);
    assert.match(r.stdout, /^ {2}4:7 {6}error {7}ML501 {2}Conflicting migrations detected/m);
    assert.match(r.stdout, /^ {2}11:9 {5}warning {5}ML402 {2}RunSQL has no reverse_sql/m);
    assert.match(r.stdout, /^ {2}11:27 {4}warning {5}ML104 {2}RunSQL deletes every row \(DELETE FROM t\)/m);
    assert.match(r.stdout, /3 migration files checked: 2 errors, 2 warnings, 2 info$/m);
  });

  it('writes JSON that parses, with 1-based positions, and checks a single file in its project', () => {
    const root = writeProject({
      'orders/migrations/0001_initial.py': migration([], []),
      'orders/migrations/0002_a.py': migration([['orders', '0001_initial']], ['migrations.RunPython(f)']),
    });
    const r = run(['check', '--format', 'json', 'orders/migrations/0002_a.py'], root);
    assert.strictEqual(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.strictEqual(out.files.length, 1);
    assert.strictEqual(out.files[0].migration, 'orders.0002_a');
    assert.deepStrictEqual(
      out.files[0].diagnostics.map((d: { code: string; line: number; column: number; severity: string }) => [d.code, d.line, d.column, d.severity]),
      [['ML401', 11, 9, 'warning']],
    );
    assert.deepStrictEqual(out.summary, { error: 0, warning: 1, information: 0, hint: 0 });
  });

  it('exits 2 with a message on bad usage', () => {
    for (const args of [['check', '--format', 'xml'], ['check', 'no/such/dir'], ['frobnicate'], ['check', '--nope']]) {
      const r = run(args);
      assert.strictEqual(r.status, 2, args.join(' '));
      assert.match(r.stderr, /^migration-lens: /);
    }
  });

  it('lists the rules', () => {
    const r = run(['rules']);
    assert.strictEqual(r.status, 0);
    assert.match(r.stdout, /^ML401 {2}warning/m);
    assert.match(r.stdout, /^ML501 {2}error/m);
  });
});
