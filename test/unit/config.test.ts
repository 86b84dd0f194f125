// The project's configuration: [tool.migration-lens] in pyproject.toml or a .migration-lens.toml,
// read by the CLI (and the language server); problems on their lines, the rest still applies.
import * as assert from 'assert';
import * as cp from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { findConfig, readConfig } from '../../server/src/analysis/config';
import { migration, REPO, writeProject } from '../helpers/project';

const CLI = path.join(REPO, 'dist', 'cli.js');
const ORDER = 'migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("note", models.TextField()), ("qty", models.IntegerField())])';

describe('project configuration', () => {
  it('reads [tool.migration-lens] from pyproject.toml, with problems on their lines and the rest applied', () => {
    const text = [
      '[project]',
      'name = "shop"',
      '',
      '[tool.migration-lens]',
      'fail-on = "high"',
      'engine = "postgresql:15"',
      'exclude = ["legacy/**"]',
      'fial-on = "low"',
      'big-table-rows = -3',
      '',
      '[tool.migration-lens.rules]',
      'ML101 = "off"',
      'ML401 = "error"',
      'ML999 = "off"',
      'ML402 = "loud"',
    ].join('\n');
    const read = readConfig(text, '/p/pyproject.toml')!;
    assert.deepStrictEqual(read.config, { rules: { ML101: 'off', ML401: 'error' }, exclude: ['legacy/**'], failOn: 'high', engine: { name: 'postgresql', version: '15' } });
    assert.deepStrictEqual(
      read.problems.map((p) => [p.line, p.message.split(';')[0].split(' (')[0]]),
      [
        [7, 'Unknown key fial-on in [tool.migration-lens]'],
        [8, 'big-table-rows must be a positive number of rows'],
        [13, 'Unknown rule ML999'],
        [14, 'ML402 must be one of error, warning, information, hint, off.'],
      ],
    );
  });

  it('ignores a pyproject.toml without the table, reads .migration-lens.toml at its top level, and says when the TOML is broken', () => {
    assert.strictEqual(readConfig('[project]\nname = "x"\n', '/p/pyproject.toml'), undefined);
    assert.deepStrictEqual(readConfig('fail-on = "medium"\n[rules]\nML204 = "hint"\n', '/p/.migration-lens.toml')!.config, { rules: { ML204: 'hint' }, exclude: [], failOn: 'medium' });
    const broken = readConfig('[tool.migration-lens]\nfail-on = "high\n', '/p/pyproject.toml')!;
    assert.deepStrictEqual(broken.config, { rules: {}, exclude: [] });
    assert.match(broken.problems[0].message, /^Not valid TOML/);
    assert.strictEqual(broken.problems[0].line, 1);
  });

  it('is found from the project up to the top of its repository', () => {
    const root = writeProject({ 'pyproject.toml': '[tool.migration-lens]\nfail-on = "low"\n', 'backend/manage.py': '', 'backend/.keep': '' }, false);
    fs.mkdirSync(path.join(root, '.git'));
    assert.strictEqual(findConfig(path.join(root, 'backend'))?.file, path.join(root, 'pyproject.toml'));
    assert.strictEqual(findConfig(path.dirname(root)), undefined, 'not above the repository');
  });

  it('check honours the rules, exclude and fail-on of the project; flags win; rules prints the effective severities', () => {
    const root = writeProject({
      'orders/migrations/__init__.py': '',
      'orders/migrations/0001_initial.py': migration([], [ORDER]),
      'orders/migrations/0002_drop.py': migration([['orders', '0001_initial']], ['migrations.RemoveField("order", "note")', 'migrations.RunPython(migrations.RunPython.noop)']),
      'orders/migrations/0003_legacy.py': migration([['orders', '0002_drop']], ['migrations.RemoveField("order", "qty")']),
      'pyproject.toml': '[tool.migration-lens]\nexclude = ["orders/migrations/0003_*.py"]\nfail-on = "high"\nnoise = 1\n\n[tool.migration-lens.rules]\nML101 = "off"\nML401 = "information"\n',
    });
    const run = (...args: string[]) => cp.spawnSync(process.execPath, [CLI, ...args], { cwd: root, encoding: 'utf8' });
    const r = run('check', '.', '--format', 'json');
    const files = JSON.parse(r.stdout).files as Array<{ migration: string; diagnostics: Array<{ code: string; severity: string }> }>;
    assert.deepStrictEqual(
      files.map((f) => f.migration),
      ['orders.0001_initial', 'orders.0002_drop'],
      'the excluded file is not reported',
    );
    const drop = files.find((f) => f.migration === 'orders.0002_drop')!.diagnostics;
    assert.ok(!drop.some((d) => d.code === 'ML101'), 'ML101 off');
    assert.strictEqual(drop.find((d) => d.code === 'ML401')?.severity, 'information');
    assert.match(r.stderr, /pyproject\.toml:4: Unknown key noise/);
    // fail-on = "high" from the file: nothing High is left (ML101 is off): exit 0. ML101 back on with
    // --config elsewhere, or the flag: exit 1.
    assert.strictEqual(r.status, 0, r.stderr);
    fs.writeFileSync(path.join(root, 'strict.toml'), 'fail-on = "high"\n');
    fs.renameSync(path.join(root, 'strict.toml'), path.join(root, '.migration-lens.toml'));
    assert.strictEqual(run('check', '.', '--config', '.migration-lens.toml').status, 1, 'ML101 counts again and fails at high');
    assert.strictEqual(run('check', '.', '--fail-on', 'error').status, 0, 'the flag wins over the file');
    const rules = run('rules').stdout;
    assert.match(rules, /^ML101 {2}off +high {2}.*\(pyproject\.toml; default warning\)$/m);
    assert.match(rules, /^ML102 {2}warning /m);
  });
});
