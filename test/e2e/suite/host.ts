// What the UI tests use inside the extension host: the extension's exports, the launcher's page
// endpoint (screenshots, dialogs, notifications), polling, and the database as Django records it.
import * as assert from 'assert';
import * as cp from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { MigrationLensApi } from '../../../client/src/extension';
import type { Confirmation } from '../../../client/src/views/confirm';
import type { TreeNode } from '../../../client/src/views/tree';
import { projectAt } from '../../helpers/django-project';
import { PYTHON } from '../../helpers/servers';

export const WORKSPACE = process.env.MIGRATION_LENS_UI_WORKSPACE!;
export const ENGINE = process.env.MIGRATION_LENS_UI_ENGINE ?? 'sqlite';
export const DB_ENV: Record<string, string> = JSON.parse(process.env.MIGRATION_LENS_UI_DB_ENV ?? '{}');
export const shop = projectAt(WORKSPACE, DB_ENV);

export async function extension(): Promise<MigrationLensApi> {
  const ext = vscode.extensions.getExtension<MigrationLensApi>('migration-lens.migration-lens');
  assert.ok(ext, 'the extension is installed in the host');
  return ext.isActive ? ext.exports : ext.activate();
}

/** Thrown by an `until` probe to stop waiting at once. */
export class GiveUp extends Error {}

export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      if (err instanceof GiveUp) throw err;
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Asks the page driver (test/host/code-server-launcher.mjs); undefined where there is none (desktop). */
export async function page(action: Record<string, unknown>): Promise<unknown> {
  const url = process.env.MIGRATION_LENS_UI_URL;
  if (!url) return undefined;
  const r = await fetch(url, { method: 'POST', body: JSON.stringify(action) });
  const body = (await r.json()) as { ok: boolean; result?: unknown; error?: string };
  if (!body.ok) throw new Error(`page ${String(action.action)}: ${body.error}`);
  return body.result;
}

export const hasPage = () => !!process.env.MIGRATION_LENS_UI_URL;

export async function screenshot(name: string): Promise<void> {
  await new Promise((r) => setTimeout(r, 400)); // let the workbench paint
  await page({ action: 'screenshot', name: ENGINE === 'sqlite' ? name : `${name}-${ENGINE}` });
}

/** The tree's migration rows as `app.name state description`. */
export function treeRows(api: MigrationLensApi): Map<string, { state: string; description: string; node: TreeNode }> {
  const rows = new Map<string, { state: string; description: string; node: TreeNode }>();
  const walk = (nodes: TreeNode[]) => {
    for (const n of nodes) {
      if (n.kind === 'migration') {
        const item = api.tree.getTreeItem(n);
        rows.set(`${n.app.label}.${n.migration.name}`, { state: n.state, description: String(item.description ?? ''), node: n });
      }
      walk(api.tree.getChildren(n));
    }
  };
  walk(api.tree.getChildren());
  return rows;
}

/** `app.name` of each applied row, as Django's recorder reads the database. */
export function applied(): Set<string> {
  return new Set(shop.recorded().map((l) => l.split(' ')[0]));
}

/** The same from the SQLite file with Python's sqlite3 alone, for when Django itself cannot start. */
export function appliedInSqliteFile(): Set<string> {
  const code = 'import sqlite3,sys\nfor a, n in sqlite3.connect(sys.argv[1]).execute("select app, name from django_migrations"): print(a + "." + n)';
  const out = cp.execFileSync(PYTHON, ['-c', code, path.join(WORKSPACE, '_data', 'db.sqlite3')], { encoding: 'utf8' });
  return new Set(out.split('\n').filter(Boolean));
}

/** Writes orders/migrations/<name>.py after 0005 with one RunPython; returns its path. */
export function ordersRunPython(name: string, body: string, reverse = true): string {
  const file = path.join(WORKSPACE, 'orders', 'migrations', `${name}.py`);
  fs.writeFileSync(
    file,
    `import time\nfrom django.db import migrations\n\n\ndef forward(apps, schema_editor):\n    ${body}\n\n\n` +
      `class Migration(migrations.Migration):\n    dependencies = [('orders', '0005_remove_order_note')]\n    operations = [migrations.RunPython(forward${reverse ? ', migrations.RunPython.noop' : ''})]\n`,
  );
  return file;
}

export const migrationFile = (app: string, name: string) => vscode.Uri.file(path.join(WORKSPACE, app, 'migrations', `${name}.py`));

/**
 * Runs a command that may ask for a modal confirmation and answers it with `button` (undefined:
 * dismiss). VS Code refuses modal dialogs under extension tests, so they come through the
 * extension's test-only hook; returns what the dialog would have said, or undefined when none was asked.
 */
export async function answerDialog(api: MigrationLensApi, run: () => Thenable<unknown>, button: string | undefined): Promise<string | undefined> {
  let seen: Confirmation | undefined;
  api.answerConfirmations(async (c) => {
    seen = c;
    return button !== undefined && c.button === button;
  });
  try {
    await run();
  } finally {
    api.answerConfirmations(undefined);
  }
  return seen && `${seen.message}\n${seen.detail}\n[${seen.button}]`;
}

/** Everything the extension wrote to its log so far. */
export function extensionLog(api: MigrationLensApi): string {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(fs.readFileSync(p, 'utf8'));
    }
  };
  walk(api.logUri.fsPath);
  return out.join('\n');
}
