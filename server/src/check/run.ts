// The engine behind `migration-lens check`: analyze the projects holding the given paths, and
// report the files asked for (all of them, or those changed since a git ref).
import * as fs from 'fs';
import * as path from 'path';
import { initParser } from '../analysis/parser';
import { Workspace } from '../analysis/workspace';
import { parseMigrationPath } from '../analysis/discovery';
import { RULES_BY_CODE } from '../rules/registry';
import type { Finding, Risk, Severity } from '../rules/types';

export class UsageError extends Error {}

export interface CheckedFinding extends Finding {
  severity: Severity;
  risk?: Risk;
}

export interface CheckedFile {
  path: string;
  migration: string;
  findings: CheckedFinding[];
}

export interface CheckOptions {
  /** Report only these files (absolute paths); the others still feed the graph and the state. */
  only?: (file: string) => boolean;
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

export async function check(paths: string[], opts: CheckOptions = {}): Promise<CheckedFile[]> {
  await initParser();
  const roots = new Set<string>();
  const dirs: string[] = [];
  const files = new Set<string>();
  for (const p of paths.length ? paths : ['.']) {
    const abs = path.resolve(p);
    if (!fs.existsSync(abs)) throw new UsageError(`${p}: no such file or folder`);
    if (fs.statSync(abs).isDirectory()) {
      roots.add(abs);
      dirs.push(abs);
    } else {
      if (!parseMigrationPath(abs)) throw new UsageError(`${p}: not a migration file (<app>/migrations/<number>_<name>.py)`);
      roots.add(rootForFile(abs));
      files.add(abs);
    }
  }
  // A folder inside another given folder is already covered by it.
  const list = [...roots].filter((r) => ![...roots].some((o) => o !== r && r.startsWith(o + path.sep)));
  const ws = new Workspace(list);
  ws.scanAll();
  return ws
    .paths()
    .filter((p) => files.has(p) || dirs.some((d) => p.startsWith(d + path.sep)))
    .filter((p) => !opts.only || opts.only(p))
    .sort()
    .map((p) => {
      const m = ws.model(p)!;
      return {
        path: p,
        migration: `${m.app}.${m.name}`,
        findings: ws.findings(p).map((f) => {
          const rule = RULES_BY_CODE.get(f.code);
          return { ...f, severity: rule?.defaultSeverity ?? 'information', risk: rule?.risk };
        }),
      };
    });
}

export type FailOn = 'error' | 'high' | 'medium' | 'low';
const RISK_RANK: Record<Risk, number> = { high: 3, medium: 2, low: 1 };

/** Whether a finding fails the check: errors always; risks at or above the `--fail-on` level. */
export function fails(f: CheckedFinding, failOn: FailOn): boolean {
  if (f.severity === 'error') return true;
  if (failOn === 'error' || !f.risk) return false;
  return RISK_RANK[f.risk] >= RISK_RANK[failOn];
}
