// Activation: start the language server and register the commands. Wiring only.
import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { registerMergeCommand } from './commands/merge';
import { DatabaseSync } from './database/sync';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Migration Lens', { log: true });
  context.subscriptions.push(output);
  client = createClient(context, output);
  context.subscriptions.push(
    vscode.commands.registerCommand('migrationLens.restartServer', async () => {
      await client?.restart();
    }),
    registerMergeCommand(output),
  );
  await client.start();

  // The database is read only in a trusted workspace: the analysis alone runs elsewhere.
  const startDatabase = () => {
    const sync = new DatabaseSync(client!, context.secrets, output);
    context.subscriptions.push(
      sync,
      vscode.commands.registerCommand('migrationLens.refreshDatabase', () => sync.refreshAll()),
      vscode.commands.registerCommand('migrationLens.setDatabasePassword', () => sync.setPassword()),
      vscode.commands.registerCommand('migrationLens.showDatabaseSource', () => sync.showSource()),
    );
    void sync.refreshAll().catch((e) => output.error(`reading the database: ${e}`));
  };
  if (vscode.workspace.isTrusted) startDatabase();
  else context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(startDatabase));
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

function createClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'python', pattern: '**/migrations/*.py' }],
    outputChannel: output,
    synchronize: {
      configurationSection: 'migrationLens',
      fileEvents: [
        vscode.workspace.createFileSystemWatcher('**/migrations/*.py'),
        vscode.workspace.createFileSystemWatcher('**/migrations'),
        vscode.workspace.createFileSystemWatcher('**/{manage,apps}.py'),
      ],
    },
  };
  return new LanguageClient('migrationLens', 'Migration Lens', serverOptions, clientOptions);
}
