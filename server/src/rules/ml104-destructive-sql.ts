// ML104: RunSQL whose forward SQL destroys data: DROP TABLE / SCHEMA, DROP COLUMN, TRUNCATE, DELETE
// without WHERE, or a column type change that may narrow or convert the values. Nothing in
// reverse_sql can bring the rows back. The SQL is read by the SQL reader (analysis/sql.ts): what
// sits in a function body, a string or a comment does not count; a type change that only widens
// (to bigint, text) is ML301's; SQL that cannot be read is ML506's.
import { databaseOperations, runSqlStatements, safeWay } from '../analysis/risk';
import { losesData, shortSql, SqlEffect, SqlStatement } from '../analysis/sql';
import { opArg } from '../analysis/extract';
import type { Finding, Rule, RuleContext } from './types';

const KINDS = new Set(['RunSQL']);

/** What the statement's destructive effects do, in words: `drops a table`, `drops columns`. */
function describe(effects: SqlEffect[]): string {
  const count = (kind: SqlEffect['kind']) => effects.filter((e) => e.kind === kind).length;
  const parts: string[] = [];
  const say = (kind: SqlEffect['kind'], one: string, many: string) => {
    const n = count(kind);
    if (n) parts.push(n === 1 ? one : many);
  };
  const schemas = effects.filter((e): e is Extract<SqlEffect, { kind: 'drop-schema' }> => e.kind === 'drop-schema');
  if (schemas.length) parts.push(schemas.some((s) => s.database) ? 'drops a database' : 'drops a schema');
  say('drop-table', 'drops a table', 'drops tables');
  say('drop-type', 'drops a type with CASCADE, and the columns of that type', 'drops types with CASCADE, and the columns of those types');
  say('truncate', 'empties a table', 'empties tables');
  say('delete-all', 'deletes every row', 'deletes every row');
  say('drop-column', 'drops a column', 'drops columns');
  say('type-change', 'changes a column type', 'changes column types');
  return parts.join(' and ');
}

/** The table a copy can be kept of: the first table whose rows or column go. */
function backupTable(effects: SqlEffect[]): string | undefined {
  for (const e of effects) {
    if (e.kind === 'drop-table' || e.kind === 'truncate' || e.kind === 'delete-all' || e.kind === 'drop-column') return e.table;
  }
  return undefined;
}

/** An identifier as SQL needs it written: quoted unless it is a plain lower-case name. */
const quote = (name: string) =>
  name
    .split('.')
    .map((p) => (/^[a-z_][a-z0-9_$]*$/.test(p) ? p : `"${p.replace(/"/g, '""')}"`))
    .join('.');

/**
 * The destructive statements of RunSQL's forward SQL, with the effects that destroy data. `context`
 * (every statement of the migration, in order) clears what the migration keeps: rows copied to
 * another table before they are deleted or dropped (the safe way below), and a column dropped to
 * make room for another renamed onto its name (a column swap, as in the RenameField rules).
 */
export function destructiveStatements(statements: readonly SqlStatement[], context: readonly SqlStatement[] = statements): Array<{ statement: SqlStatement; effects: SqlEffect[] }> {
  const out: Array<{ statement: SqlStatement; effects: SqlEffect[] }> = [];
  const at = (s: SqlStatement) => context.indexOf(s);
  const effectsOf = (from: number, to: number) => context.slice(Math.max(0, from), to).flatMap((s) => s.effects);
  for (const statement of statements) {
    const i = at(statement);
    const copiedBefore = new Set(i < 0 ? [] : effectsOf(0, i).flatMap((e) => (e.kind === 'copy' ? e.from : [])));
    const renamedOnto = (table: string, column: string) => effectsOf(i + 1, context.length).some((e) => e.kind === 'rename-column' && e.table === table && e.to === column);
    const effects = statement.effects.filter(losesData).filter((e) => {
      if ((e.kind === 'drop-table' || e.kind === 'truncate' || e.kind === 'delete-all') && copiedBefore.has(e.table)) return false;
      if (e.kind === 'drop-column' && i >= 0 && renamedOnto(e.table, e.column)) return false;
      return true;
    });
    if (effects.length) out.push({ statement, effects });
  }
  return out;
}

/** The earlier migration that took the dropped table or column out of the models, if one did. */
function retiredBy(ctx: RuleContext, e: SqlEffect): string | undefined {
  const bare = (t: string) => t.toLowerCase().replace(/^public\./, '');
  if (e.kind === 'drop-column') return ctx.state?.removedEarlier(ctx.key, bare(e.table), e.column.toLowerCase());
  if (e.kind === 'drop-table') return ctx.state?.removedEarlier(ctx.key, bare(e.table));
  return undefined;
}

export const rule: Rule = {
  code: 'ML104',
  name: 'destructive-sql',
  title: 'RunSQL with destructive SQL',
  defaultSeverity: 'warning',
  risk: 'high',
  scope: 'project',
  docs: [
    '`RunSQL` that runs `DROP TABLE`, `DROP SCHEMA`, `DROP COLUMN`, `TRUNCATE`, `DELETE` without `WHERE`',
    'or a column type change that may narrow or convert the values destroys data that no `reverse_sql`',
    'can restore, and Django cannot tell you beforehand.',
    '',
    "The SQL is read by PostgreSQL's own parser (MySQL/MariaDB syntax by a MySQL grammar): statements",
    'inside a function or trigger body, a string or a comment do not count, nor do `DROP INDEX`,',
    '`DROP CONSTRAINT`, `DROP VIEW`, `DROP FUNCTION` or `DROP TRIGGER`, which lose no rows. A type',
    'change to `bigint`, `text` or an unbounded `varchar`/`numeric` without `USING` only widens the',
    'column: it is reported as low risk (ML301) for the table rewrite it causes.',
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
    const ops = databaseOperations(ctx, KINDS).map(({ op }) => ({ op, statements: runSqlStatements(op) }));
    // Every forward statement of the migration, in order: a copy or a rename may sit in another RunSQL.
    const all = ops.flatMap((o) => o.statements);
    for (const { op, statements } of ops) {
      const sqlArg = opArg(op, 0, 'sql');
      for (const { statement, effects } of destructiveStatements(statements, all)) {
        const table = backupTable(effects);
        const way = table
          ? safeWay([
              `# keep a copy first, in the same RunSQL:`,
              `"CREATE TABLE ${quote(`${table}_backup`)} AS SELECT * FROM ${quote(table)};"`,
              '# and restore it in reverse_sql; or use RemoveField / DeleteModel so the change stays visible.',
            ])
          : effects.every((e) => e.kind === 'type-change')
            ? safeWay(['# add a new column, copy and convert in a data migration, then drop the old one in a later release'])
            : safeWay([
                '# dump what it holds first (pg_dump --schema=... / mysqldump), and drop the tables one by one',
                '# in their own statements, so that each loss is visible and can be restored from the dump.',
              ]);
        // The contract step of an expand/contract change: an earlier migration took what this drops
        // out of the models, and the release running now reads it no more.
        const retired = effects.map((e) => retiredBy(ctx, e));
        const since = retired.every(Boolean) ? retired[0] : undefined;
        out.push({
          code: 'ML104',
          range: sqlArg?.range ?? op.nameRange,
          ...(since ? { possible: `No model has used it since ${since} took it out of the state: it matters only if no migration copied its data before.` } : {}),
          message: since
            ? `RunSQL ${describe(effects)} (${shortSql(statement.text)}) that no model has used since ${since} took ${effects.length === 1 ? 'it' : 'them'} out of the state: ` +
              `the last step of an expand/contract change. The data is gone for good, so it matters only if no earlier migration copied it.`
            : `RunSQL ${describe(effects)} (${shortSql(statement.text)}): the data is gone for good; reverse_sql cannot restore it.`,
          ...(since ? {} : { help: way }),
          data: { statement: shortSql(statement.text) },
        });
      }
    }
    return out;
  },
};
