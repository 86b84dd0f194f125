// The RunSQL injection grammar, tokenized with vscode-textmate against VS Code's own Python and SQL
// grammars (from the code-server install the VS Code layer uses).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

const REPO = path.resolve(__dirname, '..', '..', '..');
const EXTENSIONS = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'migration-lens', 'code-server-4.100.3', 'node_modules', 'code-server', 'lib', 'vscode', 'extensions');
const GRAMMARS: Record<string, string> = {
  'source.python': path.join(EXTENSIONS, 'python', 'syntaxes', 'MagicPython.tmLanguage.json'),
  'source.sql': path.join(EXTENSIONS, 'sql', 'syntaxes', 'sql.tmLanguage.json'),
  'source.python.migrationlens-runsql': path.join(REPO, 'syntaxes', 'runsql.injection.tmLanguage.json'),
};

describe('RunSQL highlighting grammar', function () {
  let python: textmate.IGrammar;

  before(async function () {
    if (!fs.existsSync(GRAMMARS['source.python'])) {
      const why = `VS Code's grammars are not installed (${EXTENSIONS}); run scripts/vscode-host.sh`;
      if (process.env.CI === 'true') throw new Error(why);
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new textmate.Registry({
      onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
      loadGrammar: async (scope) => {
        const file = GRAMMARS[scope];
        return file ? textmate.parseRawGrammar(fs.readFileSync(file, 'utf8'), file) : null;
      },
      getInjections: (scope) => (scope === 'source.python' ? ['source.python.migrationlens-runsql'] : undefined),
    });
    python = (await registry.loadGrammar('source.python'))!;
  });

  /** Each token's text with its scopes, line by line. */
  function tokens(source: string): { text: string; scopes: string[] }[] {
    let stack = textmate.INITIAL;
    const out: { text: string; scopes: string[] }[] = [];
    for (const line of source.split('\n')) {
      const r = python.tokenizeLine(line, stack);
      for (const t of r.tokens) out.push({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes });
      stack = r.ruleStack;
    }
    return out;
  }
  const sqlKeyword = (ts: ReturnType<typeof tokens>, word: string) =>
    ts.some((t) => t.text.trim().toUpperCase().split(/\s+/)[0] === word && t.scopes.some((s) => s.includes('embedded') && s.endsWith('.sql')) && t.scopes.some((s) => s.startsWith('keyword')));

  it('highlights SQL inside RunSQL strings, single-line and triple-quoted, forward and reverse', () => {
    const ts = tokens(
      'operations = [\n' +
        '    migrations.RunSQL(\n' +
        '        """\n        UPDATE store_product SET sku = id WHERE sku IS NULL;\n        """,\n' +
        '        reverse_sql="DELETE FROM store_product",\n' +
        '    ),\n]',
    );
    assert.ok(sqlKeyword(ts, 'UPDATE'), 'UPDATE in the triple-quoted string');
    assert.ok(sqlKeyword(ts, 'DELETE'), 'DELETE in reverse_sql');
  });

  it('leaves other strings, hints and the code after RunSQL to Python', () => {
    const ts = tokens('x = "UPDATE t SET a = 1"\nmigrations.RunSQL("SELECT 1", hints={"target_db": "UPDATE"})\ny = "DELETE FROM t"');
    assert.ok(sqlKeyword(ts, 'SELECT'), 'SELECT inside RunSQL');
    assert.ok(!sqlKeyword(ts, 'UPDATE'), 'no SQL in a plain string or in hints');
    assert.ok(!sqlKeyword(ts, 'DELETE'), 'the call ended at its closing parenthesis');
  });

  it('handles a list of statements with parameters and parentheses inside the SQL', () => {
    const ts = tokens('migrations.RunSQL([("INSERT INTO t (a) VALUES (%s)", [1])], ["DELETE FROM t"])\nz = "DROP TABLE q"');
    assert.ok(sqlKeyword(ts, 'INSERT'));
    assert.ok(sqlKeyword(ts, 'DELETE'));
    assert.ok(!sqlKeyword(ts, 'DROP'));
  });
});
