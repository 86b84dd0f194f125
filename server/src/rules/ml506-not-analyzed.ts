// ML506: part of the file could not be followed statically (computed lists, unknown arguments,
// syntax errors, RunSQL whose SQL the SQL reader cannot read). Information only: the file is still
// analyzed as far as it can be.
import { allOperations } from '../analysis/model';
import { opArg } from '../analysis/extract';
import { isStateOnly, sqlSources } from '../analysis/risk';
import { readSql, shortSql } from '../analysis/sql';
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
    '',
    'The SQL of `RunSQL` is read as PostgreSQL, then as MySQL/MariaDB. A statement neither grammar',
    "reads (a typo, another engine's syntax, more than 256 KB of SQL) is named here: what it does",
    'to the data (ML104, ML404) is not checked.',
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
    for (const op of allOperations(file.operations)) {
      if (op.origin !== 'django' || op.kind !== 'RunSQL' || isStateOnly(op)) continue;
      for (const src of sqlSources(opArg(op, 0, 'sql'))) {
        for (const s of readSql(src.sql, { params: src.params })) {
          if (s.unreadable === undefined) continue;
          out.push({
            code: 'ML506',
            range: src.range,
            message: `Not fully analyzed: the SQL \`${shortSql(s.text)}\` could not be read as PostgreSQL or MySQL ` + `(${s.unreadable}); what it does to the data is not checked.`,
          });
        }
      }
    }
    return out;
  },
};
