// ML102: DeleteModel drops the table with every row; code of the previous release that still uses
// the model fails during the deploy.
import { className, databaseOperations, deployClause, valuesGo, operationsAfter, safeWay, strArg, tableName, unlessSameRelease } from '../analysis/risk';
import { lossProbe } from '../analysis/live';
import { introducedIn } from '../analysis/state';
import type { Finding, Rule, RuleContext } from './types';

const KINDS = new Set(['DeleteModel']);

export const rule: Rule = {
  code: 'ML102',
  name: 'delete-model',
  title: 'DeleteModel drops a table and its rows',
  defaultSeverity: 'warning',
  risk: 'high',
  scope: 'project',
  docs: [
    '`DeleteModel` drops the table and every row in it; a rollback recreates it empty.',
    'The release still running during the deploy fails on every query of the model.',
    '',
    'Safe way: remove every use of the model and deploy first; keep a copy of the rows if they may',
    'be needed (`manage.py dumpdata app.Model`); drop the table in a later release.',
  ].join('\n'),

  check(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    for (const { op, view, model } of databaseOperations(ctx, KINDS)) {
      if (!model || view?.newTable) continue;
      const cls = className(view?.model, model);
      const table = tableName(ctx.file.app, view?.model, model);
      const report = (message: string, help: string, data: Record<string, unknown>) =>
        out.push(unlessSameRelease(ctx, { code: 'ML102', range: op.nameRange, message, help, data }, introducedIn(view?.model), `the model ${cls}`));
      // Dropped and made again under the same name in this migration: the model stays, its table changes.
      const remade = operationsAfter(ctx, op).some((o) => o.kind === 'CreateModel' && o.origin === 'django' && strArg(o, 0, 'name')?.toLowerCase() === model.toLowerCase());
      if (remade) {
        report(
          `DeleteModel ${cls} drops table ${table} and its rows, and CreateModel ${cls} in this migration makes a new one under that name: ` +
            'the model stays, but the release still running during the deploy queries the new table as if it were the old one (its columns), and the old rows are gone.',
          safeWay([
            `# a new model under a new name (its own table) for a release, the code moved to it; then drop ${cls}`,
            `# keep the rows if they may be needed: manage.py dumpdata ${ctx.file.app}.${cls} > ${cls.toLowerCase()}.json`,
          ]),
          { model, remade: true, probe: lossProbe(ctx.file.app, view?.model, model) },
        );
        continue;
      }
      report(
        `DeleteModel ${cls} drops table ${table} and its rows` + deployClause(ctx, 'every query of the model') + valuesGo(ctx, 'The rows go with the table'),
        safeWay([
          `# Release 1: remove every use of ${cls} from the code and deploy.`,
          `# Keep the rows if they may be needed: manage.py dumpdata ${ctx.file.app}.${cls} > ${cls.toLowerCase()}.json`,
          '# Release 2: drop the table.',
          `migrations.DeleteModel("${cls}"),`,
        ]),
        { model, probe: lossProbe(ctx.file.app, view?.model, model) },
      );
    }
    return out;
  },
};
