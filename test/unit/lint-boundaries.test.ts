// The boundary ESLint keeps (eslint.config.mjs): the language server is a pure function of text, so
// it imports no processes, sockets, database drivers or VS Code; the CLI's own parts may.
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
  });

  it('lets the CLI run git and the client open databases', async () => {
    assert.deepStrictEqual(await restricted('server/src/check/example.ts', "import { execFile } from 'child_process';\nexport const e = execFile;\n"), []);
    assert.deepStrictEqual(await restricted('client/src/database/example.ts', "import { Client } from 'pg';\nexport const c = Client;\n"), []);
  });
});
