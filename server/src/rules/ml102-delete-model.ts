// ML102: DeleteModel drops the table with every row; code of the previous release that still uses
// the model fails during the deploy.
import { className, databaseOperations, deployClause, valuesGo, operationsAfter, safeWay, strArg, tableName, unlessSameRelease } from '../analysis/risk';
import { lossProbe } from '../analysis/live';
import { introducedIn, type ModelState } from '../analysis/state';
import { familyOf, relationTarget } from '../analysis/fields';
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
    '',
    'With the release tags read (`check --releases`, or the editor in a git checkout), that later drop',
    'is said as information: the release running before it no longer defines the model (no `class',
    'Name` in its `*models*.py`), or defines it, names it on no other line of its code (migrations and',
    "tests aside) and has no foreign key through which Django's deletes of another model reach the table.",
  ].join('\n'),

  check(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    for (const { op, view, model } of databaseOperations(ctx, KINDS)) {
      if (!model || view?.newTable) continue;
      const cls = className(view?.model, model);
      const table = tableName(ctx.file.app, view?.model, model);
      // The model's code went a release earlier: then the drop is the safe way's second step. A model
      // the running release defines but never names is safe to drop only when none of its foreign
      // keys lets Django's deletes of another model reach the table.
      const retired = ctx.retiredBefore?.(cls);
      // Django's deletion collector reaches the table from the models its foreign keys point at: a
      // release that never queries the model still deletes (or nulls) its rows when a parent goes.
      const parents = cascadeParents(view?.model);
      const retiredIn =
        retired &&
        (!retired.unused
          ? `release ${retired.release}, which runs during the deploy, no longer defines the model ${cls} (no \`class ${cls}\` in its models modules)`
          : !parents.length
            ? `release ${retired.release}, which runs during the deploy, defines the model ${cls} but names it on no other line of its code, and no foreign key of it lets Django's deletes reach the table`
            : undefined);
      const report = (message: string, help: string, data: Record<string, unknown>) => {
        const f = unlessSameRelease(ctx, { code: 'ML102', range: op.nameRange, message, help, data }, introducedIn(view?.model), `the model ${cls}`);
        const moot =
          f.moot ?? (retiredIn && !data.remade ? `Not a risk for the running release: ${retiredIn}; its code went a release earlier, and this drop is the second step of the safe way.` : undefined);
        out.push(moot ? { ...f, moot } : f);
      };
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
      const a = (n: string) => `${/^[AEIO]|^U(?!s|ni|ti|r)/.test(n) ? 'an' : 'a'} ${n}`;
      const uses = parents.length
        ? `every use of the model: its queries, and deleting ${parents.length === 1 ? a(parents[0]) : `${parents.slice(0, -1).map(a).join(', ')} or ${a(parents[parents.length - 1])}`}, which Django carries into ${table}`
        : 'every query of the model';
      report(
        `DeleteModel ${cls} drops table ${table} and its rows` + deployClause(ctx, uses) + valuesGo(ctx, 'The rows go with the table'),
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

/** The models a model's foreign keys point at with an on_delete that reaches its rows (all but DO_NOTHING). */
function cascadeParents(m: ModelState | undefined): string[] {
  const out: string[] = [];
  for (const f of m?.fields.values() ?? []) {
    if (familyOf(f.info) !== 'relation') continue;
    const onDelete = f.info.kwargs.on_delete ?? f.info.args[1];
    if (onDelete?.kind === 'name' && /DO_NOTHING$/.test(onDelete.name)) continue;
    const to = relationTarget(f.info);
    const name = to?.kind === 'str' ? to.value.slice(to.value.lastIndexOf('.') + 1) : to?.kind === 'name' && /AUTH_USER_MODEL$/.test(to.name) ? 'User' : undefined;
    const cls = name && name.charAt(0).toUpperCase() + name.slice(1);
    if (cls && name !== 'self' && !out.includes(cls)) out.push(cls);
  }
  return out.slice(0, 3);
}
