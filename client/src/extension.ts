// Activation: start the language server and register the commands. Wiring only.
import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { registerMergeCommand } from './commands/merge';
import { DatabaseSync } from './database/sync';
import { manageArgs } from '../../core/src/django/runner';
import { DjangoService } from './django/service';
import { registerMigrateCommands } from './commands/migrate';
import { registerConfigureCommand } from './commands/configure';
import { registerSqlCommands } from './commands/sql';
import { VirtualDocuments } from './lenses/documents';
import { MigrationLenses } from './lenses/lenses';
import { SqlSource } from './lenses/source';
import { PendingStatus } from './views/status';
import { answerConfirmations, Confirmation } from './views/confirm';
import { MigrationTree } from './views/tree';
import { SERVER_NODE_ARGS } from '../../shared/src/launch';
import { InitializationOptions, ProjectsChangedNotification, StatusNotification } from './protocol';
import { BaselineProvider } from './baseline';

let client: LanguageClient | undefined;
let django: DjangoService | undefined;

/** What the extension returns from activate: read by its integration tests, not a public API. */
export interface MigrationLensApi {
  /** The folder of the extension's log (the Migration Lens output channel). */
  logUri: vscode.Uri;
  /** Date.now() when activate() began. */
  activatedAt: number;
  tree: MigrationTree;
  /** Set once the workspace is trusted and Django and the database may run. */
  trusted(): { django: DjangoService; sync: DatabaseSync; sql: SqlSource } | undefined;
  /** Extension tests only: answers the modal confirmations VS Code will not show under test. */
  answerConfirmations(fn: ((c: Confirmation) => Promise<boolean>) | undefined): void;
}

/**
 * Modules of migrations packages: `migrations`, and packages that MIGRATION_MODULES names when
 * their name ends the same way (`db_migrations`). The server decides what is a migration.
 */
const MIGRATION_GLOB = '**/*migrations/*.py';

export async function activate(context: vscode.ExtensionContext): Promise<MigrationLensApi> {
  const activatedAt = Date.now();
  const output = vscode.window.createOutputChannel('Migration Lens', { log: true });
  context.subscriptions.push(output);
  client = createClient(context, output);
  context.subscriptions.push(
    vscode.commands.registerCommand('migrationLens.restartServer', async () => {
      await client?.restart();
    }),
    vscode.commands.registerCommand('migrationLens.showLog', () => output.show(true)),
    // Before start: the server asks for the baseline before its first diagnostics.
    new BaselineProvider(client, output),
  );
  // The tree shows what the files say in any workspace; the database and commands need trust.
  // "Analyzing…" until the server has parsed the files, never "No migrations found".
  void vscode.commands.executeCommand('setContext', 'migrationLens.loading', true);
  const tree = new MigrationTree(client);
  tree.view = vscode.window.createTreeView('migrationLens.migrations', { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(
    client.onNotification(StatusNotification, (p) => tree.status(p)),
    client.onNotification(ProjectsChangedNotification, () => tree.soon()),
    registerMergeCommand(() => django, tree),
    tree,
    tree.view,
    new PendingStatus(tree),
  );
  await client.start();
  void tree.refresh().catch((e) => output.error(`loading the migrations: ${e}`));

  // Django and the database run only in a trusted workspace: the analysis alone runs elsewhere.
  let trusted: ReturnType<MigrationLensApi['trusted']>;
  const startDatabase = () => {
    const sync: DatabaseSync = new DatabaseSync(client!, context.secrets, output, (root) => django!.djangoDatabase(root));
    django = new DjangoService(context.extensionPath, output, (root) => sync.connectionFor(root));
    const sql = new SqlSource(django);
    const documents = new VirtualDocuments(sql);
    const lenses = new MigrationLenses(tree, sql);
    tree.database = (root) => sync.reportFor(root);
    trusted = { django, sync, sql };
    const project = async (args?: { projectRoot?: string }) => args?.projectRoot ?? (await sync.pickProjectRoot());
    context.subscriptions.push(
      django,
      sync,
      sql,
      documents,
      lenses,
      sync.onDidRead(() => tree.soon()),
      vscode.languages.registerCodeLensProvider({ scheme: 'file', language: 'python', pattern: MIGRATION_GLOB }, lenses),
      ...registerSqlCommands({ django, sync, tree, documents }),
      registerConfigureCommand(sync),
      vscode.commands.registerCommand('migrationLens.selectInterpreter', async (args?: { projectRoot?: string }) => django!.selectInterpreter(args?.projectRoot)),
      vscode.commands.registerCommand('migrationLens.makeMigrations', async (args?: { projectRoot?: string }) => {
        const root = await project(args);
        if (root && (await django!.run(root, manageArgs.makemigrations(), 'Making migrations'))) await sync.refreshAll();
      }),
      vscode.commands.registerCommand('migrationLens.checkMigrations', async (args?: { projectRoot?: string }) => {
        const root = await project(args);
        if (root) await django!.run(root, manageArgs.makemigrations({ check: true }), 'Checking for model changes without a migration');
      }),
      vscode.commands.registerCommand('migrationLens.refreshDatabase', async () => {
        await sync.refreshAll();
        await tree.refresh();
      }),
      ...registerMigrateCommands({ django, sync, tree, output }),
      vscode.commands.registerCommand('migrationLens.setDatabasePassword', (args?: { projectRoot?: string }) => sync.setPassword(args?.projectRoot)),
      vscode.commands.registerCommand('migrationLens.showDatabaseSource', () => sync.showSource()),
    );
    // The first read may boot Django (settings.DATABASES): after the first analysis, so that the
    // two do not share the CPU on a big workspace (at most 15 s later).
    void Promise.race([tree.analyzed, new Promise((r) => setTimeout(r, 15_000))])
      .then(() => sync.refreshAll())
      .then(() => tree.refresh())
      .catch((e) => output.error(`reading the database: ${e}`));
  };
  if (vscode.workspace.isTrusted) startDatabase();
  else context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(startDatabase));
  return { logUri: context.logUri, activatedAt, tree, trusted: () => trusted, answerConfirmations: (fn) => answerConfirmations(context.extensionMode, fn) };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

function createClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_ARGS] } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_ARGS, '--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'python', pattern: MIGRATION_GLOB }],
    outputChannel: output,
    // The rule pages ship with the extension: each diagnostic links to its own.
    initializationOptions: { baseline: true, docs: vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules').toString() } satisfies InitializationOptions,
    synchronize: {
      configurationSection: 'migrationLens',
      fileEvents: [
        vscode.workspace.createFileSystemWatcher(MIGRATION_GLOB),
        vscode.workspace.createFileSystemWatcher('**/*migrations'),
        vscode.workspace.createFileSystemWatcher('**/{manage,apps}.py'),
        // MIGRATION_MODULES moves an app's migrations (DefectDojo: dojo.db_migrations).
        vscode.workspace.createFileSystemWatcher('**/settings*.py'),
        vscode.workspace.createFileSystemWatcher('**/settings/*.py'),
        // The project's configuration ([tool.migration-lens] in pyproject.toml, .migration-lens.toml).
        vscode.workspace.createFileSystemWatcher('**/{pyproject.toml,.migration-lens.toml}'),
      ],
    },
  };
  return new LanguageClient('migrationLens', 'Migration Lens', serverOptions, clientOptions);
}
