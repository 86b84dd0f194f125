// Show SQL (forward / backward) and Show Migration Plan: from a lens, the tree, the active editor or
// quick picks.
import * as vscode from 'vscode';
import type { ProjectSummary } from '../protocol';
import type { DatabaseSync } from '../database/sync';
import { preflight } from '../../../core/src/django/preflight';
import type { DjangoService } from '../django/service';
import type { SqlTarget, VirtualDocuments } from '../lenses/documents';
import type { MigrationTree, TreeNode } from '../views/tree';
import { planMarkdown } from './migrate';

export interface SqlCommandContext {
  django: DjangoService;
  sync: DatabaseSync;
  tree: MigrationTree;
  documents: VirtualDocuments;
}

export function registerSqlCommands(ctx: SqlCommandContext): vscode.Disposable[] {
  const target = async (arg: SqlTarget | TreeNode | vscode.Uri | undefined, backwards: boolean): Promise<SqlTarget | undefined> => {
    if (arg && 'projectRoot' in arg) return { ...arg, backwards: arg.backwards ?? backwards };
    if (arg && 'kind' in arg && arg.kind === 'migration') return { projectRoot: arg.project.root, app: arg.app.label, name: arg.migration.name, backwards };
    await ctx.tree.ready();
    const file = arg instanceof vscode.Uri ? arg.fsPath : vscode.window.activeTextEditor?.document.uri.fsPath;
    const at = ctx.tree.migrationAt(file);
    if (at) return { projectRoot: at.project.root, app: at.app.label, name: at.migration.name, backwards };
    const items = ctx.tree.current.flatMap((p) =>
      p.apps.flatMap((a) => a.migrations.map((m) => ({ label: `${a.label}.${m.name}`, description: m.status, t: { projectRoot: p.root, app: a.label, name: m.name, backwards } }))),
    );
    const pick = await vscode.window.showQuickPick(items, { title: `SQL ${backwards ? 'to unapply' : 'to apply'} which migration?`, matchOnDescription: true });
    return pick?.t;
  };
  const project = async (node?: TreeNode): Promise<ProjectSummary | undefined> => {
    const root = node && 'project' in node ? node.project.root : await ctx.sync.pickProjectRoot();
    await ctx.tree.ready();
    return ctx.tree.current.find((p) => p.root === root);
  };
  return [
    vscode.commands.registerCommand('migrationLens.showSql', async (arg?: SqlTarget | TreeNode | vscode.Uri) => {
      const t = await target(arg, false);
      if (t) await ctx.documents.showSql(t);
    }),
    vscode.commands.registerCommand('migrationLens.showSqlBackwards', async (arg?: SqlTarget | TreeNode | vscode.Uri) => {
      const t = await target(arg, true);
      if (t) await ctx.documents.showSql({ ...t, backwards: true });
    }),
    vscode.commands.registerCommand('migrationLens.showPlan', async (node?: TreeNode) => {
      const p = await project(node);
      if (!p) return;
      const app = node?.kind === 'app' ? node.app.label : undefined;
      await ctx.documents.showMarkdown(app ? `plan-${app}` : 'plan', p.root, async () => {
        const bridge = await ctx.django.bridge(p.root);
        if (!bridge) throw new Error('Django is not available for this project: select an interpreter that imports it.');
        const fresh = ctx.tree.current.find((x) => x.root === p.root) ?? p;
        return planMarkdown(await preflight(bridge, { app }), fresh, app ? `migrate ${app}` : 'migrate');
      });
    }),
  ];
}
