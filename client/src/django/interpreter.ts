// The interpreter for a project inside VS Code: `migrationLens.pythonPath`, else the Python
// extension's active interpreter (through @vscode/python-extension, when it is installed), else the
// project's `.venv`/`venv`, else `python3`.
import { PythonExtension, PVSC_EXTENSION_ID } from '@vscode/python-extension';
import * as vscode from 'vscode';
import { Interpreter, resolveInterpreter } from '../../../core/src/config/interpreter';

let api: Promise<PythonExtension | undefined> | undefined;

/** The Python extension's API, or undefined when it is not installed. */
export function pythonExtension(): Promise<PythonExtension | undefined> {
  if (!vscode.extensions.getExtension(PVSC_EXTENSION_ID)) return Promise.resolve(undefined);
  api ??= PythonExtension.api().catch(() => undefined);
  return api;
}

export async function interpreterFor(projectRoot: string): Promise<Interpreter> {
  const uri = vscode.Uri.file(projectRoot);
  const setting = vscode.workspace.getConfiguration('migrationLens', uri).get<string>('pythonPath');
  let fromExtension: string | undefined;
  if (!setting) {
    const ext = await pythonExtension();
    try {
      const active = ext?.environments.getActiveEnvironmentPath(uri);
      const resolved = active && (await ext!.environments.resolveEnvironment(active));
      fromExtension = resolved?.executable.uri?.fsPath;
    } catch {
      fromExtension = undefined;
    }
  }
  return resolveInterpreter({
    setting,
    pythonExtension: fromExtension,
    projectRoot,
    workspaceFolder: vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath,
  });
}

/** Lets the user pick: the Python extension's picker when it is installed, else a file for migrationLens.pythonPath. */
export async function selectInterpreter(projectRoot?: string): Promise<void> {
  if (await pythonExtension()) {
    await vscode.commands.executeCommand('python.setInterpreter');
    return;
  }
  const picked = await vscode.window.showOpenDialog({
    title: 'Python interpreter that has Django (migrationLens.pythonPath)',
    canSelectMany: false,
    defaultUri: projectRoot ? vscode.Uri.file(projectRoot) : undefined,
    openLabel: 'Use this interpreter',
  });
  if (!picked?.[0]) return;
  const target = projectRoot ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(projectRoot)) : undefined;
  await vscode.workspace
    .getConfiguration('migrationLens', target?.uri)
    .update('pythonPath', picked[0].fsPath, target ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Workspace);
}
