// The project's configuration file in the language server: its rules, exclude and problems, and the
// editor's per-folder settings over it.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { URI } from 'vscode-uri';
import { migration, writeProject } from '../helpers/project';
import { initializeFolder, startServer } from '../helpers/lsp';

const ORDER = 'migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("note", models.TextField()), ("qty", models.IntegerField())])';

describe('the project configuration in the language server', () => {
  it('applies [tool.migration-lens] rules and exclude, says what is wrong in the file, follows its changes, and lets folder settings win', async () => {
    const root = writeProject({
      'orders/migrations/__init__.py': '',
      'orders/migrations/0001_initial.py': migration([], [ORDER]),
      'orders/migrations/0002_drop.py': migration([['orders', '0001_initial']], ['migrations.RemoveField("order", "note")', 'migrations.RunPython(migrations.RunPython.noop)']),
      'orders/migrations/0003_legacy.py': migration([['orders', '0002_drop']], ['migrations.RemoveField("order", "qty")']),
      'pyproject.toml': '[tool.migration-lens]\nexclude = ["orders/migrations/0003_*.py"]\nnoise = 1\n\n[tool.migration-lens.rules]\nML101 = "off"\nML401 = "error"\n',
    });
    const server = startServer({});
    // The window has no rules; the folder's own setting turns ML401 into a hint once it is set.
    let folderRules: Record<string, string> | undefined;
    server.connection.onRequest('workspace/configuration', (p: { items: Array<{ scopeUri?: string }> }) => p.items.map((i) => (i.scopeUri && folderRules ? { rules: folderRules } : {})));
    const uri = (rel: string) => URI.file(path.join(root, rel)).toString();
    const codes = (rel: string) => (server.diagnostics.get(uri(rel))?.diagnostics ?? []).map((d) => `${d.code}:${d.severity}`).sort();
    try {
      await initializeFolder(server, root, { docs: 'file:///ext/docs/rules/' });
      await server.waitFor((d) => d.has(uri('orders/migrations/0002_drop.py')) && d.has(uri('pyproject.toml')), 'the first publish');
      assert.deepStrictEqual(codes('orders/migrations/0002_drop.py'), ['ML401:1', 'ML404:3'], 'ML101 off, ML401 an error');
      assert.deepStrictEqual(codes('orders/migrations/0003_legacy.py'), [], 'excluded: nothing reported');
      // Each diagnostic links to its rule's page.
      assert.strictEqual(server.diagnostics.get(uri('orders/migrations/0002_drop.py'))!.diagnostics[0].codeDescription?.href, 'file:///ext/docs/rules/ML401.md');
      const [problem] = server.diagnostics.get(uri('pyproject.toml'))!.diagnostics;
      assert.strictEqual(problem.range.start.line, 2);
      assert.match(problem.message, /^Unknown key noise in \[tool\.migration-lens\]/);

      // The file changes on disk: ML101 back on, the problem gone.
      fs.writeFileSync(path.join(root, 'pyproject.toml'), '[tool.migration-lens.rules]\nML401 = "error"\n');
      await server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri('pyproject.toml'), type: 2 }] });
      await server.waitFor(() => codes('orders/migrations/0002_drop.py').includes('ML101:2'), 'ML101 to come back');
      assert.deepStrictEqual(server.diagnostics.get(uri('pyproject.toml'))!.diagnostics, []);
      await server.waitFor(() => codes('orders/migrations/0003_legacy.py').includes('ML101:2'), 'the file no longer excluded');

      // The folder's setting wins over the file.
      folderRules = { ML401: 'hint' };
      await server.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
      await server.waitFor(() => codes('orders/migrations/0002_drop.py').includes('ML401:4'), 'the folder setting to win');
    } finally {
      await server.stop();
    }
  });
});
