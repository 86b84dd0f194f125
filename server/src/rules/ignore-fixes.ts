// The two quick fixes every finding has: ignore this rule on this line, or in this file.
import { lineText } from '../analysis/edits';
import type { CodeFix, Finding } from './types';

const LINE_COMMENT = /#\s*migration-lens:\s*ignore\b(?!-file)([^\n#]*)/;

export function ignoreFixes(finding: Finding, text: string): CodeFix[] {
  const line = finding.range.start.line;
  const current = lineText(text, line);
  const existing = LINE_COMMENT.exec(current);
  const lineEdit = existing
    ? {
        range: {
          start: { line, character: existing.index + existing[0].trimEnd().length },
          end: { line, character: existing.index + existing[0].trimEnd().length },
        },
        newText: `, ${finding.code}`,
      }
    : {
        range: { start: { line, character: current.length }, end: { line, character: current.length } },
        newText: `  # migration-lens: ignore ${finding.code}`,
      };
  // The file comment goes after a shebang or coding line, which must stay first.
  let at = 0;
  while (at < 2 && /^#!|^#.*coding[:=]/.test(lineText(text, at))) at++;
  return [
    { title: `Ignore ${finding.code} on this line`, edits: [lineEdit] },
    {
      title: `Ignore ${finding.code} in this file`,
      edits: [{ range: { start: { line: at, character: 0 }, end: { line: at, character: 0 } }, newText: `# migration-lens: ignore-file ${finding.code}\n` }],
    },
  ];
}
