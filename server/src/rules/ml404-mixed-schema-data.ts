// ML404: schema and data operations in one migration. On PostgreSQL they share one transaction
// (locks from the DDL are held while the data is written; "pending trigger events" errors); on
// MySQL DDL is not transactional, so a failing data step leaves the schema half changed.
import { allOperations } from '../analysis/model';
import { isDataOperation, isStateOnly, SCHEMA_OPERATIONS as SCHEMA } from '../analysis/risk';
import type { Finding, Rule, RuleContext } from './types';

export const rule: Rule = {
  code: 'ML404',
  name: 'mixed-schema-data',
  title: 'Schema and data operations mixed in one migration',
  defaultSeverity: 'information',
  scope: 'file',
  docs: [
    'A migration that changes the schema and writes data runs both in one transaction on PostgreSQL:',
    'the table locks taken by the schema change are held while the data is written, and updating rows',
    'of a table altered in the same transaction can fail with "pending trigger events". On MySQL',
    'schema changes are not transactional: if the data step fails, the schema change stays.',
    '',
    'Safe way: one migration for the schema, the next one for the data (or the other way round).',
  ].join('\n'),

  check({ file }: RuleContext): Finding[] {
    const ops = allOperations(file.operations);
    const inDatabase = ops.filter((op) => !isStateOnly(op));
    const schema = inDatabase.find((op) => op.origin === 'django' && SCHEMA.has(op.kind));
    if (!schema) return [];
    return inDatabase.filter(isDataOperation).map((op) => ({
      code: 'ML404',
      range: op.nameRange,
      message:
        `${op.kind} writes data in the same migration as ${schema.kind} changes the schema: on PostgreSQL the ` +
        'locks are held while the data is written, on MySQL a failure leaves the schema half changed. ' +
        'Move the data step to a migration of its own.',
      related: [{ path: file.path, range: schema.nameRange, message: `${schema.kind} changes the schema here` }],
    }));
  },
};
