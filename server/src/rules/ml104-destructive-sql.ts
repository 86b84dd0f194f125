// ML104: RunSQL whose forward SQL destroys data: DROP TABLE/COLUMN, TRUNCATE, DELETE without WHERE,
// or a column type change. Nothing in reverse_sql can bring the rows back.
import { databaseOperations, safeWay, sqlText } from '../analysis/risk';
import { opArg } from '../analysis/extract';
import type { Finding, Rule, RuleContext } from './types';

const KINDS = new Set(['RunSQL']);

interface Hit {
  what: string;
  statement: string;
  table?: string;
}

/** Comments and quoted literals removed, so that `'DROP TABLE'` in a string is not a hit. */
function stripSql(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/\$\$[\s\S]*?\$\$/g, "''");
}

const ident = String.raw`((?:"[^"]+"|\x60[^\x60]+\x60|[\w.]+))`;
const PATTERNS: Array<{ re: RegExp; what: string }> = [
  { re: new RegExp(String.raw`^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?${ident}`, 'i'), what: 'drops a table' },
  { re: new RegExp(String.raw`^\s*DROP\s+(SCHEMA|DATABASE)\b`, 'i'), what: 'drops a schema' },
  { re: new RegExp(String.raw`^\s*TRUNCATE\s+(?:TABLE\s+)?${ident}`, 'i'), what: 'empties a table' },
  { re: new RegExp(String.raw`^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?${ident}[\s\S]*\bDROP\s+(?:COLUMN\s+)?(?!CONSTRAINT|INDEX|KEY|FOREIGN|PRIMARY|DEFAULT|CHECK|NOT\b|IDENTITY|EXPRESSION)\w`, 'i'), what: 'drops a column' },
  { re: new RegExp(String.raw`^\s*ALTER\s+TABLE\s+${ident}[\s\S]*\b(?:ALTER\s+(?:COLUMN\s+)?\S+\s+(?:SET\s+DATA\s+)?TYPE|MODIFY\s+(?:COLUMN\s+)?\S+|CHANGE\s+(?:COLUMN\s+)?\S+\s+\S+)`, 'i'), what: 'changes a column type' },
];

/** The destructive statements of a SQL text. */
export function destructiveStatements(sql: string): Hit[] {
  const hits: Hit[] = [];
  for (const raw of stripSql(sql).split(';')) {
    const statement = raw.trim();
    if (!statement) continue;
    const del = /^\s*DELETE\s+FROM\s+((?:"[^"]+"|`[^`]+`|[\w.]+))/i.exec(statement);
    if (del && !/\bWHERE\b/i.test(statement)) {
      hits.push({ what: 'deletes every row', statement, table: del[1] });
      continue;
    }
    for (const p of PATTERNS) {
      const m = p.re.exec(statement);
      if (m) {
        hits.push({ what: p.what, statement, table: m[1] && !/^(SCHEMA|DATABASE)$/i.test(m[1]) ? m[1] : undefined });
        break;
      }
    }
  }
  return hits;
}

const short = (s: string) => {
  const one = s.replace(/\s+/g, ' ');
  return one.length > 60 ? `${one.slice(0, 57)}...` : one;
};

export const rule: Rule = {
  code: 'ML104',
  name: 'destructive-sql',
  title: 'RunSQL with destructive SQL',
  defaultSeverity: 'warning',
  risk: 'high',
  scope: 'project',
  docs: [
    '`RunSQL` that runs `DROP TABLE`, `DROP COLUMN`, `TRUNCATE`, `DELETE` without `WHERE` or a column',
    'type change destroys data that no `reverse_sql` can restore, and Django cannot tell you beforehand.',
    '',
    'Safe way: keep a copy in the same migration, and let the reverse put it back:',
    '```python',
    'migrations.RunSQL(',
    '    sql="CREATE TABLE legacy_backup AS SELECT * FROM legacy; DROP TABLE legacy;",',
    '    reverse_sql="CREATE TABLE legacy AS SELECT * FROM legacy_backup; DROP TABLE legacy_backup;",',
    ')',
    '```',
    'or use the schema operation (`RemoveField`, `DeleteModel`) so the state and the risk stay visible.',
  ].join('\n'),

  check(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    for (const { op } of databaseOperations(ctx, KINDS)) {
      const sqlArg = opArg(op, 0, 'sql');
      for (const hit of destructiveStatements(sqlText(sqlArg))) {
        const table = hit.table?.replace(/["`]/g, '');
        const way = table && hit.what !== 'changes a column type'
          ? safeWay([
              `# keep a copy first, in the same RunSQL:`,
              `"CREATE TABLE ${table}_backup AS SELECT * FROM ${table};"`,
              '# and restore it in reverse_sql; or use RemoveField / DeleteModel so the change stays visible.',
            ])
          : safeWay([
              '# add a new column, copy and convert in a data migration, then drop the old one in a later release',
            ]);
        out.push({
          code: 'ML104',
          range: sqlArg?.range ?? op.nameRange,
          message: `RunSQL ${hit.what} (${short(hit.statement)}): the data is gone for good; reverse_sql cannot restore it.${way}`,
          data: { statement: short(hit.statement) },
        });
      }
    }
    return out;
  },
};
