// A large project on a reviewer's fresh clone (test/helpers/large-project.ts): 1,404 migrations in
// 40 apps, a branch with four new or changed migrations, no database configured and a Django that
// cannot start. The tree comes from the files at once, history is quiet, and Django's failure is
// said once.
import * as assert from 'assert';
import * as cp from 'child_process';
import * as path from 'path';
import * as vscode from 'vscode';
import type { MigrationLensApi } from '../../../client/src/extension';
import type { TreeNode } from '../../../client/src/views/tree';
import { extension, hasPage, page, screenshot, treeRows, until, WORKSPACE, extensionLog } from './host';

const NEW_WORK = ['app03/migrations/0029_remove_item_name.py', 'app07/migrations/0029_a.py', 'app07/migrations/0029_b.py', 'app05/migrations/0028_step_28.py'];

const codeOf = (d: vscode.Diagnostic) => String(typeof d.code === 'object' ? d.code.value : d.code);

describe('Migration Lens on a large project without a database or a working Django', function () {
  let api: MigrationLensApi;

  before(async () => {
    api = await extension();
    await vscode.commands.executeCommand('workbench.view.extension.migrationLens');
  });

  it('shows the tree from the files, then every finding, with apps collapsed and summarized', async () => {
    await until('the tree rows from the files', () => api.tree.firstLoad.files, 60_000);
    await until('every finding', () => api.tree.firstLoad.analyzed, 120_000);
    console.log(`    activation -> tree rows from the files: ${api.tree.firstLoad.files! - api.activatedAt} ms; -> every finding: ${api.tree.firstLoad.analyzed! - api.activatedAt} ms`);
    // The server's own account of its first analysis, from the log.
    const log = await until('the server timings in the log', () => extensionLog(api).match(/\d+ migration files read in \d+ ms, the baseline in \d+ ms, every rule in \d+ ms/)?.[0], 10_000);
    console.log(`    server: ${log}`);
    // Beside it, the CLI on the same files with the same baseline (printed, not asserted: a figure).
    const cli = path.join(__dirname, '..', '..', '..', '..', 'dist', 'cli.js');
    const t = Date.now();
    cp.spawnSync('node', [cli, 'check', WORKSPACE, '--baseline', 'auto', '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const cliMs = Date.now() - t;
    console.log(`    migration-lens check --baseline auto on the same files: ${cliMs} ms; every finding in the host: ${((api.tree.firstLoad.analyzed! - api.activatedAt) / cliMs).toFixed(2)}x`);
    const apps = api.tree.getChildren().filter((n): n is Extract<TreeNode, { kind: 'app' }> => n.kind === 'app');
    assert.strictEqual(apps.length, 40);
    const item = (label: string) => api.tree.getTreeItem(apps.find((a) => a.app.label === label)!);
    assert.strictEqual(item('app01').collapsibleState, vscode.TreeItemCollapsibleState.Collapsed, 'apps start collapsed beyond a handful');
    assert.strictEqual(item('app07').collapsibleState, vscode.TreeItemCollapsibleState.Expanded, 'an app with a conflict stays open');
    assert.match(String(item('app03').description), /^29 · 1 new · High risk$/);
    assert.strictEqual(String(item('app02').description), '28');
    const rows = treeRows(api);
    // 1,404 files; the 320 migrations replaced by squashes fold into them (no database says otherwise).
    assert.strictEqual(rows.size, 1404 - 320);
    assert.strictEqual(rows.get('app03.0029_remove_item_name')?.state, 'new');
    assert.match(rows.get('app03.0029_remove_item_name')!.description, /^new · High risk$/);
    assert.match(rows.get('app05.0028_step_28')!.description, /^changed/);
    assert.strictEqual(rows.get('app03.0011_step_11')?.state, 'history');
    assert.strictEqual(rows.get('app03.0011_step_11')?.description, 'on main');
  });

  it('puts only this branch work and the graph errors in the Problems panel', async () => {
    await until('the conflict', () => vscode.languages.getDiagnostics(vscode.Uri.file(path.join(WORKSPACE, NEW_WORK[1]))).some((d) => codeOf(d) === 'ML501'), 60_000);
    const loud = vscode.languages
      .getDiagnostics()
      .flatMap(([uri, ds]) => ds.filter((d) => d.severity !== vscode.DiagnosticSeverity.Hint).map((d) => ({ file: path.relative(WORKSPACE, uri.fsPath), code: codeOf(d), severity: d.severity })))
      .filter((d) => d.code.startsWith('ML'));
    const outside = loud.filter((d) => !NEW_WORK.includes(d.file) && d.severity !== vscode.DiagnosticSeverity.Error);
    assert.deepStrictEqual(outside, [], 'nothing loud about history');
    assert.deepStrictEqual([...new Set(loud.map((d) => d.file))].sort(), NEW_WORK.slice(0, 3).sort());
    assert.ok(loud.some((d) => d.code === 'ML101' && d.file === NEW_WORK[0]));
    // History keeps its findings, quietly.
    const old = vscode.languages.getDiagnostics(vscode.Uri.file(path.join(WORKSPACE, 'app03/migrations/0011_step_11.py')));
    assert.ok(
      old.some((d) => codeOf(d) === 'ML101' && d.severity === vscode.DiagnosticSeverity.Hint),
      'the old RemoveField is a hint',
    );
    // Plain text in the Problems panel: no code spans.
    assert.ok(!loud.length || vscode.languages.getDiagnostics().every(([, ds]) => ds.every((d) => !/`/.test(d.message))));
    if (hasPage()) {
      await vscode.commands.executeCommand('workbench.actions.view.problems');
      await screenshot('large-problems');
      await vscode.commands.executeCommand('workbench.view.extension.migrationLens');
      await page({ action: 'wait', selector: '[id="workbench.view.extension.migrationLens"] .monaco-list-row', timeout: 30_000 });
      await screenshot('large-tree');
    }
  });

  it('follows a checkout and a moved base branch', async () => {
    const loudCount = () => vscode.languages.getDiagnostics().reduce((n, [, ds]) => n + ds.filter((d) => d.severity !== vscode.DiagnosticSeverity.Hint && codeOf(d).startsWith('ML')).length, 0);
    assert.ok(loudCount() > 0);
    cp.execFileSync('git', ['checkout', '--quiet', 'main'], { cwd: WORKSPACE });
    try {
      const t = Date.now();
      await until('no loud finding after the checkout', () => loudCount() === 0, 30_000);
      console.log(`    git checkout main -> Problems panel quiet: ${Date.now() - t} ms`);
      await until('the reverted migration shown as history', () => treeRows(api).get('app05.0028_step_28')?.state === 'history', 10_000);
    } finally {
      cp.execFileSync('git', ['checkout', '--quiet', 'feature'], { cwd: WORKSPACE });
    }
    // Back on the branch, its work is loud again (the HEAD watcher and the file watcher together).
    await until(
      'the branch work back',
      () => vscode.languages.getDiagnostics(vscode.Uri.file(path.join(WORKSPACE, NEW_WORK[0]))).some((d) => codeOf(d) === 'ML101' && d.severity === vscode.DiagnosticSeverity.Warning),
      30_000,
    );
    await until('the changed migration new again', () => treeRows(api).get('app05.0028_step_28')?.state === 'new', 30_000);

    // main merges the branch (its ref moves; no file changes): the branch's work is history now,
    // and only the conflict, an error, stays loud. Only the watch on the refs can see this.
    const main = cp.execFileSync('git', ['rev-parse', 'main'], { cwd: WORKSPACE, encoding: 'utf8' }).trim();
    cp.execFileSync('git', ['branch', '--force', 'main', 'feature'], { cwd: WORKSPACE });
    try {
      const t = Date.now();
      await until(
        'the merged work quiet',
        () => vscode.languages.getDiagnostics(vscode.Uri.file(path.join(WORKSPACE, NEW_WORK[0]))).some((d) => codeOf(d) === 'ML101' && d.severity === vscode.DiagnosticSeverity.Hint),
        30_000,
      );
      console.log(`    main moved to the branch -> its work quiet: ${Date.now() - t} ms`);
      const loud = vscode.languages.getDiagnostics().flatMap(([, ds]) => ds.filter((d) => d.severity !== vscode.DiagnosticSeverity.Hint && codeOf(d).startsWith('ML')));
      assert.deepStrictEqual([...new Set(loud.map(codeOf))], ['ML501']);
    } finally {
      cp.execFileSync('git', ['branch', '--force', 'main', main], { cwd: WORKSPACE });
    }
    await until(
      'the branch work loud again',
      () => vscode.languages.getDiagnostics(vscode.Uri.file(path.join(WORKSPACE, NEW_WORK[0]))).some((d) => codeOf(d) === 'ML101' && d.severity === vscode.DiagnosticSeverity.Warning),
      30_000,
    );
  });

  it('says once, on the class line, that the SQL needs Django to start, and what is missing', async () => {
    const uri = vscode.Uri.file(path.join(WORKSPACE, NEW_WORK[0]));
    await vscode.window.showTextDocument(uri);
    const titles = await until(
      'one lens saying why there is no SQL',
      async () => {
        const l = ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? []).map((x) => x.command?.title ?? '');
        return l.length === 2 && /needs Django to start/.test(l[0]) ? l : undefined;
      },
      90_000,
    );
    assert.match(titles[0], /^\$\(warning\) SQL needs Django to start: ModuleNotFoundError: No module named 'corsheaders_missing_for_tests' — Select Interpreter$/);
    assert.strictEqual(titles[1], 'Show Log');
    // Saving a migration does not boot Django again.
    const trusted = api.trusted()!;
    const before = trusted.sql.failure(WORKSPACE);
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), '# touched\n'));
    await doc.save();
    await new Promise((r) => setTimeout(r, 1500));
    assert.strictEqual(trusted.sql.failure(WORKSPACE), before, 'the same failure stands: Django was not started again');
    // The database row names the settings' engine, not a SQLite file to migrate.
    const report = api.tree.database?.(WORKSPACE);
    assert.match(report?.problem?.message ?? '', /proj\/settings\.py uses PostgreSQL \(django\.db\.backends\.postgresql\)/);
    assert.doesNotMatch(report?.problem?.message ?? '', /SQLite|run migrate/);
    if (hasPage()) await screenshot('large-no-django');
  });
});
