// `makemigrations --merge` for an app with several leaves: the quick fix of ML501.
import * as path from 'path';
import * as vscode from 'vscode';
import { pythonFor } from '../django/interpreter';

import { MERGE_COMMAND } from '../../../server/src/protocol';

interface MergeArgs {
  projectRoot: string;
  app: string;
}

export function registerMergeCommand(output: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand(MERGE_COMMAND, async (args?: MergeArgs) => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Migration Lens runs Django only in a trusted workspace.');
      return;
    }
    if (!args?.projectRoot || !args.app) {
      void vscode.window.showErrorMessage('Create merge migration: run it from the quick fix of a conflict (ML501).');
      return;
    }
    const python = pythonFor(args.projectRoot);
    // An argument array, never a shell string: labels and paths reach Python verbatim.
    const argv = [path.join(args.projectRoot, 'manage.py'), 'makemigrations', '--merge', '--noinput', args.app];
    output.info(`${python} ${argv.join(' ')}`);
    const task = new vscode.Task(
      { type: 'migrationLens', command: 'merge', app: args.app },
      vscode.TaskScope.Workspace,
      `makemigrations --merge ${args.app}`,
      'Migration Lens',
      new vscode.ProcessExecution(python, argv, { cwd: args.projectRoot }),
    );
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, clear: true };
    const execution = await vscode.tasks.executeTask(task);
    const code = await new Promise<number | undefined>((resolve) => {
      const sub = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution === execution) {
          sub.dispose();
          resolve(e.exitCode);
        }
      });
    });
    if (code === 0) void vscode.window.showInformationMessage(`Merge migration created for ${args.app}.`);
    else void vscode.window.showErrorMessage(`makemigrations --merge ${args.app} failed (exit ${code ?? '?'}); see the terminal.`);
  });
}
