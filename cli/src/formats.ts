// Output formats of `migration-lens check`: text for people, JSON for scripts, SARIF 2.1.0 for
// code-scanning tools, and GitHub Actions workflow commands for annotations on pull requests.
import { RULES, messageWithHelp, type Severity } from '../../server/src/engine';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type * as sarif from 'sarif';
import type { CheckedFile } from './run';

export const VERSION = '0.1.0';
export const FORMATS = ['text', 'json', 'sarif', 'github'] as const;
export type Format = (typeof FORMATS)[number];

const ORDER: Severity[] = ['error', 'warning', 'information', 'hint'];
const rel = (p: string, cwd: string) => path.relative(cwd, p).split(path.sep).join('/') || p;
const byPosition = (a: { range: { start: { line: number; character: number } } }, b: typeof a) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;

export function formatText(files: CheckedFile[], cwd = process.cwd()): string {
  const out: string[] = [];
  const counts: Record<Severity, number> = { error: 0, warning: 0, information: 0, hint: 0 };
  for (const f of files) {
    if (!f.findings.length) continue;
    out.push(rel(f.path, cwd));
    for (const d of [...f.findings].sort(byPosition)) {
      counts[d.severity]++;
      const pos = `${d.range.start.line + 1}:${d.range.start.character + 1}`;
      const [first, ...rest] = messageWithHelp(d).split('\n');
      out.push(`  ${pos.padEnd(8)} ${d.severity.padEnd(11)} ${d.code}  ${first}`);
      // The safe-way code block, indented under the message.
      for (const line of rest) out.push(line ? `${' '.repeat(29)}${line}` : '');
    }
    out.push('');
  }
  const total = ORDER.reduce((n, s) => n + counts[s], 0);
  out.push(
    `${files.length} migration file${files.length === 1 ? '' : 's'} checked: ` +
      (total
        ? ORDER.filter((s) => counts[s])
            .map((s) => `${counts[s]} ${s === 'information' ? 'info' : s}${counts[s] === 1 || s === 'information' ? '' : 's'}`)
            .join(', ')
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
        impact: f.impact,
        diagnostics: [...f.findings].sort(byPosition).map((d) => ({
          code: d.code,
          severity: d.severity,
          risk: d.risk,
          ...(d.moot ? { moot: d.moot } : {}),
          ...(d.possible ? { possible: d.possible } : {}),
          // The statement, and the safe way as code apart.
          message: d.message,
          ...(d.help ? { help: d.help } : {}),
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

const LEVEL: Record<Severity, sarif.Result.level> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

/** SARIF 2.1.0, the subset GitHub code scanning reads: rules with help, results with regions. */
export function formatSarif(files: CheckedFile[], cwd = process.cwd()): string {
  const ruleIndex = new Map(RULES.map((r, i) => [r.code, i]));
  const region = (r: { start: { line: number; character: number }; end: { line: number; character: number } }): sarif.Region => ({
    startLine: r.start.line + 1,
    startColumn: r.start.character + 1,
    endLine: r.end.line + 1,
    endColumn: r.end.character + 1,
  });
  const location = (p: string, r: Parameters<typeof region>[0]): sarif.Location => ({
    physicalLocation: { artifactLocation: { uri: rel(p, cwd), uriBaseId: '%SRCROOT%' }, region: region(r) },
  });
  const results: sarif.Result[] = [];
  for (const f of files) {
    for (const d of [...f.findings].sort(byPosition)) {
      results.push({
        ruleId: d.code,
        ruleIndex: ruleIndex.get(d.code),
        level: LEVEL[d.severity],
        // Code scanning shows the markdown: the safe way as a code block.
        message: d.help ? { text: messageWithHelp(d), markdown: `${d.message}\n\nSafe way:\n\n\`\`\`python\n${d.help}\n\`\`\`` } : { text: d.message },
        locations: [location(f.path, d.range)],
        relatedLocations: d.related?.map((r, i) => ({ id: i + 1, ...location(r.path, r.range), message: { text: r.message } })),
        partialFingerprints: { 'migrationLens/v1': `${d.code}:${f.migration}:${d.message.split('\n')[0]}` },
        properties: d.risk ? { risk: d.risk } : undefined,
      });
    }
  }
  const log: sarif.Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'migration-lens',
            semanticVersion: VERSION,
            version: VERSION,
            rules: RULES.map((r) => ({
              id: r.code,
              name: r.name,
              shortDescription: { text: r.title },
              fullDescription: { text: r.docs.split('\n\n')[0].replace(/\n/g, ' ') },
              help: { text: r.docs, markdown: r.docs },
              defaultConfiguration: { level: LEVEL[r.defaultSeverity] },
              properties: { tags: ['django', 'migrations', ...(r.risk ? [`risk-${r.risk}`] : [])] },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(cwd.endsWith(path.sep) ? cwd : cwd + path.sep).href } },
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2);
}

/** `::warning file=...,line=...::message` lines: annotations in a GitHub Actions run. */
export function formatGithub(files: CheckedFile[], cwd = process.cwd()): string {
  const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const escapeProp = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  const command: Record<Severity, string> = { error: 'error', warning: 'warning', information: 'notice', hint: 'notice' };
  const out: string[] = [];
  for (const f of files) {
    for (const d of [...f.findings].sort(byPosition)) {
      const props = [
        `file=${escapeProp(rel(f.path, cwd))}`,
        `line=${d.range.start.line + 1}`,
        `col=${d.range.start.character + 1}`,
        `endLine=${d.range.end.line + 1}`,
        `endColumn=${d.range.end.character + 1}`,
        `title=${escapeProp(`${d.code}${d.risk ? ` (${d.risk} risk)` : ''}`)}`,
      ];
      out.push(`::${command[d.severity]} ${props.join(',')}::${escapeData(messageWithHelp(d))}`);
    }
  }
  return out.join('\n');
}
