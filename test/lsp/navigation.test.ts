import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { URI } from 'vscode-uri';
import { CodeAction, CompletionItem, DocumentLink, Hover, Location } from 'vscode-languageserver-protocol';
import { REPO, tempDir } from '../helpers/project';
import { ServerHandle, startServer } from '../helpers/lsp';
import { AppliedNotification, type DiagnosticData } from '../../shared/src/protocol';

const uri = (p: string) => URI.file(p).toString();

describe('language server: navigation, applied history and multi-file fixes', function () {
  let root: string;
  let server: ServerHandle;
  const file = (rel: string) => path.join(root, rel);

  before(async () => {
    root = tempDir('ml-nav-');
    fs.cpSync(path.join(REPO, 'examples', 'shop'), root, { recursive: true, filter: (s) => !s.includes('__pycache__') && !s.endsWith('.sqlite3') });
    server = startServer();
    await server.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uri(root),
      workspaceFolders: [{ uri: uri(root), name: 'shop' }],
      capabilities: {
        workspace: { configuration: true, workspaceEdit: { documentChanges: true, resourceOperations: ['create'] } },
        textDocument: { publishDiagnostics: { relatedInformation: true } },
      },
    });
    await server.connection.sendNotification('initialized', {});
    await server.waitFor((d) => d.size >= 8, 'the first publish');
  });

  after(async () => {
    await server?.stop();
  });

  const open = async (rel: string, text = fs.readFileSync(file(rel), 'utf8')) => {
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(file(rel)), languageId: 'python', version: 1, text } });
    return text;
  };

  it('hovers an AlterField with the field before -> after and its risk', async () => {
    const rel = 'store/migrations/0003_product_sku_required.py';
    const text = await open(rel);
    const line = text.split('\n').findIndex((l) => l.includes('migrations.AlterField'));
    const hover = (await server.connection.sendRequest('textDocument/hover', {
      textDocument: { uri: uri(file(rel)) },
      position: { line, character: 20 },
    })) as Hover;
    const md = (hover.contents as { value: string }).value;
    assert.match(md, /\*\*AlterField product\.sku\*\*/);
    assert.match(md, /# before: CharField\(max_length=32, null=True\)/);
    assert.match(md, /# after: {2}CharField\(max_length=32\)/);
    assert.match(md, /Medium risk · \*\*ML202\*\*/);
    // The safe way is this operation's own code, as a Python block; the diagnostic says the reason
    // alone and carries the safe way apart, for the client.
    assert.match(md, /Safe way:\n```python\n# first migration: fill the NULLs \(RunPython\)\nProduct = apps\.get_model\("store", "Product"\)\n[\s\S]*\n```/);
    const ml202 = server.diagnostics.get(uri(file(rel)))!.diagnostics.find((d) => d.code === 'ML202')!;
    assert.doesNotMatch(ml202.message, /Safe way|apps\.get_model/);
    const data = ml202.data as DiagnosticData;
    assert.strictEqual(data.code, 'ML202');
    assert.match(data.help ?? '', /^# first migration: fill the NULLs \(RunPython\)\nProduct = apps\.get_model\("store", "Product"\)/);
    assert.ok(md.includes(data.help!), 'the hover shows the help the diagnostic carries');
    // What it does on the engine: nothing says which, so PostgreSQL is assumed, and said to be.
    assert.match(md, /On PostgreSQL 15: ACCESS EXCLUSIVE lock on store_product and reads every row: reads and writes wait until it ends\./);
    assert.match(md, /PostgreSQL 15 assumed/);
    // The database says MariaDB 10.11: the same operation is an online in-place rebuild there.
    await server.connection.sendNotification(AppliedNotification, { projectRoot: root, applied: null, engine: { name: 'mariadb', version: '10.11' } });
    const again = (await server.connection.sendRequest('textDocument/hover', { textDocument: { uri: uri(file(rel)) }, position: { line, character: 20 } })) as Hover;
    const md2 = (again.contents as { value: string }).value;
    assert.match(md2, /On MariaDB 10\.11: ALGORITHM=INPLACE on store_product, rebuilt in place: reads and writes go on\./);
    assert.match(md2, /Engine: MariaDB 10\.11 \(read from the database\)/);
  });

  it('links dependencies to their files, and finds who depends on a migration', async () => {
    const rel = 'orders/migrations/0002_order_status.py';
    await open(rel);
    const links = (await server.connection.sendRequest('textDocument/documentLink', { textDocument: { uri: uri(file(rel)) } })) as DocumentLink[];
    assert.deepStrictEqual(
      links.map((l) => l.target),
      [uri(file('orders/migrations/0001_initial.py'))],
    );

    const refs = (await server.connection.sendRequest('textDocument/references', {
      textDocument: { uri: uri(file('store/migrations/0001_initial.py')) },
      position: { line: 0, character: 0 },
      context: { includeDeclaration: false },
    })) as Location[];
    assert.deepStrictEqual(refs.map((r) => path.relative(root, URI.parse(r.uri).fsPath)).sort(), ['orders/migrations/0001_initial.py', 'store/migrations/0002_collection.py']);
  });

  it('completes app labels and migration names inside a dependency tuple', async () => {
    const rel = 'orders/migrations/0002_order_status.py';
    const text = fs.readFileSync(file(rel), 'utf8');
    const lines = text.split('\n');
    const depLine = lines.findIndex((l) => l.includes('("orders", "0001_initial")'));
    lines[depLine] = '        ("store", "';
    await server.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: uri(file(rel)), version: 2 },
      contentChanges: [{ text: lines.join('\n') }],
    });
    const names = (await server.connection.sendRequest('textDocument/completion', {
      textDocument: { uri: uri(file(rel)) },
      position: { line: depLine, character: lines[depLine].length },
    })) as CompletionItem[];
    assert.deepStrictEqual(names.map((c) => c.label).slice(0, 3), ['0003_product_sku_required', '0002_collection', '0001_initial']);
    lines[depLine] = '        ("';
    await server.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: uri(file(rel)), version: 3 },
      contentChanges: [{ text: lines.join('\n') }],
    });
    const apps = (await server.connection.sendRequest('textDocument/completion', {
      textDocument: { uri: uri(file(rel)) },
      position: { line: depLine, character: lines[depLine].length },
    })) as CompletionItem[];
    assert.deepStrictEqual(
      apps.map((c) => c.label),
      ['orders', 'reviews', 'store'],
    );
    await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uri(file(rel)), version: 4 }, contentChanges: [{ text }] });
  });

  it('lowers risk in applied migrations to hints once the client says what is applied', async () => {
    const target = uri(file('orders/migrations/0005_remove_order_note.py'));
    await server.waitFor((d) => d.get(target)?.diagnostics.some((x) => x.code === 'ML101' && x.severity === 2) ?? false, 'ML101 as a warning');
    const applied = [
      'store.0001_initial',
      'store.0002_collection',
      'orders.0001_initial',
      'orders.0002_order_status',
      'orders.0003_fill_order_status',
      'orders.0004_order_status_required',
      'orders.0005_remove_order_note',
    ];
    await server.connection.sendNotification(AppliedNotification, {
      projectRoot: root,
      applied: applied.map((k) => ({ app: k.split('.')[0], name: k.split('.')[1], applied: '2026-11-24T10:00:00.000Z' })),
    });
    await server.waitFor((d) => d.get(target)?.diagnostics.some((x) => x.code === 'ML101' && x.severity === 4) ?? false, 'ML101 as a hint');
    // The pending one keeps its warning.
    const pending = server.diagnostics.get(uri(file('store/migrations/0003_product_sku_required.py')))!;
    assert.strictEqual(pending.diagnostics.find((x) => x.code === 'ML202')!.severity, 2);
    await server.connection.sendNotification(AppliedNotification, { projectRoot: root, applied: null });
    await server.waitFor((d) => d.get(target)?.diagnostics.some((x) => x.code === 'ML101' && x.severity === 2) ?? false, 'ML101 back to a warning');
  });

  it('offers the ML202 split as a workspace edit that creates the new migration file', async () => {
    const rel = 'store/migrations/0003_product_sku_required.py';
    const diags = server.diagnostics.get(uri(file(rel)))!.diagnostics.filter((d) => d.code === 'ML202');
    const actions = (await server.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: uri(file(rel)) },
      range: diags[0].range,
      context: { diagnostics: diags },
    })) as CodeAction[];
    const split = actions.find((a) => /^Split into fill NULLs/.test(a.title))!;
    assert.ok(split, actions.map((a) => a.title).join(' | '));
    const changes = split.edit!.documentChanges! as Array<{ kind?: string; uri?: string; textDocument?: { uri: string } }>;
    assert.deepStrictEqual(
      changes.map((c) => c.kind ?? 'edit'),
      ['edit', 'create', 'edit'],
    );
    assert.strictEqual(changes[1].uri, uri(file('store/migrations/0004_product_sku_not_null.py')));
  });
});
