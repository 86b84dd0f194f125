// Which Python runs manage.py: the setting, else the workspace's virtualenv, else python3.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

export function pythonFor(projectRoot: string): string {
  const configured = vscode.workspace.getConfiguration('migrationLens', vscode.Uri.file(projectRoot)).get<string>('pythonPath');
  if (configured) return configured;
  const folders = [projectRoot, vscode.workspace.getWorkspaceFolder(vscode.Uri.file(projectRoot))?.uri.fsPath].filter(
    (f): f is string => !!f,
  );
  for (const folder of folders) {
    for (const venv of ['.venv', 'venv']) {
      const candidate = path.join(folder, venv, 'bin', 'python');
      if (fs.existsSync(candidate)) return candidate;
    }
  }
  return 'python3';
}
