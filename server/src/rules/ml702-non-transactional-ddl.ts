// ML702: on MySQL and MariaDB every DDL statement commits on its own. A migration with several
// schema operations that fails midway leaves the first ones applied while Django records nothing,
// and the next `migrate` stops on them ("Duplicate column name").
import { databaseOperations, isDataOperation, safeWay, SCHEMA_OPERATIONS } from '../analysis/risk';
import { engineLabel } from '../analysis/impact';
import type { Finding, Rule, RuleContext } from './types';

export const rule: Rule = {
  code: 'ML702',
  name: 'non-transactional-ddl',
  title: 'Several schema operations in one migration on MySQL/MariaDB (DDL is not transactional)',
  defaultSeverity: 'information',
  scope: 'project',
  docs: [
    'PostgreSQL and SQLite run a migration in one transaction: if it fails, nothing of it stays.',
    "MySQL and MariaDB commit each DDL statement as it runs (Django's `atomic` cannot change that).",
    'When the third of four schema operations fails, the first two stay in the database, the',
    'migration is not recorded, and running `migrate` again stops on them ("Duplicate column name",',
    '"Table already exists"): the schema has to be repaired by hand.',
    '',
    'Reported once the engine is known to be MySQL or MariaDB (read from the database, or',
    '`migrationLens.engine` / `--engine`), on migrations with more than one schema operation on',
    'existing tables (new tables a failure leaves behind are empty).',
    '',
    'Safe way: one schema operation per migration where a failure is possible (a unique constraint',
    'on existing data, a NOT NULL, a type change), so that a failed migration changed nothing; or',
    'write the reverse so that a half-applied migration can be undone.',
  ].join('\n'),

  check(ctx: RuleContext): Finding[] {
    if (!ctx.engine || (ctx.engine.name !== 'mysql' && ctx.engine.name !== 'mariadb')) return [];
    // On existing tables only: new tables left behind by a failure are empty and easy to drop (an
    // initial migration of several CreateModel is the everyday case, not worth a word).
    // A RunSQL that writes rows counts as data.
    const schema = databaseOperations(ctx).filter(({ op, view }) => (SCHEMA_OPERATIONS.has(op.kind) || (op.kind === 'RunSQL' && !isDataOperation(op))) && op.kind !== 'CreateModel' && !view?.newTable);
    if (schema.length < 2) return [];
    const [first, ...rest] = schema.map((s) => s.op);
    return [
      {
        code: 'ML702',
        range: first.nameRange,
        message:
          `${schema.length} schema operations in one migration on ${engineLabel(ctx.engine)}: each DDL statement commits as it runs, so if ` +
          `a later one fails (${rest[0].kind} and after), the earlier ones stay applied while the migration is not recorded, and the next ` +
          'migrate stops on them.',
        help: safeWay(['# one schema operation per migration where one can fail (unique, NOT NULL, a type change),', '# so that a failed migration has changed nothing']),
        data: { operations: schema.length },
      },
    ];
  },
};
