// ML506: part of the file could not be followed statically (computed lists, unknown arguments,
// syntax errors). Information only: the file is still analyzed as far as it can be.
import type { Finding, Rule, RuleContext } from './types';

export const rule: Rule = {
  code: 'ML506',
  name: 'not-fully-analyzed',
  title: 'Part of the file could not be analyzed statically',
  defaultSeverity: 'information',
  scope: 'file',
  docs: [
    'Migration Lens reads migration files without running them. Lists built by function calls or',
    'loops, `**kwargs`, and code that does not parse are skipped, so risks in them are not',
    'reported. Write operations as literal lists where you can; otherwise review that part by hand.',
  ].join('\n'),

  check({ file }: RuleContext): Finding[] {
    const out: Finding[] = file.unresolved.map((u) => ({
      code: 'ML506',
      range: u.range,
      message: `Not fully analyzed: ${u.message}`,
    }));
    for (const r of file.syntaxErrors) {
      out.push({
        code: 'ML506',
        range: r,
        message: 'Not fully analyzed: this part does not parse as Python; the rest of the file is still checked.',
      });
    }
    return out;
  },
};
