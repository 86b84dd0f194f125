// A multi-root workspace with two Django projects, each on its own SQLite database: one tree
// section per project with that project's state, and lenses in both.
import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import { extension, hasPage, screenshot, until, WORKSPACE } from './host';

const SECOND = process.env.MIGRATION_LENS_UI_SECOND!;

describe('Migration Lens in a multi-root workspace', () => {
  it('shows each project with the state of its own database, and lenses in both', async () => {
    assert.strictEqual(vscode.workspace.workspaceFolders?.length, 2);
    const api = await extension();
    await vscode.commands.executeCommand('workbench.view.extension.migrationLens');
    const status = (root: string) => {
      const p = api.tree.current.find((x) => x.root === root);
      return p?.apps.find((a) => a.label === 'orders')?.migrations.find((m) => m.name === '0004_order_status_required')?.status;
    };
    await until('both projects with their database state', () => status(WORKSPACE) === 'pending' && status(SECOND) === 'applied', 60_000);
    const top = api.tree.getChildren();
    assert.deepStrictEqual(
      top.map((n) => n.kind),
      ['project', 'project'],
    );
    assert.deepStrictEqual(top.map((n) => (n.kind === 'project' ? n.project.root : '')).sort(), [WORKSPACE, SECOND].sort());
    for (const root of [WORKSPACE, SECOND]) {
      const uri = vscode.Uri.file(path.join(root, 'orders', 'migrations', '0004_order_status_required.py'));
      await vscode.window.showTextDocument(uri);
      const want = root === WORKSPACE ? 'Apply up to here' : 'Unapply';
      await until(
        `lenses in ${path.basename(root)}`,
        async () => {
          const l = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? [];
          const titles = l.map((x) => x.command?.title ?? '');
          return titles.some((t) => /SQL \(\d+ statements?\)/.test(t)) && titles.some((t) => t.endsWith(want));
        },
        60_000,
      );
    }
    if (hasPage()) await screenshot('multiroot');
  });
});
