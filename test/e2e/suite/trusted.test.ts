// A trusted workspace on examples/shop (SQLite or PostgreSQL): the tree against the database,
// diagnostics, lenses, the SQL document, and apply / roll back / cancel through the real UI.
import * as assert from 'assert';
import * as cp from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { MigrationLensApi } from '../../../client/src/extension';
import { PYTHON } from '../../helpers/servers';
import { SHOP_PYTHON } from '../../helpers/djangos';
import { answerDialog, applied, GiveUp, ordersRunPython, ENGINE, extension, hasPage, migrationFile, page, screenshot, shop, treeRows, until, WORKSPACE } from './host';

describe(`Migration Lens in VS Code (${ENGINE})`, () => {
  let api: MigrationLensApi;

  before(async () => {
    api = await extension();
    assert.ok(vscode.workspace.isTrusted, 'the workspace is trusted');
    await vscode.commands.executeCommand('workbench.view.extension.migrationLens');
    await until('the tree with the database state', () => treeRows(api).get('store.0001_initial')?.state === 'applied', 60_000);
  });

  it('shows every migration with the state the database records, and risk badges', async () => {
    // The live counts (ML601 makes 0003 High risk) arrive after the applied rows.
    const rows = await until('the tree with the database state and the live counts', () => {
      const r = treeRows(api);
      return r.get('store.0001_initial')?.state === 'applied' && r.size >= 8 && /High/.test(r.get('store.0003_product_sku_required')?.description ?? '') ? r : undefined;
    });
    const inDb = applied();
    for (const [key, row] of rows) assert.strictEqual(row.state, inDb.has(key) ? 'applied' : 'pending', `${key}: ${row.state}`);
    assert.match(rows.get('store.0001_initial')!.description, /^applied /);
    assert.match(rows.get('store.0003_product_sku_required')!.description, /^pending · High risk$/);
    assert.match(rows.get('orders.0005_remove_order_note')!.description, /High risk/);
    if (hasPage()) {
      // The view draws what the tree provides, a moment later.
      const text = await until('the view on screen with the database state', async () => {
        const t = (await page({ action: 'text', selector: '[id="workbench.view.extension.migrationLens"]' })) as string;
        return /0003_product_sku_required/.test(t) && /database/.test(t) && /applied/.test(t) ? t : undefined;
      });
      assert.match(text, /0003_product_sku_required\s*pending · High risk/);
      await screenshot('tree');
    }
  });

  it('puts the rule findings with live counts on a pending migration', async () => {
    const uri = migrationFile('store', '0003_product_sku_required');
    await vscode.window.showTextDocument(uri);
    const d = await until('ML601 with its count', () =>
      vscode.languages.getDiagnostics(uri).find((x) => String(typeof x.code === 'object' ? x.code.value : x.code) === 'ML601' && /\b2\b/.test(x.message)),
    );
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
  });

  it('counts live data for a migration written on disk outside the editor, within seconds', async () => {
    // As `makemigrations` in a terminal or a `git checkout` would: no editor, no save, no Refresh.
    const file = path.join(WORKSPACE, 'store', 'migrations', '0004_remove_product_price.py');
    fs.writeFileSync(
      file,
      'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n' +
        "    dependencies = [('store', '0003_product_sku_required')]\n    operations = [migrations.RemoveField(model_name='product', name='price')]\n",
    );
    const uri = vscode.Uri.file(file);
    try {
      const t = Date.now();
      const d = await until(
        'ML604 with the count of the values lost',
        () => vscode.languages.getDiagnostics(uri).find((x) => String(typeof x.code === 'object' ? x.code.value : x.code) === 'ML604'),
        10_000,
      );
      console.log(`    migration written on disk -> live count shown: ${Date.now() - t} ms`);
      assert.match(d.message, /\b\d+\b/);
    } finally {
      fs.rmSync(file, { force: true });
    }
    await until('the file gone from the tree', () => !treeRows(api).has('store.0004_remove_product_price'));
  });

  it('puts lenses with the SQL Django will run over the class and each operation', async () => {
    const uri = migrationFile('store', '0003_product_sku_required');
    const lenses = await until(
      'resolved lenses',
      async () => {
        const l = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? [];
        return l.some((x) => /SQL \(\d+ statements?\)/.test(x.command?.title ?? '')) ? l : undefined;
      },
      60_000,
    );
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(
      titles.some((t) => /^Reverse SQL/.test(t)),
      titles.join(' | '),
    );
    assert.ok(titles.includes('$(play) Apply up to here'), titles.join(' | '));
    const first = ENGINE === 'sqlite' ? /^CREATE TABLE "new__store_product"/ : /^ALTER TABLE "store_product" ALTER COLUMN "sku"/;
    assert.ok(
      titles.some((t) => first.test(t)),
      titles.join(' | '),
    );
    if (hasPage()) {
      await until('lenses on screen', async () => ((await page({ action: 'count', selector: '.codelens-decoration' })) as number) > 0);
      await screenshot('diagnostics-and-lenses');
    }
  });

  it('opens the SQL in a read-only sql document, byte for byte what sqlmigrate prints', async () => {
    await vscode.commands.executeCommand('migrationLens.showSql', { projectRoot: WORKSPACE, app: 'store', name: '0003_product_sku_required' });
    const doc = await until('the SQL document', () => {
      const d = vscode.window.activeTextEditor?.document;
      return d?.uri.scheme === 'migration-lens' && !d.getText().startsWith('-- Nothing') ? d : undefined;
    });
    assert.strictEqual(doc.languageId, 'sql');
    const expected = shop.manage('sqlmigrate', 'store', '0003_product_sku_required');
    const body = doc.getText().split('\n').slice(3).join('\n');
    assert.strictEqual(body, expected);
    if (hasPage()) await screenshot('sql-document');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('asks before a High-risk apply with the plan and the live counts; dismissing it runs nothing', async () => {
    const before = applied();
    const row = treeRows(api).get('orders.0005_remove_order_note')!;
    const text = await answerDialog(api, () => vscode.commands.executeCommand('migrationLens.applyTo', row.node), undefined);
    assert.ok(text, 'a confirmation was asked');
    assert.match(text, /1 migration carries High risk/);
    // Each step with its findings (live counts included) and what each operation does on the engine the database reports.
    assert.match(
      text,
      /Apply orders\.0004_order_status_required\n +1\. On (PostgreSQL \d+: ACCESS EXCLUSIVE lock on orders_order \(\d+ kB\) and reads every row|SQLite: Django rebuilds orders_order \(~3 rows\))[^\n]*\nApply orders\.0005_remove_order_note\n[\s\S]* +ML604: 3 non-null values/,
    );
    assert.match(text, /\[Apply\]$/);
    assert.deepStrictEqual(applied(), before);
    // The same plan as a document.
    await vscode.commands.executeCommand('migrationLens.showPlan', { kind: 'app', project: row.node.project, app: (row.node as { app: unknown }).app });
    const plan = await until('the plan document', () => {
      const d = vscode.window.activeTextEditor?.document;
      return d?.uri.path.endsWith('plan-orders.md') && /ML604/.test(d.getText()) ? d : undefined;
    });
    assert.match(plan.getText(), /Apply \*\*orders\.0005_remove_order_note\*\* — high risk/);
    if (hasPage()) await screenshot('plan');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('applies up to a migration and rolls back; the tree and the database agree each time', async () => {
    const row = treeRows(api).get('orders.0004_order_status_required')!;
    await answerDialog(api, () => vscode.commands.executeCommand('migrationLens.applyTo', row.node), 'Apply');
    assert.ok(applied().has('orders.0004_order_status_required'), 'recorded as applied');
    await until('the tree to show 0004 applied', () => treeRows(api).get('orders.0004_order_status_required')?.state === 'applied');
    if (hasPage()) await screenshot('after-apply');

    const back = treeRows(api).get('orders.0003_fill_order_status')!;
    const text = await answerDialog(api, () => vscode.commands.executeCommand('migrationLens.rollbackTo', back.node), 'Roll Back');
    assert.match(text ?? '', /Unapply orders\.0004_order_status_required/);
    assert.ok(!applied().has('orders.0004_order_status_required'), 'unapplied in the database');
    await until('the tree to show 0004 pending', () => treeRows(api).get('orders.0004_order_status_required')?.state === 'pending');
  });

  it('cancels a running migrate: Django stops, nothing half-recorded, the next command runs', async function () {
    if (!hasPage()) this.skip(); // clicking Cancel in the notification needs the page driver
    const slow = ordersRunPython('0006_slow', 'time.sleep(60)');
    try {
      const row = await until('the slow migration in the tree', () => treeRows(api).get('orders.0006_slow'), 30_000);
      const started = Date.now();
      let settled = false;
      const run = answerDialog(api, () => vscode.commands.executeCommand('migrationLens.applyTo', row.node), 'Apply').finally(() => (settled = true));
      await until(
        "the progress notification's Cancel",
        async () => {
          if (settled) {
            const shown = await page({ action: 'text', selector: '.notifications-toasts', timeout: 1000 }).catch(() => '');
            // A click that landed but answered after its timeout: the command reports the cancellation itself.
            if (/^Cancelled\./m.test(String(shown))) return true;
            throw new GiveUp(`the command ended before it could be cancelled; notifications: ${shown}`);
          }
          return page({ action: 'click', within: '.notifications-toasts', name: 'Cancel', timeout: 1000 }).then(
            () => true,
            () => undefined,
          );
        },
        90_000,
      ).catch(async (err) => {
        await screenshot('cancel-failed');
        throw err;
      });
      await run;
      assert.ok(Date.now() - started < 55_000, 'stopped before the migration would have ended');
      if (hasPage()) await screenshot('cancelled');
      assert.ok(!applied().has('orders.0006_slow'), 'the cancelled migration is not recorded');
      const left = cp.spawnSync('pgrep', ['-f', 'manage.py migrate'], { encoding: 'utf8' });
      assert.strictEqual(left.stdout.trim(), '', 'no manage.py left running');
    } finally {
      fs.rmSync(slow, { force: true });
    }
    // The lock is free: rolling back works at once.
    const back = await until('orders.0003 in the tree', () => treeRows(api).get('orders.0003_fill_order_status'));
    await answerDialog(api, () => vscode.commands.executeCommand('migrationLens.rollbackTo', back.node), 'Roll Back');
    assert.ok(!applied().has('orders.0005_remove_order_note'));
    assert.ok(!applied().has('orders.0004_order_status_required'));
  });

  it('refuses an irreversible roll back unless confirmed, and dismissing it runs nothing', async () => {
    const file = ordersRunPython('0006_one_way', 'pass', false);
    try {
      const row = await until('the one-way migration in the tree', () => treeRows(api).get('orders.0006_one_way'), 30_000);
      await answerDialog(api, () => vscode.commands.executeCommand('migrationLens.applyTo', row.node), 'Apply');
      assert.ok(applied().has('orders.0006_one_way'));
      const before = applied();
      const back = await until('orders.0003 in the tree', () => treeRows(api).get('orders.0003_fill_order_status'));
      const text = await answerDialog(api, () => vscode.commands.executeCommand('migrationLens.rollbackTo', back.node), undefined);
      assert.match(text ?? '', /cannot be reversed/);
      assert.match(text ?? '', /orders\.0006_one_way operation 1 — .*RunPython/i);
      assert.match(text ?? '', /\[Run Anyway\]$/);
      assert.deepStrictEqual(applied(), before, 'nothing was unapplied');
      // Fake roll back is never blocked: it only edits the history.
      const fake = await answerDialog(api, () => vscode.commands.executeCommand('migrationLens.fakeRollback', treeRows(api).get('orders.0006_one_way')!.node), 'Fake');
      assert.match(fake ?? '', /fake only edits django_migrations/);
      assert.ok(!applied().has('orders.0006_one_way'));
      await answerDialog(api, () => vscode.commands.executeCommand('migrationLens.rollbackTo', back.node), 'Roll Back');
      assert.ok(!applied().has('orders.0004_order_status_required'));
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('says so in the lens when the interpreter has no Django, and offers to pick one', async () => {
    const noDjango = path.join(WORKSPACE, '.no-django-python');
    fs.writeFileSync(noDjango, `#!/bin/sh\nexec ${PYTHON} -S "$@"\n`, { mode: 0o755 });
    const config = vscode.workspace.getConfiguration('migrationLens');
    const uri = migrationFile('store', '0002_collection');
    await vscode.window.showTextDocument(uri); // the lens command needs the document loaded
    await config.update('pythonPath', noDjango, vscode.ConfigurationTarget.Workspace);
    try {
      const lens = await until(
        'the interpreter lens',
        async () => {
          const l = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? [];
          return l.find((x) => /Select Interpreter/.test(x.command?.title ?? ''));
        },
        60_000,
      );
      assert.strictEqual(lens.command?.command, 'migrationLens.selectInterpreter');
    } finally {
      await config.update('pythonPath', SHOP_PYTHON, vscode.ConfigurationTarget.Workspace);
    }
    await until(
      'SQL lenses again',
      async () => {
        const l = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? [];
        return l.some((x) => /SQL \(\d+ statements?\)/.test(x.command?.title ?? ''));
      },
      60_000,
    );
  });
});
