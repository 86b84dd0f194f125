import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { URI } from 'vscode-uri';
import { CodeAction, DocumentSymbol, FileChangeType, Location } from 'vscode-languageserver-protocol';
import { REPO, tempDir } from '../helpers/project';
import { ServerHandle, startServer } from '../helpers/lsp';
import { ProjectsRequest } from '../../server/src/protocol';

const uri = (p: string) => URI.file(p).toString();

describe('language server over stdio', function () {
  let root: string;
  let server: ServerHandle;
  const file = (rel: string) => path.join(root, rel);

  before(async () => {
    root = tempDir('ml-lsp-');
    fs.cpSync(path.join(REPO, 'examples', 'shop'), root, { recursive: true, filter: (s) => !s.includes('__pycache__') && !s.endsWith('.sqlite3') });
    server = startServer();
    const init = await server.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uri(root),
      workspaceFolders: [{ uri: uri(root), name: 'shop' }],
      capabilities: {
        workspace: { configuration: true, workspaceFolders: true, didChangeWatchedFiles: { dynamicRegistration: true } },
        textDocument: { publishDiagnostics: { relatedInformation: true } },
      },
    });
    assert.ok((init as { capabilities: { definitionProvider: boolean } }).capabilities.definitionProvider);
    await server.connection.sendNotification('initialized', {});
  });

  after(async () => {
    await server?.stop();
  });

  it('publishes diagnostics for every migration file without opening it', async () => {
    // The example's risky migrations are risky on purpose; the rest is clean.
    const expected: Record<string, string[]> = {
      'store/migrations/0001_initial.py': ['ML301', 'ML301'],
      'store/migrations/0002_collection.py': ['ML301', 'ML404'],
      'store/migrations/0003_product_sku_required.py': ['ML202'],
      'orders/migrations/0001_initial.py': ['ML301'],
      'orders/migrations/0002_order_status.py': ['ML301'],
      'orders/migrations/0003_fill_order_status.py': [],
      'orders/migrations/0004_order_status_required.py': [],
      'orders/migrations/0005_remove_order_note.py': ['ML101'],
    };
    const all = Object.keys(expected).map((r) => uri(file(r)));
    await server.waitFor((d) => all.every((u) => d.has(u)), 'a publish for each of the 8 files');
    for (const [rel, codes] of Object.entries(expected)) {
      assert.deepStrictEqual(
        server.diagnostics.get(uri(file(rel)))!.diagnostics.map((d) => d.code),
        codes,
        rel,
      );
    }
  });

  it('sees a file created on disk: a second leaf in orders is a conflict on both leaves', async () => {
    const extra = file('orders/migrations/0005_order_gift.py');
    fs.writeFileSync(extra, 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("orders", "0004_order_status_required")]\n    operations = []\n');
    await server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(extra), type: FileChangeType.Created }] });
    const other = uri(file('orders/migrations/0005_remove_order_note.py'));
    await server.waitFor((d) => !!d.get(other)?.diagnostics.some((x) => x.code === 'ML501'), 'ML501 on 0005_remove_order_note');
    const diag = server.diagnostics.get(other)!.diagnostics.find((x) => x.code === 'ML501')!;
    assert.match(diag.message, /\(0005_order_gift, 0005_remove_order_note in orders\)/);
    assert.strictEqual(diag.severity, 1);
    assert.strictEqual(diag.relatedInformation![0].location.uri, uri(extra));

    fs.rmSync(extra);
    await server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(extra), type: FileChangeType.Deleted }] });
    await server.waitFor((d) => !d.get(other)?.diagnostics.some((x) => x.code === 'ML501') && d.get(uri(extra))?.diagnostics.length === 0, 'the conflict to clear');
  });

  it('updates diagnostics on an incremental edit, and offers quick fixes', async () => {
    const target = file('orders/migrations/0003_fill_order_status.py');
    const text = fs.readFileSync(target, 'utf8');
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(target), languageId: 'python', version: 1, text } });
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('reverse_code=clear_order_status'));
    const start = lines[line].indexOf(', reverse_code=clear_order_status');
    await server.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: uri(target), version: 2 },
      contentChanges: [{ range: { start: { line, character: start }, end: { line, character: start + ', reverse_code=clear_order_status'.length } }, text: '' }],
    });
    await server.waitFor((d) => !!d.get(uri(target))?.diagnostics.some((x) => x.code === 'ML401'), 'ML401 after the edit');
    const diag = server.diagnostics.get(uri(target))!.diagnostics.find((x) => x.code === 'ML401')!;
    assert.strictEqual(diag.range.start.line, line);
    assert.strictEqual(diag.source, 'Migration Lens');

    const actions = (await server.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: uri(target) },
      range: diag.range,
      context: { diagnostics: [diag] },
    })) as CodeAction[];
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Add reverse_code=migrations.RunPython.noop'), titles.join(', '));
    assert.ok(titles.includes('Add a reverse function reverse_fill_order_status()'), titles.join(', '));
    assert.ok(titles.includes('Ignore ML401 on this line'));
    const noop = actions.find((a) => a.title.includes('noop'))!;
    const edit = noop.edit!.changes![uri(target)][0];
    assert.deepStrictEqual(edit.newText, ', reverse_code=migrations.RunPython.noop');

    // Typing the fix back clears the diagnostic.
    await server.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: uri(target), version: 3 },
      contentChanges: [{ range: edit.range, text: edit.newText }],
    });
    await server.waitFor((d) => d.get(uri(target))?.diagnostics.length === 0, 'ML401 to clear');
  });

  it('goes to the migration a dependency names, and lists operations as symbols', async () => {
    const target = file('orders/migrations/0003_fill_order_status.py');
    const lines = fs.readFileSync(target, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('"0002_order_status"'));
    const locs = (await server.connection.sendRequest('textDocument/definition', {
      textDocument: { uri: uri(target) },
      position: { line, character: lines[line].indexOf('0002') + 2 },
    })) as Location[];
    assert.strictEqual(locs.length, 1);
    assert.strictEqual(locs[0].uri, uri(file('orders/migrations/0002_order_status.py')));

    const symbols = (await server.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri: uri(target) } })) as DocumentSymbol[];
    assert.strictEqual(symbols[0].name, 'Migration orders.0003_fill_order_status');
    assert.deepStrictEqual(
      symbols[0].children!.map((c) => c.name),
      ['RunPython fill_order_status'],
    );
  });

  it('answers the projects request with apps in graph order', async () => {
    const projects = await server.connection.sendRequest(ProjectsRequest, {});
    assert.strictEqual(projects.length, 1);
    assert.strictEqual(projects[0].root, root);
    assert.strictEqual(projects[0].hasManagePy, true);
    const orders = projects[0].apps.find((a) => a.label === 'orders')!;
    assert.deepStrictEqual(
      orders.migrations.map((m) => m.name),
      ['0001_initial', '0002_order_status', '0003_fill_order_status', '0004_order_status_required', '0005_remove_order_note'],
    );
    assert.deepStrictEqual(orders.leaves, ['0005_remove_order_note']);
    assert.deepStrictEqual(orders.migrations[0].dependencies, ['store.0001_initial']);
    // Each migration carries the worst risk of its findings, as the hover and the CLI name it.
    assert.deepStrictEqual(
      orders.migrations.map((m) => m.risk ?? ''),
      ['low', 'low', '', '', 'high'],
    );
  });

  it('survives garbage: a binary file, a truncated file and a huge literal', async () => {
    const bad = file('orders/migrations/0006_garbage.py');
    const texts = ['\u0000\u0001\uFFFD(((((', 'class Migration(migrations.Migration):\n    operations = [migrations.RunPython(', `x = "${'a'.repeat(2_000_000)}"\n`];
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(bad), languageId: 'python', version: 1, text: texts[0] } });
    for (let i = 1; i < texts.length; i++) {
      await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uri(bad), version: i + 1 }, contentChanges: [{ text: texts[i] }] });
    }
    await server.waitFor((d) => !!d.get(uri(bad))?.diagnostics.some((x) => /No Migration class/.test(x.message)), 'the huge literal file to be analyzed');
    const symbols = await server.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri: uri(bad) } });
    assert.deepStrictEqual(symbols, []);
    assert.strictEqual(server.process.exitCode, null);
  });
});
