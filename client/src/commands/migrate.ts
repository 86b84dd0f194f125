// Apply / roll back / zero / fake: plan first (the bridge resolves it as migrate will), the rollback
// preflight, the risks of each step with the live counts its diagnostics carry, a modal
// confirmation for High risk, anything backward or irreversible, and fakes; then manage.py migrate
// with progress and Cancel; then the database is read again.
import * as path from 'path';
import * as vscode from 'vscode';
import type { MigrationSummary, ProjectSummary } from '../protocol';
import type { DatabaseSync } from '../database/sync';
import { BridgeError } from '../../../core/src/django/bridge';
import { Preflight, preflight } from '../../../core/src/django/preflight';
import { manageArgs, MigrateArgs } from '../../../core/src/django/runner';
import type { DjangoService } from '../django/service';
import { confirm } from '../views/confirm';
import { oneLine } from '../views/states';
import type { MigrationTree, TreeNode } from '../views/tree';

export interface FlowContext {
  django: DjangoService;
  sync: DatabaseSync;
  tree: MigrationTree;
  output: vscode.LogOutputChannel;
}

/** `CODE: message` of each warning or error on a migration file (live counts included). */
function findingLines(m: MigrationSummary): string[] {
  return vscode.languages
    .getDiagnostics(vscode.Uri.file(m.path))
    .filter((d) => d.severity <= vscode.DiagnosticSeverity.Warning)
    .map((d) => `${typeof d.code === 'object' ? d.code.value : d.code}: ${oneLine(d.message)}`);
}

/** Each step of the plan with the findings of its file: codes and first lines (live counts included). */
export function describePlan(pf: Preflight, project: ProjectSummary | undefined): { lines: string[]; high: number } {
  let high = 0;
  const lines = pf.steps.map((s) => {
    const m = project?.apps.find((a) => a.label === s.app)?.migrations.find((x) => x.name === s.name);
    let line = `${s.backwards ? 'Unapply' : 'Apply'} ${s.app}.${s.name}`;
    if (!s.backwards && m) {
      const risk = m.risk;
      if (risk === 'high' || risk === 'error') high++;
      const notes = findingLines(m).map((l) => `    ${l}`);
      if (notes.length) line += `\n${notes.slice(0, 6).join('\n')}`;
      const impact = (m.impact ?? []).map((l) => `    ${l}`);
      if (impact.length) line += `\n${impact.slice(0, 4).join('\n')}`;
    }
    return line;
  });
  for (const i of pf.irreversible) lines.push(`Cannot be reversed: ${i.app}.${i.name} operation ${i.index + 1} — ${i.reason}`);
  return { lines, high };
}

/** The plan as a markdown document: each step, its findings with live counts, what cannot be reversed. */
export function planMarkdown(pf: Preflight, project: ProjectSummary | undefined, command: string): string {
  const out = [`# Migration plan: ${project ? path.basename(project.root) : ''}`, '', `\`manage.py ${command}\` — ${pf.summary}`, ''];
  if (!pf.steps.length) out.push('Nothing to do: the database is already there.');
  pf.steps.forEach((s, i) => {
    const m = project?.apps.find((a) => a.label === s.app)?.migrations.find((x) => x.name === s.name);
    const risk = m && !s.backwards ? m.risk : undefined;
    out.push(`${i + 1}. ${s.backwards ? 'Unapply' : 'Apply'} **${s.app}.${s.name}**${risk ? ` — ${risk === 'error' ? 'error' : `${risk} risk`}` : ''}`);
    for (const l of m && !s.backwards ? findingLines(m) : []) out.push(`   - ${l}`);
    for (const l of m && !s.backwards ? (m.impact ?? []) : []) out.push(`   - Operation ${l}`);
  });
  if (pf.irreversible.length) {
    out.push('', '## Cannot be reversed', '');
    for (const i of pf.irreversible) out.push(`- ${i.app}.${i.name}, operation ${i.index + 1} (${i.description}): ${i.reason}`);
  }
  return out.join('\n') + '\n';
}

export async function migrateFlow(ctx: FlowContext, root: string, args: MigrateArgs, title: string): Promise<boolean> {
  const bridge = await ctx.django.bridge(root);
  if (!bridge) return false;
  let pf: Preflight;
  try {
    pf = await preflight(bridge, args);
  } catch (err) {
    const e = err as BridgeError;
    const buttons = e.kind === 'conflict' ? ['Create Merge Migration'] : [];
    const pick = await vscode.window.showErrorMessage(`${title}: ${e.message.replace(/^CommandError: /, '')}`, ...buttons);
    if (pick && e.kind === 'conflict' && e.detail) {
      const app = Object.keys(JSON.parse(e.detail))[0];
      await vscode.commands.executeCommand('migrationLens.makeMigrationsMerge', { projectRoot: root, app });
    }
    return false;
  }
  if (pf.direction === 'none') {
    void vscode.window.showInformationMessage(`${title}: nothing to do — the database is already there.`);
    return false;
  }
  const project = ctx.tree.current.find((p) => p.root === root);
  const { lines, high } = describePlan(pf, project);
  ctx.output.info(`${path.basename(root)}: plan for migrate ${manageArgs.migrate(args).slice(1).join(' ')}\n  ${lines.join('\n  ')}`);

  let ok = true;
  if (args.fake) {
    ok = await confirm({
      level: 'warning',
      message: `${title}: fake only edits django_migrations — no SQL runs. Use it only when the schema already matches.`,
      detail: `${pf.summary}\n\n${lines.join('\n')}`,
      button: 'Fake',
    });
  } else if (pf.blocked) {
    ok = await confirm({
      level: 'error',
      message: `${title}: ${pf.irreversible.length} operation${pf.irreversible.length > 1 ? 's' : ''} on the way back cannot be reversed. Django would unapply the migrations before ${pf.irreversible[0].app}.${pf.irreversible[0].name} and then stop.`,
      detail: `${lines.join('\n')}\n\nGive each a reverse (reverse_code=migrations.RunPython.noop, reverse_sql=...) to roll back cleanly.`,
      button: 'Run Anyway',
    });
  } else if (high || pf.direction !== 'forward') {
    ok = await confirm({
      level: 'warning',
      message: `${title}: ${pf.summary}${high ? ` ${high} migration${high > 1 ? 's carry' : ' carries'} High risk.` : ''}`,
      detail: lines.join('\n'),
      button: pf.direction === 'forward' ? 'Apply' : 'Roll Back',
    });
  }
  if (!ok) return false;
  const outcome = await ctx.django.run(root, manageArgs.migrate(args), title);
  await ctx.sync.refresh(root).catch(() => undefined);
  await ctx.tree.refresh().catch(() => undefined);
  return !!outcome?.ok;
}

function previousOf(node: Extract<TreeNode, { kind: 'migration' }>): string {
  const list = node.app.migrations.filter((m) => !m.replacedBy);
  const i = list.findIndex((m) => m.name === node.migration.name);
  return i > 0 ? list[i - 1].name : 'zero';
}

/** Registers the migrate commands for the tree's menus and the palette. */
export function registerMigrateCommands(ctx: FlowContext): vscode.Disposable[] {
  const pickProject = async (): Promise<ProjectSummary | undefined> => {
    const root = await ctx.sync.pickProjectRoot();
    await ctx.tree.ready();
    return ctx.tree.current.find((p) => p.root === root);
  };
  const pickApp = async (node?: TreeNode): Promise<{ root: string; app: string } | undefined> => {
    if (node && node.kind === 'app') return { root: node.project.root, app: node.app.label };
    const project = await pickProject();
    if (!project) return undefined;
    const pick = await vscode.window.showQuickPick(
      project.apps.map((a) => ({ label: a.label, description: `${a.migrations.length} migrations` })),
      { title: 'Which app?' },
    );
    return pick && { root: project.root, app: pick.label };
  };
  const pickMigration = async (node?: TreeNode, placeholder = 'Which migration?'): Promise<Extract<TreeNode, { kind: 'migration' }> | undefined> => {
    if (node && node.kind === 'migration') return node;
    const chosen = await pickApp();
    if (!chosen) return undefined;
    const project = ctx.tree.current.find((p) => p.root === chosen.root)!;
    const app = project.apps.find((a) => a.label === chosen.app)!;
    const pick = await vscode.window.showQuickPick(
      app.migrations.filter((m) => !m.replacedBy).map((m) => ({ label: m.name, description: m.status, m })),
      { title: placeholder },
    );
    return pick && { kind: 'migration', project, app, migration: pick.m, state: pick.m.status === 'applied' ? 'applied' : 'pending' };
  };
  const reg = vscode.commands.registerCommand;
  return [
    reg('migrationLens.applyAll', async (node?: TreeNode) => {
      const root = node && 'project' in node ? node.project.root : (await pickProject())?.root;
      if (root) await migrateFlow(ctx, root, {}, 'Apply all pending migrations');
    }),
    reg('migrationLens.applyApp', async (node?: TreeNode) => {
      const t = await pickApp(node);
      if (t) await migrateFlow(ctx, t.root, { app: t.app }, `Apply ${t.app}`);
    }),
    reg('migrationLens.applyTo', async (node?: TreeNode) => {
      const n = await pickMigration(node, 'Apply up to which migration?');
      if (n) await migrateFlow(ctx, n.project.root, { app: n.app.label, target: n.migration.name }, `Apply up to ${n.app.label}.${n.migration.name}`);
    }),
    reg('migrationLens.rollbackTo', async (node?: TreeNode) => {
      const n = await pickMigration(node, 'Roll back to which migration (it stays applied)?');
      if (n) await migrateFlow(ctx, n.project.root, { app: n.app.label, target: n.migration.name }, `Roll back to ${n.app.label}.${n.migration.name}`);
    }),
    reg('migrationLens.unapplyApp', async (node?: TreeNode) => {
      const t = await pickApp(node);
      if (t) await migrateFlow(ctx, t.root, { app: t.app, target: 'zero' }, `Unapply ${t.app} (zero)`);
    }),
    reg('migrationLens.fakeApply', async (node?: TreeNode) => {
      const n = await pickMigration(node, 'Fake apply up to which migration?');
      if (n) await migrateFlow(ctx, n.project.root, { app: n.app.label, target: n.migration.name, fake: true }, `Fake apply ${n.app.label}.${n.migration.name}`);
    }),
    reg('migrationLens.fakeRollback', async (node?: TreeNode) => {
      const n = await pickMigration(node, 'Fake roll back which migration?');
      if (n) await migrateFlow(ctx, n.project.root, { app: n.app.label, target: previousOf(n), fake: true }, `Fake roll back ${n.app.label}.${n.migration.name}`);
    }),
  ];
}
