// `makemigrations --merge` for an app with several leaves: the quick fix of ML501, and the action
// offered when migrate reports conflicting migrations.
import * as vscode from 'vscode';
import { MERGE_COMMAND } from '../protocol';
import type { DjangoService } from '../django/service';
import { manageArgs } from '../../../core/src/django/runner';
import type { MigrationTree, TreeNode } from '../views/tree';

interface MergeArgs {
  projectRoot: string;
  app: string;
}

export function registerMergeCommand(django: () => DjangoService | undefined, tree: MigrationTree): vscode.Disposable {
  return vscode.commands.registerCommand(MERGE_COMMAND, async (given?: MergeArgs | TreeNode) => {
    let args = given && 'kind' in given ? (given.kind === 'app' ? { projectRoot: given.project.root, app: given.app.label } : undefined) : given;
    const service = django();
    if (!vscode.workspace.isTrusted || !service) {
      void vscode.window.showWarningMessage('Migration Lens runs Django only in a trusted workspace.');
      return;
    }
    if (!args?.projectRoot || !args.app) {
      // From the palette: the apps with more than one leaf.
      await tree.ready();
      const conflicted = tree.current.flatMap((p) =>
        p.apps.filter((a) => a.leaves.length > 1).map((a) => ({ label: a.label, description: `${a.leaves.join(', ')} — ${p.root}`, args: { projectRoot: p.root, app: a.label } })),
      );
      if (!conflicted.length) {
        void vscode.window.showInformationMessage('Create merge migration: no app has more than one leaf migration.');
        return;
      }
      args = conflicted.length === 1 ? conflicted[0].args : (await vscode.window.showQuickPick(conflicted, { title: 'Merge the leaves of which app?' }))?.args;
      if (!args) return;
    }
    await service.run(args.projectRoot, manageArgs.makemigrations({ apps: [args.app], merge: true }), `Creating a merge migration for ${args.app}`);
    await vscode.commands.executeCommand('migrationLens.refreshDatabase');
  });
}
