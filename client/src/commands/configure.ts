// Configure Database: engine, then host, port, name and user, written to the workspace settings of
// the project's folder; the password goes to secret storage through Set Database Password.
import * as path from 'path';
import * as vscode from 'vscode';
import type { DatabaseSync } from '../database/sync';

type Engine = '' | 'sqlite' | 'postgres' | 'mysql';

export function registerConfigureCommand(sync: DatabaseSync): vscode.Disposable {
  return vscode.commands.registerCommand('migrationLens.configureDatabase', async (args?: { projectRoot?: string }) => {
    const root = args?.projectRoot ?? (await sync.pickProjectRoot());
    if (!root) return;
    const uri = vscode.Uri.file(root);
    const config = vscode.workspace.getConfiguration('migrationLens.database', uri);
    const current = sync.reportFor(root);
    const engines: { label: string; description: string; engine: Engine }[] = [
      { label: 'From the environment', description: "DB_* variables and the project's .env, else settings.DATABASES, else _data/db.sqlite3", engine: '' },
      { label: 'SQLite', description: 'a database file in the project', engine: 'sqlite' },
      { label: 'PostgreSQL', description: 'host, port, database, user', engine: 'postgres' },
      { label: 'MySQL / MariaDB', description: 'host, port, database, user', engine: 'mysql' },
    ];
    const pick = await vscode.window.showQuickPick(engines, {
      title: `Database of ${path.basename(root)}`,
      placeHolder: current ? `Now: ${current.description}${current.problem ? ` — ${current.problem.message}` : ''}` : undefined,
    });
    if (!pick) return;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const where = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders.length > 1 ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Workspace;
    const ask = async (key: string, prompt: string, fallback: string): Promise<string | undefined> =>
      vscode.window.showInputBox({ title: `${pick.label}: ${key}`, prompt, value: String(config.get(key) || '') || fallback, ignoreFocusOut: true });
    const values: Record<string, string | number> = { engine: pick.engine, host: '', port: 0, name: '', user: '' };
    if (pick.engine === 'sqlite') {
      const name = await ask('name', 'Path of the SQLite file, relative to the project', '_data/db.sqlite3');
      if (name === undefined) return;
      values.name = name;
    } else if (pick.engine) {
      const host = await ask('host', 'Host', '127.0.0.1');
      if (host === undefined) return;
      const port = await ask('port', 'Port (empty: the default)', pick.engine === 'postgres' ? '5432' : '3306');
      if (port === undefined) return;
      if (port && !/^\d+$/.test(port)) {
        void vscode.window.showErrorMessage(`Not a port number: ${port}`);
        return;
      }
      const name = await ask('name', 'Database name', path.basename(root));
      if (name === undefined) return;
      const user = await ask('user', 'User', pick.engine === 'postgres' ? 'postgres' : 'root');
      if (user === undefined) return;
      Object.assign(values, { host, port: Number(port || 0), name, user });
    }
    for (const [key, value] of Object.entries(values)) await config.update(key, value || undefined, where);
    if (pick.engine && pick.engine !== 'sqlite') {
      const next = await vscode.window.showInformationMessage(
        `Database of ${path.basename(root)} set${folder ? ` in ${folder.name}'s settings` : ''}. The password is kept in secret storage.`,
        'Set Password',
      );
      if (next) await sync.setPassword(root);
    }
  });
}
