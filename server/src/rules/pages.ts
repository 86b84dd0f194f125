// One documentation page per rule (docs/rules/MLxxx.md), written from the rule's own file: its
// title, level, scope, docs (why and the safe way, as code) and how to suppress or configure it.
// `npm run docs` writes them; a test fails when a page differs from what its rule says.
import { levelOf } from './levels';
import type { Rule } from './types';

const SCOPE: Record<Rule['scope'], string> = {
  file: 'the migration file alone',
  project: "the migration with its project's graph and model state",
  live: 'a pending migration, with counts or sizes read from the database',
};

export function rulePage(rule: Rule): string {
  const level = levelOf(rule.code);
  return [
    `# ${rule.code} ${rule.name}`,
    '',
    `**${rule.title}**`,
    '',
    `- Default severity: ${rule.defaultSeverity}`,
    ...(rule.risk ? [`- Risk: ${rule.risk}`] : level === 'error' ? ['- An error: it stops `migrate`, or the history disagrees with the files'] : []),
    `- Judges: ${SCOPE[rule.scope]}`,
    '',
    '## Why, and the safe way',
    '',
    rule.docs,
    '',
    '## Suppress or configure',
    '',
    'On the operation (or the line above it):',
    '',
    '```python',
    `migrations.SomeOperation(...),  # migration-lens: ignore ${rule.code}`,
    '```',
    '',
    `For the whole file: \`# migration-lens: ignore-file ${rule.code}\`. For the project, in`,
    '`pyproject.toml` (read by the editor and `migration-lens check`):',
    '',
    '```toml',
    '[tool.migration-lens.rules]',
    `${rule.code} = "off"  # or "error", "warning", "information", "hint"`,
    '```',
    '',
    'In the editor, `migrationLens.rules` (per folder) wins over the file.',
    '',
  ].join('\n');
}

/** The README's rule table row of a rule: code, title, risk, default severity. */
export function ruleIndex(rules: readonly Rule[]): string {
  return ['| code | rule | risk | default |', '|---|---|---|---|', ...rules.map((r) => `| [${r.code}](docs/rules/${r.code}.md) | ${r.title} | ${r.risk ?? ''} | ${r.defaultSeverity} |`)].join('\n');
}
