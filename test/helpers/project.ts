// Temporary Django-shaped projects written to disk for tests.
import * as fs from 'fs';
import * as path from 'path';
import { initParser } from '../../server/src/analysis/parser';
import { tempDir } from './temp';
import { Workspace } from '../../server/src/analysis/workspace';
import type { Finding } from '../../server/src/rules/types';

export { tempDir };

export const REPO = path.resolve(__dirname, '../../..');
export const FIXTURES = path.join(REPO, 'test', 'fixtures');

/** Writes `files` (relative path -> text) under a new temp folder and returns it. */
/** Every migration module of the repository's example and fixture projects. */
export function exampleMigrations(): string[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\/migrations\/[^/_][^/]*\.py$/.test(p)) files.push(p);
    }
  };
  walk(path.join(REPO, 'examples'));
  walk(path.join(REPO, 'test', 'fixtures'));
  return files;
}

export function writeProject(files: Record<string, string>, withManage = true): string {
  const root = tempDir();
  if (withManage) fs.writeFileSync(path.join(root, 'manage.py'), '');
  for (const [rel, text] of Object.entries(files)) {
    const full = path.join(root, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text);
  }
  return root;
}

export async function analyze(root: string | string[]): Promise<Workspace> {
  await initParser();
  const ws = new Workspace(Array.isArray(root) ? root : [root]);
  ws.scanAll();
  return ws;
}

/** Findings of one file (path relative to the root), optionally of one code. */
export function findingsOf(ws: Workspace, root: string, rel: string, code?: string): Finding[] {
  return ws.findings(path.join(root, rel)).filter((f) => !code || f.code === code);
}

/** A migration module in Django's generated style. */
export function migration(deps: Array<[string, string]>, operations: string[], extra = ''): string {
  return [
    'from django.db import migrations, models',
    '',
    '',
    'class Migration(migrations.Migration):',
    extra ? `    ${extra}` : '',
    '    dependencies = [',
    ...deps.map(([a, n]) => `        ("${a}", "${n}"),`),
    '    ]',
    '',
    '    operations = [',
    ...operations.map((o) => `        ${o},`),
    '    ]',
    '',
  ].join('\n');
}

/** Applies LSP-style edits (single file) to a text. */
export function applyEdits(text: string, edits: Array<{ range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }>): string {
  const offset = (p: { line: number; character: number }) => {
    let off = 0;
    for (let i = 0; i < p.line; i++) off = text.indexOf('\n', off) + 1;
    return off + p.character;
  };
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}
