import * as assert from 'assert';
import * as path from 'path';
import { URI } from 'vscode-uri';
import { migration, writeProject } from '../helpers/project';
import { initializeFolder, startServer } from '../helpers/lsp';

describe('migrationLens.rules read through workspace/configuration', () => {
  it('changes a severity and turns a rule off', async () => {
    const rel = 'orders/migrations/0001_initial.py';
    const root = writeProject({ [rel]: migration([], ['migrations.RunPython(forwards)', 'migrations.RunSQL("SELECT 1")']) });
    const server = startServer({ rules: { ML401: 'error', ML402: 'off' } });
    try {
      await initializeFolder(server, root);
      const uri = URI.file(path.join(root, rel)).toString();
      await server.waitFor((d) => d.has(uri), 'the file to be published');
      const diags = server.diagnostics.get(uri)!.diagnostics;
      assert.deepStrictEqual(
        diags.map((d) => [d.code, d.severity]),
        [['ML401', 1]],
      );
    } finally {
      await server.stop();
    }
  });
});
