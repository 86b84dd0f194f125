// `makemigrations --merge` for an app with several leaves: the quick fix of ML501, and the action
// offered when migrate reports conflicting migrations.
import * as vscode from 'vscode';
import { MERGE_COMMAND } from '../../../server/src/protocol';
import type { DjangoService } from '../django/service';
import { manageArgs } from '../django/runner';

interface MergeArgs {
  projectRoot: string;
  app: string;
}

export function registerMergeCommand(django: () => DjangoService | undefined): vscode.Disposable {
  return vscode.commands.registerCommand(MERGE_COMMAND, async (args?: MergeArgs) => {
    const service = django();
    if (!vscode.workspace.isTrusted || !service) {
      void vscode.window.showWarningMessage('Migration Lens runs Django only in a trusted workspace.');
      return;
    }
    if (!args?.projectRoot || !args.app) {
      void vscode.window.showErrorMessage('Create merge migration: run it from the quick fix of a conflict (ML501).');
      return;
    }
    await service.run(args.projectRoot, manageArgs.makemigrations({ apps: [args.app], merge: true }), `Creating a merge migration for ${args.app}`);
    await vscode.commands.executeCommand('migrationLens.refreshDatabase');
  });
}
