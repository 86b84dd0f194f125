import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, findingsOf, migration, writeProject } from '../helpers/project';
import { appLabelFromAppsPy, readMigrationModules } from '../../server/src/analysis/discovery';
import { check, UsageError } from '../../cli/src/run';
import { RULES_BY_CODE } from '../../server/src/rules/registry';
import type { Workspace } from '../../server/src/analysis/workspace';
import { covered } from '../helpers/rule-coverage';

/** Findings of the graph rules (ML5xx), without the risk rules. */
const graphCodes = (ws: Workspace) =>
  ws
    .paths()
    .flatMap((p) => ws.findings(p))
    .filter((f) => !RULES_BY_CODE.get(f.code)?.risk && f.code !== 'ML404')
    .map((f) => f.code);
const rels = (ws: Workspace, root: string) =>
  ws
    .paths()
    .map((p) => path.relative(root, p))
    .sort();
const initial = migration([], ['migrations.CreateModel("Order", [("id", models.AutoField(primary_key=True))])']);

describe('discovery: the modules Django loads as migrations', () => {
  it('a hyphenated module name is a migration', async () => {
    const root = writeProject({
      'orders/migrations/0001_initial.py': initial,
      'orders/migrations/0002_remove-version-alias.py': migration([['orders', '0001_initial']], []),
      'orders/migrations/0003_next.py': migration([['orders', '0002_remove-version-alias']], []),
    });
    const ws = await analyze(root);
    assert.deepStrictEqual(rels(ws, root), ['orders/migrations/0001_initial.py', 'orders/migrations/0002_remove-version-alias.py', 'orders/migrations/0003_next.py']);
    const m = ws.model(path.join(root, 'orders/migrations/0002_remove-version-alias.py'))!;
    assert.strictEqual(m.name, '0002_remove-version-alias');
    assert.strictEqual(m.number, 2);
    assert.deepStrictEqual(graphCodes(ws), []);
    assert.deepStrictEqual(ws.projects()[0].leaves.get('orders'), ['orders.0003_next']);
  });

  it('an un-numbered module is a migration, with no number', async () => {
    const root = writeProject({
      'checkout/migrations/0001_initial.py': initial,
      'checkout/migrations/0002_b.py': migration([['checkout', '0001_initial']], []),
      'checkout/migrations/fix_empty_data_in_lines.py': migration([['checkout', '0002_b']], []),
      'checkout/migrations/0003_c.py': migration([['checkout', 'fix_empty_data_in_lines']], []),
    });
    const ws = await analyze(root);
    assert.strictEqual(ws.paths().length, 4);
    assert.strictEqual(ws.model(path.join(root, 'checkout/migrations/fix_empty_data_in_lines.py'))!.number, undefined);
    // Before, the dependency on it was missing (ML502) and 0002_b was a second leaf (ML501).
    assert.deepStrictEqual(graphCodes(ws), []);
    assert.deepStrictEqual(ws.projects()[0].order, ['checkout.0001_initial', 'checkout.0002_b', 'checkout.fix_empty_data_in_lines', 'checkout.0003_c']);
  });

  it('a module without a Migration class next to migrations is ML506 (BadMigrationError); an underscored one is skipped', async () => {
    const root = writeProject({
      'orders/migrations/0001_initial.py': initial,
      'orders/migrations/helpers.py': 'def copy(apps, schema_editor):\n    pass\n',
      'orders/migrations/_private.py': 'VALUE = 1\n',
      'orders/migrations/~backup.py': 'VALUE = 1\n',
    });
    const ws = await analyze(root);
    assert.deepStrictEqual(rels(ws, root), ['orders/migrations/0001_initial.py', 'orders/migrations/helpers.py']);
    const f = findingsOf(ws, root, 'orders/migrations/helpers.py', 'ML506');
    assert.strictEqual(f.length, 1);
    assert.match(f[0].message, /No `Migration` class/);
    assert.match(f[0].message, /BadMigrationError/);
    assert.match(f[0].message, /`_helpers\.py`/);
    covered('ML506', 'positive');
    assert.deepStrictEqual([...ws.projects()[0].files.keys()], ['orders.0001_initial']);

    // A Migration imported from elsewhere is loaded by Django: not analyzed, but no BadMigrationError.
    ws.update(path.join(root, 'orders/migrations/helpers.py'), 'from orders.legacy import Migration\n');
    const g = findingsOf(ws, root, 'orders/migrations/helpers.py', 'ML506');
    assert.strictEqual(g.length, 1);
    assert.match(g[0].message, /bound by an import/);
  });

  it('a migrations folder where nothing is a migration (a test package, another library) is ignored', async () => {
    const root = writeProject({
      'shop/migrations/0001_initial.py': initial,
      'shop/tests/migrations/test_series_data_fix.py': 'from django.test import TestCase\n\n\nclass SeriesTest(TestCase):\n    pass\n',
      'shop/tests/migrations/__init__.py': '',
      'vendor/alembic_app/migrations/env.py': 'from alembic import context\n',
    });
    const ws = await analyze(root);
    assert.deepStrictEqual(rels(ws, root), ['shop/migrations/0001_initial.py']);
    const test = path.join(root, 'shop/tests/migrations/test_series_data_fix.py');
    assert.strictEqual(ws.has(test), false);
    assert.deepStrictEqual(ws.findings(test), []);
    assert.deepStrictEqual([...ws.projects()[0].files.keys()], ['shop.0001_initial']);
    // Typing in it changes nothing that is reported.
    assert.deepStrictEqual(ws.update(test, 'x = 1\n'), []);
  });

  it('modules of a subpackage of migrations are not loaded', async () => {
    const root = writeProject({
      'order/migrations/0001_initial.py': initial,
      'order/migrations/tasks/__init__.py': '',
      'order/migrations/tasks/saleor3_13.py': 'def run():\n    pass\n',
      'order/migrations/tasks/0002_like_a_migration.py': migration([['order', '0001_initial']], []),
    });
    const ws = await analyze(root);
    assert.deepStrictEqual(rels(ws, root), ['order/migrations/0001_initial.py']);
    assert.deepStrictEqual(ws.update(path.join(root, 'order/migrations/tasks/saleor3_13.py'), 'x = 1\n'), []);
  });

  it("MIGRATION_MODULES moves an app's migrations to another package; None does not drop the files", async () => {
    const root = writeProject({
      'dojo/apps.py': 'from django.apps import AppConfig\n\n\nclass DojoAppConfig(AppConfig):\n    name = "dojo"\n',
      'dojo/settings/settings.dist.py': [
        'import environ',
        'env = environ.Env()',
        '# MIGRATION_MODULES = {"dojo": "dojo.old_migrations"}',
        'if env("DD_TRACK_MIGRATIONS"):',
        '    MIGRATION_MODULES = {"dojo": "dojo.db_migrations"}',
        '',
      ].join('\n'),
      'dojo/db_migrations/__init__.py': '',
      'dojo/db_migrations/0001_initial.py': initial,
      'dojo/db_migrations/0002_b.py': migration([['dojo', '0001_initial']], []),
      'reports/migrations/0001_initial.py': migration([['dojo', '0002_b']], []),
      'tests/settings.py': 'MIGRATION_MODULES = {\n    "reports": None,  # speed\n}\n',
    });
    const ws = await analyze(root);
    assert.deepStrictEqual(rels(ws, root), ['dojo/db_migrations/0001_initial.py', 'dojo/db_migrations/0002_b.py', 'reports/migrations/0001_initial.py']);
    assert.strictEqual(ws.model(path.join(root, 'dojo/db_migrations/0002_b.py'))!.app, 'dojo');
    assert.deepStrictEqual(graphCodes(ws), []);
    assert.deepStrictEqual(ws.projects()[0].order, ['dojo.0001_initial', 'dojo.0002_b', 'reports.0001_initial']);

    // The CLI checks one file of the package.
    const checked = await check([path.join(root, 'dojo/db_migrations/0002_b.py')]);
    assert.deepStrictEqual(
      checked.map((c) => c.migration),
      ['dojo.0002_b'],
    );

    // The setting is edited away, then back: the package's files leave and come back.
    const settings = path.join(root, 'dojo/settings/settings.dist.py');
    const text = fs.readFileSync(settings, 'utf8');
    const changed = ws.update(settings, text.replace(/^ {4}MIGRATION_MODULES.*$/m, '    pass'));
    assert.ok(changed.includes(path.join(root, 'dojo/db_migrations/0001_initial.py')));
    assert.deepStrictEqual(rels(ws, root), ['reports/migrations/0001_initial.py']);
    ws.update(settings, text);
    assert.deepStrictEqual(rels(ws, root), ['dojo/db_migrations/0001_initial.py', 'dojo/db_migrations/0002_b.py', 'reports/migrations/0001_initial.py']);
    assert.deepStrictEqual(graphCodes(ws), []);
    // The settings package deleted as a folder (the watcher reports the folder only).
    fs.rmSync(path.dirname(settings), { recursive: true });
    ws.remove(path.dirname(settings));
    assert.deepStrictEqual(rels(ws, root), ['reports/migrations/0001_initial.py']);
  });

  it('reads MIGRATION_MODULES written in other ways, and ignores what is computed', () => {
    assert.deepStrictEqual(readMigrationModules('SOUTH_MIGRATION_MODULES = {"a": "a.south"}\n'), []);
    assert.deepStrictEqual(
      readMigrationModules(
        'MIGRATION_MODULES: dict = {\n  "a": "pkg.a_migrations",  # moved\n  "b": None,\n  "c": f"{X}.m",\n  \'d\': \'pkg.d\'}\nMIGRATION_MODULES["e"] = "pkg.e"\nMIGRATION_MODULES.update({"f": "pkg.f"})\n',
      ),
      [
        { label: 'a', module: 'pkg.a_migrations' },
        { label: 'b', module: null },
        { label: 'd', module: 'pkg.d' },
        { label: 'e', module: 'pkg.e' },
        { label: 'f', module: 'pkg.f' },
      ],
    );
    assert.deepStrictEqual(readMigrationModules('MIGRATION_MODULES = build_modules()\n'), []);
  });
});

describe('discovery: app labels', () => {
  it('a folder whose label apps.py does not give takes the label the dependencies use for its migrations', async () => {
    const root = writeProject({
      'core/migrations/0001_initial.py': initial,
      'core/migrations/0002_b.py': migration([['wagtailcore', '0001_initial']], []),
      'pages/migrations/0001_initial.py': migration(
        [
          ['wagtailcore', '0002_b'],
          ['auth', '0001_initial'],
        ],
        [],
      ),
      // Two plugins whose app folder is `app` (labels set in code): told apart by their references.
      'pulp_file/app/migrations/0001_initial.py': initial,
      'pulp_file/app/migrations/0002_x.py': migration([['file', '0001_initial']], []),
      'pulp_certguard/app/migrations/0001_initial.py': initial,
      'pulp_certguard/app/migrations/0002_y.py': migration([['certguard', '0001_initial']], []),
    });
    const ws = await analyze(root);
    const app = (rel: string) => ws.model(path.join(root, rel))!.app;
    assert.strictEqual(app('core/migrations/0002_b.py'), 'wagtailcore');
    assert.strictEqual(app('pages/migrations/0001_initial.py'), 'pages');
    assert.strictEqual(app('pulp_file/app/migrations/0002_x.py'), 'file');
    assert.strictEqual(app('pulp_certguard/app/migrations/0001_initial.py'), 'certguard');
    assert.deepStrictEqual(graphCodes(ws), []);
    assert.deepStrictEqual([...ws.projects()[0].nodes.get('pages.0001_initial')!.parents], ['wagtailcore.0002_b']);
  });

  it('keeps the folder name when nothing contradicts it, and a lone 0001_initial does not take an outside label', async () => {
    const root = writeProject({
      'blog/migrations/0001_initial.py': initial,
      'shop/migrations/0001_initial.py': initial,
      'shop/migrations/0002_tags.py': migration(
        [
          ['shop', '0001_initial'],
          ['taggit', '0001_initial'],
          ['sites', '0001_initial'],
        ],
        [],
      ),
    });
    const ws = await analyze(root);
    assert.strictEqual(ws.model(path.join(root, 'blog/migrations/0001_initial.py'))!.app, 'blog');
    assert.strictEqual(ws.model(path.join(root, 'shop/migrations/0002_tags.py'))!.app, 'shop');
  });

  it('reads the label of the default AppConfig: label, else the last part of name', () => {
    assert.strictEqual(appLabelFromAppsPy('class C(AppConfig):\n    name = "saleor.checkout"\n'), 'checkout');
    assert.strictEqual(appLabelFromAppsPy('class C(AppConfig):\n    name = "blog"\n    label: str = "weblog"\n'), 'weblog');
    assert.strictEqual(appLabelFromAppsPy('class Base(AppConfig):\n    name = "x.core"\n\n\nclass Other(Base):\n    label = "other"\n\n\nclass Main(Base):\n    default = True\n'), 'core');
    assert.strictEqual(appLabelFromAppsPy('class C(AppConfig):\n    default = False\n    label = "nope"\n'), undefined);
    assert.strictEqual(appLabelFromAppsPy('class C(AppConfig):\n    label = compute()\n'), undefined);
    assert.strictEqual(appLabelFromAppsPy('from attachments.apps import AttachmentsConfig\n\n\nclass AppConfig(AttachmentsConfig):\n    validators = ()\n'), undefined);
    assert.strictEqual(appLabelFromAppsPy('class Loader(DataLoader):\n    name = "x"\n'), undefined);
  });
});

describe('discovery: files that become or stop being migrations while typed', () => {
  it('a Migration class added to a module of a test package makes it a migration, removed makes it disappear', async () => {
    const root = writeProject({ 'shop/migrations/0001_initial.py': initial, 'shop/tests/migrations/x.py': 'VALUE = 1\n' });
    const ws = await analyze(root);
    const file = path.join(root, 'shop/tests/migrations/x.py');
    assert.strictEqual(ws.has(file), false);
    const changed = ws.update(file, migration([], []));
    assert.ok(changed.includes(file));
    assert.strictEqual(ws.has(file), true);
    assert.strictEqual(ws.model(file)!.app, 'tests');
    assert.ok(ws.projects()[0].files.has('tests.x'));
    const gone = ws.update(file, 'VALUE = 1\n');
    assert.ok(gone.includes(file));
    assert.strictEqual(ws.has(file), false);
    assert.ok(!ws.projects()[0].files.has('tests.x'));
  });

  it('a helper next to migrations turns into a migration and back: ML506 goes and comes back', async () => {
    const root = writeProject({
      'orders/migrations/0001_initial.py': initial,
      'orders/migrations/0002_b.py': migration([['orders', '0001_initial']], []),
      'orders/migrations/data.py': 'VALUE = 1\n',
    });
    const ws = await analyze(root);
    const file = path.join(root, 'orders/migrations/data.py');
    assert.strictEqual(findingsOf(ws, root, 'orders/migrations/data.py', 'ML506').length, 1);
    ws.update(file, migration([['orders', '0001_initial']], []), { keepTree: true });
    assert.deepStrictEqual(findingsOf(ws, root, 'orders/migrations/data.py', 'ML506'), []);
    covered('ML506', 'negative');
    // Now a second leaf: Django would say so too.
    assert.strictEqual(findingsOf(ws, root, 'orders/migrations/data.py', 'ML501').length, 1);
    ws.update(file, 'VALUE = 2\n', { keepTree: true });
    assert.strictEqual(findingsOf(ws, root, 'orders/migrations/data.py', 'ML506').length, 1);
    assert.deepStrictEqual(findingsOf(ws, root, 'orders/migrations/0002_b.py', 'ML501'), []);
    ws.release(file);
  });

  it('a new file in a folder, then one batch from the watcher, reach the same verdict', async () => {
    const root = writeProject({ 'orders/migrations/0001_initial.py': initial });
    const ws = await analyze(root);
    const file = path.join(root, 'orders/migrations/0002_fix-status.py');
    ws.updateMany([{ file, text: migration([['orders', '0001_initial']], []) }]);
    assert.ok(ws.has(file));
    assert.deepStrictEqual(ws.projects()[0].leaves.get('orders'), ['orders.0002_fix-status']);
    ws.updateMany([{ file, text: undefined }]);
    assert.ok(!ws.has(file));
    assert.deepStrictEqual(ws.projects()[0].leaves.get('orders'), ['orders.0001_initial']);
  });
});

describe('discovery: migration-lens check <file>', () => {
  it('accepts hyphenated and un-numbered migrations, and refuses a module that is not one', async () => {
    const root = writeProject({
      'orders/migrations/0001_initial.py': initial,
      'orders/migrations/0002_remove-alias.py': migration([['orders', '0001_initial']], []),
      'orders/migrations/fix_data.py': migration([['orders', '0002_remove-alias']], []),
      'orders/migrations/__init__.py': '',
      'orders/tests/migrations/test_x.py': 'VALUE = 1\n',
    });
    const checked = await check([path.join(root, 'orders/migrations/0002_remove-alias.py'), path.join(root, 'orders/migrations/fix_data.py')]);
    assert.deepStrictEqual(
      checked.map((c) => c.migration),
      ['orders.0002_remove-alias', 'orders.fix_data'],
    );
    await assert.rejects(check([path.join(root, 'orders/tests/migrations/test_x.py')]), (e: Error) => e instanceof UsageError && /not a migration file/.test(e.message));
    await assert.rejects(check([path.join(root, 'orders/migrations/__init__.py')]), UsageError);
  });
});

describe('discovery: two apps with one label', () => {
  it('says so once per folder, as information', async () => {
    const root = writeProject({
      'core/apps.py': 'from django.apps import AppConfig\n\n\nclass C(AppConfig):\n    name = "core"\n',
      'core/migrations/0001_initial.py': initial,
      'legacy/core/migrations/0001_initial.py': initial,
      'legacy/core/migrations/0002_b.py': migration([['core', '0001_initial']], []),
    });
    const ws = await analyze(root);
    const a = findingsOf(ws, root, 'core/migrations/0001_initial.py', 'ML506');
    const b = findingsOf(ws, root, 'legacy/core/migrations/0001_initial.py', 'ML506');
    assert.strictEqual(a.length, 1);
    assert.strictEqual(b.length, 1);
    assert.match(a[0].message, /the app label of core\/migrations is `core`, and so is that of legacy\/core\/migrations/);
    assert.strictEqual(a[0].related![0].path, path.join(root, 'legacy/core/migrations/0001_initial.py'));
    assert.deepStrictEqual(findingsOf(ws, root, 'legacy/core/migrations/0002_b.py', 'ML506'), []);
  });
});
