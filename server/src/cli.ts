#!/usr/bin/env node
// `migration-lens check [paths...]`: the language server's engine as a CI command.
import * as fs from 'fs';
import * as path from 'path';
import { initParser } from './analysis/parser';
import { Workspace } from './analysis/workspace';
import { parseMigrationPath } from './analysis/discovery';
import { RULES, RULES_BY_CODE } from './rules/registry';
import type { Finding, Severity } from './rules/types';

const VERSION = '0.1.0';

const USAGE = `Usage: migration-lens check [options] [paths...]
       migration-lens rules

Checks the Django migration files under the given folders (default: the current folder), or the
given migration files within their project.

Options:
  --format text|json   output format (default: text)
  --help               show this help
  --version            show the version

Exit status: 0 when no finding has severity error, 1 when one has, 2 on a usage error.`;

export interface CheckedFile {
  path: string;
  migration: string;
  findings: Array<Finding & { severity: Severity }>;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): { command: string; format: 'text' | 'json'; paths: string[] } {
  let command = '';
  let format: 'text' | 'json' = 'text';
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--format') {
      const v = argv[++i];
      if (v !== 'text' && v !== 'json') throw new UsageError(`--format takes text or json, not ${v ?? 'nothing'}`);
      format = v;
    } else if (a.startsWith('--format=')) {
      const v = a.slice('--format='.length);
      if (v !== 'text' && v !== 'json') throw new UsageError(`--format takes text or json, not ${v}`);
      format = v;
    } else if (a.startsWith('-') && a !== '-') {
      throw new UsageError(`unknown option ${a}`);
    } else if (!command) command = a;
    else paths.push(a);
  }
  return { command, format, paths };
}

/** Folder holding manage.py above `file`, else the folder above its app. */
function rootForFile(file: string): string {
  const where = parseMigrationPath(file);
  const start = where ? where.appDir : path.dirname(file);
  for (let d = start; ; ) {
    if (fs.existsSync(path.join(d, 'manage.py'))) return d;
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  return where ? path.dirname(where.appDir) : path.dirname(file);
}

export async function check(paths: string[]): Promise<CheckedFile[]> {
  await initParser();
  const roots = new Set<string>();
  const dirs: string[] = [];
  const only = new Set<string>();
  for (const p of paths.length ? paths : ['.']) {
    const abs = path.resolve(p);
    if (!fs.existsSync(abs)) throw new UsageError(`${p}: no such file or folder`);
    if (fs.statSync(abs).isDirectory()) {
      roots.add(abs);
      dirs.push(abs);
    } else {
      if (!parseMigrationPath(abs)) throw new UsageError(`${p}: not a migration file (<app>/migrations/<number>_<name>.py)`);
      roots.add(rootForFile(abs));
      only.add(abs);
    }
  }
  // A folder inside another given folder is already covered by it.
  const list = [...roots].filter((r) => ![...roots].some((o) => o !== r && r.startsWith(o + path.sep)));
  const ws = new Workspace(list);
  ws.scanAll();
  const files = ws
    .paths()
    .filter((p) => only.has(p) || dirs.some((d) => p.startsWith(d + path.sep)))
    .sort();
  return files.map((p) => {
    const m = ws.model(p)!;
    return {
      path: p,
      migration: `${m.app}.${m.name}`,
      findings: ws.findings(p).map((f) => ({ ...f, severity: RULES_BY_CODE.get(f.code)?.defaultSeverity ?? 'information' })),
    };
  });
}

const ORDER: Severity[] = ['error', 'warning', 'information', 'hint'];

export function formatText(files: CheckedFile[], cwd = process.cwd()): string {
  const out: string[] = [];
  const counts: Record<Severity, number> = { error: 0, warning: 0, information: 0, hint: 0 };
  for (const f of files) {
    if (!f.findings.length) continue;
    out.push(path.relative(cwd, f.path) || f.path);
    const sorted = [...f.findings].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    for (const d of sorted) {
      counts[d.severity]++;
      const pos = `${d.range.start.line + 1}:${d.range.start.character + 1}`;
      out.push(`  ${pos.padEnd(8)} ${d.severity.padEnd(11)} ${d.code}  ${d.message}`);
    }
    out.push('');
  }
  const total = ORDER.reduce((n, s) => n + counts[s], 0);
  out.push(
    `${files.length} migration file${files.length === 1 ? '' : 's'} checked: ` +
      (total
        ? ORDER.filter((s) => counts[s]).map((s) => `${counts[s]} ${s === 'information' ? 'info' : s}${counts[s] === 1 || s === 'information' ? '' : 's'}`).join(', ')
        : 'no problems'),
  );
  return out.join('\n');
}

export function formatJson(files: CheckedFile[]): string {
  return JSON.stringify(
    {
      version: VERSION,
      files: files.map((f) => ({
        path: f.path,
        migration: f.migration,
        diagnostics: f.findings.map((d) => ({
          code: d.code,
          severity: d.severity,
          risk: RULES_BY_CODE.get(d.code)?.risk,
          message: d.message,
          line: d.range.start.line + 1,
          column: d.range.start.character + 1,
          endLine: d.range.end.line + 1,
          endColumn: d.range.end.character + 1,
        })),
      })),
      summary: Object.fromEntries(ORDER.map((s) => [s, files.reduce((n, f) => n + f.findings.filter((d) => d.severity === s).length, 0)])),
    },
    null,
    2,
  );
}

export async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`migration-lens: ${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (argv.includes('--help') || !args.command) {
    process.stdout.write(`${USAGE}\n`);
    return args.command || argv.includes('--help') ? 0 : 2;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (args.command === 'rules') {
    for (const r of RULES) process.stdout.write(`${r.code}  ${r.defaultSeverity.padEnd(11)} ${r.risk ?? ''}\t${r.title}\n`);
    return 0;
  }
  if (args.command !== 'check') {
    process.stderr.write(`migration-lens: unknown command ${args.command}\n\n${USAGE}\n`);
    return 2;
  }
  try {
    const files = await check(args.paths);
    process.stdout.write(`${args.format === 'json' ? formatJson(files) : formatText(files)}\n`);
    return files.some((f) => f.findings.some((d) => d.severity === 'error')) ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`migration-lens: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`migration-lens: internal error: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 2;
    },
  );
}
