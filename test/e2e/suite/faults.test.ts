// Faults injected while the extension runs on a SQLite copy of examples/shop: each gets a clear
// message, the tree keeps showing the files, nothing is left half-done by the extension, and the
// next action works without reloading the window.
import * as assert from 'assert';
import * as cp from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { MigrationLensApi } from '../../../client/src/extension';
import { PYTHON } from '../../helpers/servers';
import { answerDialog, applied, appliedInSqliteFile, extension, ordersRunPython, GiveUp, hasPage, migrationFile, page, screenshot, treeRows, until, WORKSPACE, extensionLog } from './host';

const lensTitles = async (uri: vscode.Uri): Promise<string[]> =>
  ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 20)) ?? []).map((l) => l.command?.title ?? '');
const sqlLens = (titles: string[]) => titles.find((t) => /SQL \(\d+ statements?\)/.test(t));

/** The text of the visible notifications, on the page. */
const toasts = async () => ((await page({ action: 'text', selector: '.notifications-toasts', timeout: 2000 }).catch(() => '')) as string) ?? '';

describe('faults injected into a running extension', function () {
  let api: MigrationLensApi;
  const uri = migrationFile('store', '0002_collection');

  before(async () => {
    api = await extension();
    await vscode.commands.executeCommand('workbench.view.extension.migrationLens');
    await until('the tree with the database state', () => treeRows(api).get('store.0001_initial')?.state === 'applied', 60_000);
    await vscode.window.showTextDocument(uri);
    await until('the SQL lens', async () => sqlLens(await lensTitles(uri)), 60_000);
  });

  it('the bridge killed mid-request: the next lens starts a new one', async () => {
    const t = api.trusted()!;
    const found = await t.django.tryBridge(WORKSPACE);
    const bridge = found.bridge!;
    const [pid, starts] = [bridge.pid!, bridge.starts];
    t.sql.clear();
    const pending = t.sql.get(WORKSPACE, 'store', '0001_initial', true).then(
      () => 'answered',
      (e: Error) => e.message,
    );
    process.kill(pid, 'SIGKILL');
    const first = await pending;
    assert.ok(first === 'answered' || /exited|crash|killed|signal/i.test(first), first);
    t.sql.clear();
    const titles = await until('the SQL lens again', async () => ((t) => (sqlLens(t) ? t : undefined))(await lensTitles(uri)), 60_000);
    assert.ok(sqlLens(titles));
    assert.ok(bridge.starts > starts && bridge.pid !== pid, 'a new bridge process answered');
  });

  it('a Django that raises at boot: the lens and the command say why, the tree stays, fixing it needs no reload', async () => {
    const settings = path.join(WORKSPACE, 'shop', 'settings.py');
    const original = fs.readFileSync(settings, 'utf8');
    fs.writeFileSync(settings, `${original}\nraise RuntimeError("settings broken on purpose")\n`);
    try {
      const titles = await until('the lens to say why', async () => ((t) => (t.some((x) => /settings broken on purpose/.test(x)) ? t : undefined))(await lensTitles(uri)), 60_000);
      assert.ok(
        titles.some((x) => /^\$\(warning\) SQL unavailable: Django did not start with settings 'shop\.settings': RuntimeError: settings broken on purpose/.test(x)),
        titles.join(' | '),
      );
      const rows = treeRows(api);
      assert.ok(rows.size >= 8, 'the tree still lists the files');
      assert.strictEqual(rows.get('store.0001_initial')?.state, 'applied', 'and the state the database records');
      const before = appliedInSqliteFile();
      assert.ok(before.has('store.0001_initial'));
      await answerDialog(api, () => vscode.commands.executeCommand('migrationLens.applyAll'), 'Apply');
      assert.deepStrictEqual(appliedInSqliteFile(), before, 'nothing ran');
      if (hasPage()) {
        await until('the error message', async () => /: Django did not start with settings 'shop\.settings': RuntimeError: settings broken on purpose/.test(await toasts()), 20_000);
        await screenshot('fault-django-boot');
      }
    } finally {
      fs.writeFileSync(settings, original);
    }
    await until('the SQL lens back', async () => sqlLens(await lensTitles(uri)), 60_000);
  });

  it('manage.py migrate killed from outside: classified, nothing recorded, the lock is free', async function () {
    if (!hasPage()) this.skip();
    const slow = ordersRunPython('0006_slow', 'time.sleep(60)');
    try {
      const row = await until('the slow migration in the tree', () => treeRows(api).get('orders.0006_slow'), 30_000);
      let settled = false;
      const run = answerDialog(api, () => vscode.commands.executeCommand('migrationLens.applyTo', row.node), 'Apply').finally(() => (settled = true));
      const pid = await until(
        'manage.py migrate running',
        () => {
          if (settled) throw new GiveUp('the command ended before it could be killed');
          return cp.spawnSync('pgrep', ['-f', 'manage.py migrate orders 0006_slow'], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean)[0];
        },
        60_000,
      );
      await new Promise((r) => setTimeout(r, 2500)); // 0004 and 0005 done, inside 0006's RunPython
      process.kill(Number(pid), 'SIGKILL');
      await run;
      await until('the outcome message', async () => /stopped from outside \(SIGKILL\)/.test(await toasts()), 20_000);
      await screenshot('fault-migrate-killed');
      assert.ok(!applied().has('orders.0006_slow'), 'the killed migration is not recorded');
    } finally {
      fs.rmSync(slow, { force: true });
    }
    // The lock was released: the next migrate runs at once.
    const back = await until('orders.0003 in the tree', () => treeRows(api).get('orders.0003_fill_order_status'));
    await answerDialog(api, () => vscode.commands.executeCommand('migrationLens.rollbackTo', back.node), 'Roll Back');
    assert.ok(!applied().has('orders.0004_order_status_required'));
    await until('the tree to agree', () => treeRows(api).get('orders.0004_order_status_required')?.state === 'pending');
  });

  it('the SQLite file locked by another process: the read goes on from a snapshot', async () => {
    const file = path.join(WORKSPACE, '_data', 'db.sqlite3');
    const holder = cp.spawn(
      PYTHON,
      ['-c', 'import sqlite3,sys,time\nc=sqlite3.connect(sys.argv[1],isolation_level=None)\nc.execute("BEGIN EXCLUSIVE")\nprint("locked",flush=True)\ntime.sleep(30)', file],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
      const t = Date.now();
      await vscode.commands.executeCommand('migrationLens.refreshDatabase');
      assert.ok(Date.now() - t < 10_000, `refresh took ${Date.now() - t} ms`);
      const rows = treeRows(api);
      assert.strictEqual(rows.get('store.0001_initial')?.state, 'applied');
      assert.strictEqual(api.trusted()!.sync.reportFor(WORKSPACE)?.problem, undefined);
    } finally {
      holder.kill();
    }
  });

  it('the SQLite file replaced by garbage, then restored: the reason shows, the files stay, the next read works', async () => {
    const file = path.join(WORKSPACE, '_data', 'db.sqlite3');
    const good = fs.readFileSync(file);
    fs.writeFileSync(file, Buffer.from('this is not a database, it replaced one while the extension was reading it'.repeat(100)));
    try {
      await vscode.commands.executeCommand('migrationLens.refreshDatabase');
      const problem = await until('the database problem', () => api.trusted()!.sync.reportFor(WORKSPACE)?.problem?.message, 20_000);
      assert.match(problem, /not a (SQLite )?database|corrupt|malformed/i);
      await until(
        'the database row to say so',
        () => {
          const db = api.tree.getChildren().find((n) => n.kind === 'database');
          return db && db.kind === 'database' && db.problem ? db : undefined;
        },
        20_000,
      );
      assert.ok(treeRows(api).size >= 8, 'the tree still lists the files');
      if (hasPage()) await screenshot('fault-sqlite-garbage');
    } finally {
      fs.writeFileSync(file, good);
    }
    await vscode.commands.executeCommand('migrationLens.refreshDatabase');
    await until('the state back', () => api.trusted()!.sync.reportFor(WORKSPACE)?.problem === undefined && treeRows(api).get('store.0001_initial')?.state === 'applied', 20_000);
  });

  it('an unreachable server and a wrong password: named in the database row, the password nowhere in the log', async function () {
    if (!hasPage()) this.skip(); // the password goes through the real input box
    const config = vscode.workspace.getConfiguration('migrationLens');
    const secret = `Wrong-${process.pid}-pw`;
    try {
      await config.update('database.port', 1, vscode.ConfigurationTarget.Workspace);
      await config.update('database.engine', 'postgres', vscode.ConfigurationTarget.Workspace);
      const unreachable = await until('the unreachable server', () => ((p) => (p?.kind === 'unreachable' ? p : undefined))(api.trusted()!.sync.reportFor(WORKSPACE)?.problem), 30_000);
      assert.strictEqual(unreachable.kind, 'unreachable', unreachable.message);
      assert.ok(treeRows(api).size >= 8, 'the tree still lists the files');
      if (hasPage()) await screenshot('fault-unreachable');

      await config.update('database.engine', 'mysql', vscode.ConfigurationTarget.Workspace);
      await config.update('database.port', 3306, vscode.ConfigurationTarget.Workspace);
      await config.update('database.user', 'root', vscode.ConfigurationTarget.Workspace);
      await config.update('database.name', 'test', vscode.ConfigurationTarget.Workspace);
      const asked = vscode.commands.executeCommand('migrationLens.setDatabasePassword', { projectRoot: WORKSPACE });
      await page({ action: 'wait', selector: '.quick-input-widget input', timeout: 20_000 });
      await page({ action: 'type', selector: '.quick-input-widget input', text: secret });
      await page({ action: 'press', key: 'Enter' });
      await asked;
      const auth = await until('the wrong password', () => ((p) => (p?.kind === 'auth' ? p : undefined))(api.trusted()!.sync.reportFor(WORKSPACE)?.problem), 30_000);
      assert.match(auth.message, /Wrong user or password/);
      assert.ok(!auth.message.includes(secret));
      await vscode.commands.executeCommand('migrationLens.showDatabaseSource');
      const log = extensionLog(api);
      assert.ok(log.length > 200 && /root@127\.0\.0\.1:3306\/test/.test(log), 'the log names the database');
      assert.ok(!log.includes(secret), 'the password is not in the log');
    } finally {
      // Forget the password (an empty input) and go back to the SQLite default.
      const forget = vscode.commands.executeCommand('migrationLens.setDatabasePassword', { projectRoot: WORKSPACE });
      await page({ action: 'wait', selector: '.quick-input-widget input', timeout: 20_000 })
        .then(() => page({ action: 'press', key: 'Enter' }))
        .catch(() => undefined);
      await forget;
      for (const key of ['engine', 'port', 'user', 'name']) await config.update(`database.${key}`, undefined, vscode.ConfigurationTarget.Workspace);
    }
    await until('SQLite again', () => api.trusted()!.sync.reportFor(WORKSPACE)?.problem === undefined && treeRows(api).get('store.0001_initial')?.state === 'applied', 30_000);
  });
});
