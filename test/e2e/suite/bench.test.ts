// Figures of the VS Code layer (run by test/bench/vscode.mjs, not by the test command): activation
// to the first tree, the tree drawn on screen, the refresh after a migrate, and lens resolution with
// the warm bridge next to `manage.py sqlmigrate` for the same migrations.
import * as cp from 'child_process';
import * as vscode from 'vscode';
import { PYTHON } from '../../helpers/servers';
import { ENGINE, extension, page, shop, treeRows, until, WORKSPACE, DB_ENV } from './host';

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms (n=${xs.length})`;

describe(`VS Code layer figures (${ENGINE})`, () => {
  it('measures', async () => {
    const api = await extension();
    await until('the tree with the database state', () => api.tree.firstLoad.database, 60_000);
    const figures: string[] = [];
    figures.push(`activation -> tree rows from the files: ${api.tree.firstLoad.files! - api.activatedAt} ms`);
    figures.push(`activation -> tree rows with the database state: ${api.tree.firstLoad.database! - api.activatedAt} ms`);

    const opened = Date.now();
    await vscode.commands.executeCommand('workbench.view.extension.migrationLens');
    await page({ action: 'wait', selector: '[id="workbench.view.extension.migrationLens"] .monaco-list-row', timeout: 30_000 });
    figures.push(`open the view -> rows on screen: ${Date.now() - opened} ms`);

    // A migrate run outside the extension (a terminal): until the tree shows it.
    const refresh: number[] = [];
    // SQLite: a file watcher sees it. Servers are polled every 30 s while the window has focus.
    for (let i = 0; i < (ENGINE === 'sqlite' ? 3 : 0); i++) {
      shop.manage('migrate', 'orders', '0004', '--noinput');
      let t = Date.now();
      await until('0004 applied in the tree', () => treeRows(api).get('orders.0004_order_status_required')?.state === 'applied', 30_000);
      refresh.push(Date.now() - t);
      shop.manage('migrate', 'orders', '0003', '--noinput');
      t = Date.now();
      await until('0004 pending in the tree', () => treeRows(api).get('orders.0004_order_status_required')?.state === 'pending', 30_000);
      refresh.push(Date.now() - t);
    }
    if (refresh.length) figures.push(`migrate in a terminal -> tree updated (file watcher and debounce included): ${fmt(refresh)}`);
    const explicit: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      await vscode.commands.executeCommand('migrationLens.refreshDatabase');
      explicit.push(performance.now() - t);
    }
    figures.push(`Refresh (read the database, probes, tree), as after every command: ${fmt(explicit)}`);

    // Lenses: every migration file, resolved through the warm bridge, cache cleared each round.
    const trusted = api.trusted()!;
    const files = [...treeRows(api).values()].map((r) => (r.node.kind === 'migration' ? r.node : undefined)!).filter(Boolean);
    for (const n of files) await vscode.workspace.openTextDocument(vscode.Uri.file(n.migration.path));
    const warm = files[0];
    await vscode.commands.executeCommand('vscode.executeCodeLensProvider', vscode.Uri.file(warm.migration.path), 100);
    const lens: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (const n of files) {
        trusted.sql.clear();
        const t = performance.now();
        const l = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.Uri.file(n.migration.path), 100)) ?? [];
        lens.push(performance.now() - t);
        if (!l.some((x) => /SQL/.test(x.command?.title ?? ''))) throw new Error(`no SQL lens on ${n.migration.name}`);
      }
    }
    const sqlmigrate: number[] = [];
    for (const n of files) {
      const t = performance.now();
      const r = cp.spawnSync(PYTHON, ['manage.py', 'sqlmigrate', n.app.label, n.migration.name], { cwd: WORKSPACE, env: { ...process.env, ...DB_ENV }, encoding: 'utf8' });
      sqlmigrate.push(performance.now() - t);
      if (r.status !== 0) throw new Error(r.stderr);
    }
    const direct: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (const n of files) {
        trusted.sql.clear();
        const t = performance.now();
        await trusted.sql.get(WORKSPACE, n.app.label, n.migration.name, false);
        direct.push(performance.now() - t);
      }
    }
    figures.push(`SQL of one migration through the warm bridge (the lens's own work): ${fmt(direct)}`);
    figures.push(`lenses of one file resolved (forward + reverse SQL through the warm bridge): ${fmt(lens)}`);
    figures.push(`manage.py sqlmigrate, one direction, same files: ${fmt(sqlmigrate)}`);
    figures.push(`sqlmigrate p50 / bridge SQL p50: ${(pct(sqlmigrate, 50) / pct(direct, 50)).toFixed(0)}x; sqlmigrate p50 / resolved lenses p50: ${(pct(sqlmigrate, 50) / pct(lens, 50)).toFixed(0)}x`);
    console.log(`\nFIGURES ${ENGINE}\n  ${figures.join('\n  ')}\n`);
  });
});
