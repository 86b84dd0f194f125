// The boundaries ESLint keeps (eslint.config.mjs): the language server is a pure function of text, so
// it imports no processes, sockets, database drivers or VS Code, and nothing of core, the client or
// the CLI; core (database, Django, git) runs in the CLI too, so it imports no VS Code and no engine.
import * as assert from 'assert';
import { ESLint } from 'eslint';
import { REPO } from '../helpers/project';

describe('lint boundaries', function () {
  this.timeout(60_000);
  const eslint = new ESLint({ cwd: REPO });
  const restricted = async (file: string, code: string) =>
    (await eslint.lintText(code, { filePath: `${REPO}/${file}` }))[0].messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);

  it('refuses child_process, net, database drivers and vscode in the language server', async () => {
    for (const mod of ['child_process', 'net', 'pg', 'mysql2/promise', 'vscode']) {
      const [message] = await restricted('server/src/analysis/example.ts', `import * as m from '${mod}';\nexport const x = m;\n`);
      assert.match(message ?? '', /pure function of text/, mod);
    }
    assert.strictEqual((await restricted('server/src/rules/example.ts', "import { spawn } from 'node:child_process';\nexport const s = spawn;\n")).length, 1);
    assert.strictEqual((await restricted('shared/src/example.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n")).length, 1);
  });

  it('refuses core, the client and the CLI in the language server, and the engine and VS Code in core', async () => {
    const [server] = await restricted('server/src/analysis/example.ts', "import { ProjectDatabase } from '../../../core/src/database/session';\nexport const p = ProjectDatabase;\n");
    assert.match(server ?? '', /shared\/ alone/);
    const [core] = await restricted('core/src/database/example.ts', "import { Workspace } from '../../../server/src/analysis/workspace';\nexport const w = Workspace;\n");
    assert.match(core ?? '', /shared\/ alone/);
    const [vscode] = await restricted('core/src/django/example.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n");
    assert.match(vscode ?? '', /VS Code belongs to the client/);
  });

  it('lets core run git and open databases, and the CLI use the engine and core', async () => {
    assert.deepStrictEqual(await restricted('core/src/git/example.ts', "import { execFile } from 'child_process';\nexport const e = execFile;\n"), []);
    assert.deepStrictEqual(await restricted('core/src/database/example.ts', "import { Client } from 'pg';\nexport const c = Client;\n"), []);
    assert.deepStrictEqual(
      await restricted(
        'cli/src/example.ts',
        "import { Workspace } from '../../server/src/engine';\nimport { ProjectDatabase } from '../../core/src/database/session';\nexport const x = [Workspace, ProjectDatabase];\n",
      ),
      [],
    );
  });
});
