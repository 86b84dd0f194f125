// ML301: the low-risk schema changes, reported so that every operation has a risk level: a nullable
// column (or a many-to-many table) added to an existing table, a new table, and RunSQL that widens
// a column's type (no value is lost, but the table is rewritten).
import { className, databaseOperations, runSqlStatements } from '../analysis/risk';
import { fieldInfo, isManyToMany, isNullable } from '../analysis/fields';
import { opArg } from '../analysis/extract';
import { shortSql, SqlEffect, SqlStatement } from '../analysis/sql';
import type { Finding, Rule, RuleContext } from './types';

const KINDS = new Set(['AddField', 'CreateModel', 'RunSQL']);

type TypeChange = Extract<SqlEffect, { kind: 'type-change' }>;

/** What a widening type change costs, on the engine whose grammar read it. */
function wideningMessage(s: SqlStatement, e: TypeChange): string {
  // Observed on PostgreSQL 15: json -> jsonb keeps the last of an object's duplicate keys.
  const head =
    e.type === 'jsonb'
      ? `Low risk: RunSQL converts column ${e.table}.${e.column} to jsonb (${shortSql(s.text)}): the values are kept (an object's duplicate keys keep only the last, ` +
        'and key order and spacing are normalized; JSON that Django wrote from dicts has no duplicate keys), or the statement fails on text that is not JSON, but'
      : `Low risk: RunSQL widens column ${e.table}.${e.column}${e.type ? ` to ${e.type}` : ''} (${shortSql(s.text)}): no data is lost, but`;
  if (s.dialect === 'mysql') {
    const restated = e.restates ? ' MODIFY / CHANGE restates the whole column: NOT NULL, DEFAULT, AUTO_INCREMENT or COMMENT left out of it are dropped.' : '';
    return `${head} the table is rewritten (MySQL copies it; writes wait until it is done).${restated}`;
  }
  const textual = /^(text|varchar)\b/.test(e.type ?? '');
  return (
    `${head} the table is rewritten, on PostgreSQL under an ACCESS EXCLUSIVE lock: reads and writes wait until it is done` +
    (textual ? ' (no rewrite when the column already was a varchar or text; the lock is still taken).' : '.')
  );
}

export const rule: Rule = {
  code: 'ML301',
  name: 'low-risk',
  title: 'Nullable column or new table: low risk',
  defaultSeverity: 'information',
  risk: 'low',
  scope: 'project',
  docs: [
    'Adding a nullable column or a new table does not touch existing rows and is safe to deploy while',
    'the previous release runs. It is reported so that every operation has a risk level.',
    '',
    'A `RunSQL` that changes a column to a wider type (`bigint`, `text`, an unbounded `varchar` or',
    '`numeric`, without `USING`; MySQL `BIGINT`, `LONGTEXT`) loses no value, but the table is',
    'rewritten: on PostgreSQL under an ACCESS EXCLUSIVE lock, so reads and writes wait until it is',
    'done. On a big table, run it in a maintenance window. Other type changes are ML104.',
  ].join('\n'),

  check(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    for (const { op, view, model, field } of databaseOperations(ctx, KINDS)) {
      if (op.kind === 'RunSQL') {
        const range = opArg(op, 0, 'sql')?.range ?? op.nameRange;
        for (const s of runSqlStatements(op)) {
          for (const e of s.effects) {
            if (e.kind === 'type-change' && e.widening) out.push({ code: 'ML301', range, message: wideningMessage(s, e) });
          }
        }
        continue;
      }
      if (op.kind === 'CreateModel') {
        const name = opArg(op, 0, 'name');
        if (name?.kind !== 'str') continue;
        out.push({
          code: 'ML301',
          range: op.nameRange,
          message: `Low risk: CreateModel ${name.value} adds a new table; nothing existing changes.`,
        });
        continue;
      }
      const f = fieldInfo(opArg(op, 2, 'field'));
      if (!model || !field || !f || view?.newTable) continue;
      if (isManyToMany(f)) {
        out.push({
          code: 'ML301',
          range: op.nameRange,
          message: `Low risk: AddField ${model}.${field} adds a many-to-many table to ${className(view?.model, model)}; existing rows are not touched.`,
        });
      } else if (isNullable(f)) {
        out.push({
          code: 'ML301',
          range: op.nameRange,
          message: `Low risk: AddField ${model}.${field} adds a nullable column; existing rows get NULL without a rewrite.`,
        });
      }
    }
    return out;
  },
};
