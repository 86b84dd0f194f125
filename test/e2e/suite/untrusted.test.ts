// An untrusted workspace: the analysis runs, but no Python process is started, no database is
// opened and no lens asks Django for SQL.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { extension, hasPage, migrationFile, screenshot, until } from './host';

/** Every process below this one (the extension host), with its command line. */
function descendants(): string[] {
  const parent = new Map<number, number>();
  const cmd = new Map<number, string>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      cmd.set(Number(entry), fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim());
    } catch {
      // gone meanwhile
    }
  }
  const out: string[] = [];
  for (const [pid] of parent) {
    for (let p = parent.get(pid); p; p = parent.get(p)) {
      if (p === process.pid) {
        out.push(cmd.get(pid) ?? '');
        break;
      }
    }
  }
  return out;
}

describe('Migration Lens in an untrusted workspace', () => {
  it('analyzes the files but starts no Python, opens no database and asks no SQL', async () => {
    assert.strictEqual(vscode.workspace.isTrusted, false, 'the workspace is untrusted');
    const api = await extension();
    await vscode.commands.executeCommand('workbench.view.extension.migrationLens');
    const uri = migrationFile('orders', '0005_remove_order_note');
    await vscode.window.showTextDocument(uri);
    await until('the analysis', () => vscode.languages.getDiagnostics(uri).find((d) => String(typeof d.code === 'object' ? d.code.value : d.code) === 'ML101'));
    await until('the tree', () => api.tree.current.length > 0);
    // Give anything that would start (bridge, probes, database reads) the time to start.
    await new Promise((r) => setTimeout(r, 3000));
    assert.strictEqual(api.trusted(), undefined, 'Django and the database layer are not started');
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? [];
    assert.deepStrictEqual(
      lenses.map((l) => l.command?.title),
      [],
      'no lens asks Django',
    );
    const spawned = descendants().filter((c) => /python/.test(c));
    assert.deepStrictEqual(spawned, [], 'no Python process under the extension host');
    const migrate = await vscode.commands.executeCommand('migrationLens.applyAll').then(
      () => 'ran',
      (e: Error) => e.message,
    );
    assert.notStrictEqual(migrate, 'ran', 'the migrate commands are not available');
    if (hasPage()) await screenshot('untrusted');
  });
});
