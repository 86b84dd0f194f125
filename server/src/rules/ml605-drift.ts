// ML605: the database's history disagrees with the files: applied migrations missing on disk,
// migrations applied before their dependencies, squashes whose replaced files are partly gone.
import { migrationKey } from '../analysis/model';
import type { Finding, Rule, RuleContext } from './types';

export const rule: Rule = {
  code: 'ML605',
  name: 'drift',
  title: 'Drift: the database history disagrees with the migration files',
  defaultSeverity: 'error',
  scope: 'project',
  docs: [
    'Read from `django_migrations` in the workspace database:',
    '- a migration is applied there but its file is gone (deleted or renamed after it ran): the schema',
    '  may hold changes no file describes;',
    '- a migration is applied before one of its dependencies: Django stops every `migrate` with',
    '  `InconsistentMigrationHistory`;',
    '- a squash whose replaced migrations are partly applied and partly missing on disk.',
    '',
    'Restore files from version control; fix rows only with `migrate --fake` (never by hand) and only',
    'when the schema already matches.',
  ].join('\n'),

  check(ctx: RuleContext): Finding[] {
    return (ctx.history?.drift.get(ctx.key) ?? []).map((d) => ({
      code: 'ML605',
      range: (d.dependency && ctx.file.dependencies.find((r) => r.app !== undefined && migrationKey(r.app, r.name) === d.dependency)?.range) || ctx.file.classRange,
      message: d.message,
      data: { kind: d.kind },
    }));
  },
};
