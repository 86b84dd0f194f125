import * as assert from 'assert';
import * as cp from 'child_process';
import * as fs from 'fs';
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
    assert.match(r.stdout, /^13 migration files checked: 2 warnings, 8 info$/m);
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

  it('judges the impact for the engine the settings name, else says PostgreSQL is assumed', () => {
    const impactOf = (cwd: string) => {
      const r = run(['check', '--format', 'json', '.'], cwd);
      return (JSON.parse(r.stdout).files as Array<{ impact: Array<{ engine: string; assumed: boolean }> }>).flatMap((f) => f.impact)[0];
    };
    const files = {
      'shop/migrations/0001_initial.py': migration([], ['migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True))])']),
      'shop/migrations/0002_a.py': migration([['shop', '0001_initial']], ['migrations.AddField("order", "a", models.IntegerField(null=True))']),
      'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    };
    const settings = (backend: string) => `DATABASES = {"default": {"ENGINE": "django.db.backends.${backend}", "NAME": "x"}}\n`;
    assert.strictEqual(impactOf(writeProject({ ...files, 'proj/settings.py': settings('mysql') })).engine, 'mysql');
    assert.deepStrictEqual(
      [impactOf(writeProject({ ...files, 'proj/settings.py': settings('postgresql') }))].map((i) => [i.engine, i.assumed]),
      [['postgresql', false]],
    );
    assert.deepStrictEqual(
      [impactOf(writeProject(files))].map((i) => [i.engine, i.assumed]),
      [['postgresql', true]],
    );
    // The example project's settings choose the engine at run time, SQLite by default.
    assert.strictEqual(impactOf(path.join(REPO, 'examples', 'shop')).engine, 'sqlite');
  });

  it('stops quietly when the reader closes the pipe early (| head)', () => {
    // Far more JSON than a pipe holds, so that the writer meets the closed pipe.
    const files: Record<string, string> = { 'shop/migrations/0001_initial.py': migration([], ['migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True))])']) };
    for (let i = 2; i <= 300; i++) {
      const prev = Object.keys(files)
        .pop()!
        .replace(/^.*\/|\.py$/g, '');
      files[`shop/migrations/${String(i).padStart(4, '0')}_f${i}.py`] = migration([['shop', prev]], [`migrations.AddField("order", "f${i}", models.IntegerField(null=True))`]);
    }
    const root = writeProject(files);
    const r = cp.spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" check --format json . | head -c 20 >/dev/null; echo "status \${PIPESTATUS[0]}"`], { cwd: root, encoding: 'utf8' });
    assert.match(r.stdout, /^status 0$/m);
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled/);
  });

  it('keeps the safe way apart from the message in JSON (help) and SARIF (a markdown code block)', () => {
    const root = writeProject({
      'orders/migrations/0001_initial.py': migration([], ['migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("note", models.TextField(null=True))])']),
      'orders/migrations/0002_drop.py': migration([['orders', '0001_initial']], ['migrations.RemoveField("order", "note")']),
    });
    const json = JSON.parse(run(['check', '--format', 'json', '.'], root).stdout);
    const [d] = json.files.flatMap((f: { diagnostics: Array<{ code: string; message: string; help?: string }> }) => f.diagnostics).filter((x: { code: string }) => x.code === 'ML101');
    assert.match(d.message, /^RemoveField order\.note drops column "note" of orders_order/);
    assert.doesNotMatch(d.message, /Safe way/);
    assert.match(d.help, /^# Release 1: remove the field from the model class[\s\S]*\nmigrations\.RemoveField\("order", "note"\),$/);
    const sarif = JSON.parse(run(['check', '--format', 'sarif', '.'], root).stdout);
    const result = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'ML101');
    assert.match(result.message.markdown, /\n\nSafe way:\n\n```python\n# Release 1: [\s\S]*\n```$/);
    assert.match(result.message.text, /Safe way:/);
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

describe('migration-lens check: CI formats and gates', () => {
  const risky = () =>
    writeProject({
      'orders/migrations/0001_initial.py': migration([], ['migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("note", models.TextField(null=True))])']),
      'orders/migrations/0002_drop.py': migration([['orders', '0001_initial']], ['migrations.RemoveField(model_name="order", name="note")']),
    });

  it('writes SARIF 2.1.0 with rules, levels, regions relative to the source root', () => {
    const root = risky();
    const r = run(['check', '--format', 'sarif', '.'], root);
    assert.strictEqual(r.status, 0, r.stderr);
    const log = JSON.parse(r.stdout);
    assert.strictEqual(log.version, '2.1.0');
    assert.match(log.$schema, /sarif-2\.1\.0/);
    assert.strictEqual(log.runs.length, 1);
    const run0 = log.runs[0];
    assert.strictEqual(run0.tool.driver.name, 'migration-lens');
    const ids = run0.tool.driver.rules.map((x: { id: string }) => x.id);
    assert.strictEqual(new Set(ids).size, ids.length, 'rule ids are unique');
    for (const rule of run0.tool.driver.rules) {
      assert.match(rule.id, /^ML\d{3}$/);
      assert.ok(rule.shortDescription.text && rule.help.text && rule.help.markdown);
      assert.ok(['error', 'warning', 'note'].includes(rule.defaultConfiguration.level));
    }
    assert.strictEqual(run0.originalUriBaseIds['%SRCROOT%'].uri, `file://${fs.realpathSync(root)}/`.replace(/^file:\/\/(?!\/)/, 'file:///'));
    const ml101 = run0.results.find((x: { ruleId: string }) => x.ruleId === 'ML101');
    assert.ok(ml101);
    assert.strictEqual(ids[ml101.ruleIndex], 'ML101');
    assert.strictEqual(ml101.level, 'warning');
    assert.match(ml101.message.text, /drops column "note"/);
    const loc = ml101.locations[0].physicalLocation;
    assert.deepStrictEqual(loc.artifactLocation, { uri: 'orders/migrations/0002_drop.py', uriBaseId: '%SRCROOT%' });
    assert.deepStrictEqual([loc.region.startLine, loc.region.startColumn], [11, 9]);
    for (const res of run0.results) {
      assert.ok(res.ruleId && res.message.text && res.locations.length === 1);
      assert.ok(res.locations[0].physicalLocation.region.startLine >= 1);
    }
  });

  it('prints GitHub workflow annotations, escaping newlines', () => {
    const r = run(['check', '--format', 'github', '.'], risky());
    assert.strictEqual(r.status, 0, r.stderr);
    const line = r.stdout.split('\n').find((l) => l.includes('ML101'))!;
    assert.match(line, /^::warning file=orders\/migrations\/0002_drop\.py,line=11,col=9,endLine=11,endColumn=\d+,title=ML101 \(high risk\)::RemoveField order\.note drops/);
    assert.match(line, /%0A%0ASafe way:%0A/);
    assert.ok(!r.stdout.split('\n').some((l) => l && !l.startsWith('::')), 'every line is a workflow command');
  });

  it('--fail-on sets which risk fails the run', () => {
    const root = risky();
    assert.strictEqual(run(['check', '.'], root).status, 0);
    assert.strictEqual(run(['check', '--fail-on', 'high', '.'], root).status, 1);
    assert.strictEqual(run(['check', '--fail-on=medium', '.'], root).status, 1);
    const safe = writeProject({ 'orders/migrations/0001_initial.py': migration([], ['migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True))])']) });
    assert.strictEqual(run(['check', '--fail-on', 'medium', '.'], safe).status, 0);
    assert.strictEqual(run(['check', '--fail-on', 'low', '.'], safe).status, 1);
    assert.strictEqual(run(['check', '--fail-on', 'severe', '.'], safe).status, 2);
  });

  it('--changed-since reports only migrations changed since the ref, judged with the full history', () => {
    const root = risky();
    const git = (...args: string[]) => {
      const g = cp.spawnSync('git', args, { cwd: root, encoding: 'utf8' });
      assert.strictEqual(g.status, 0, g.stderr);
    };
    git('init', '-q');
    git('-c', 'user.email=ci@example.com', '-c', 'user.name=CI', 'commit', '-q', '--allow-empty', '-m', 'start');
    git('add', '.');
    git('-c', 'user.email=ci@example.com', '-c', 'user.name=CI', 'commit', '-q', '-m', 'both');
    fs.writeFileSync(
      path.join(root, 'orders/migrations/0003_code.py'),
      migration([['orders', '0002_drop']], ['migrations.AddField(model_name="order", name="code", field=models.CharField(max_length=5, unique=True, default="x"))']),
    );
    const r = run(['check', '--format', 'json', '--changed-since', 'HEAD', '.'], root);
    assert.strictEqual(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepStrictEqual(
      out.files.map((f: { migration: string }) => f.migration),
      ['orders.0003_code'],
    );
    // The state comes from the unchanged files: the table exists, so unique NOT NULL is ML203.
    assert.ok(out.files[0].diagnostics.some((d: { code: string }) => d.code === 'ML203'));
    const all = JSON.parse(run(['check', '--format', 'json', '--changed-since', 'HEAD~1', '.'], root).stdout);
    assert.strictEqual(all.files.length, 3);
    const bad = run(['check', '--changed-since', 'no-such-ref', '.'], root);
    assert.strictEqual(bad.status, 2);
    assert.match(bad.stderr, /^migration-lens: --changed-since: git /);
  });
});
