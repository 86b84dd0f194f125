// ML704: a FOREIGN KEY constraint added to a column that already holds data (an AlterField that
// turns a column into a ForeignKey, turns `db_constraint` on, or points it at another model). On
// PostgreSQL Django adds the constraint in the migration's transaction and it checks every row
// while both the table and the referenced one are locked against writes (SHARE ROW EXCLUSIVE,
// measured: docs/impact.md). Added NOT VALID the constraint only takes the lock for the catalog
// change; VALIDATE CONSTRAINT then reads the rows under a lock that lets reads and writes go on.
import { className, databaseOperations, safeWay, shape, tableName } from '../analysis/risk';
import { opArg } from '../analysis/extract';
import { addsForeignKey, columnOf, fieldInfo, relationTarget } from '../analysis/fields';
import type { PyValue } from '../analysis/model';
import { hasNoTable } from '../analysis/state';
import type { Finding, Rule, RuleContext } from './types';

const KINDS = new Set(['AlterField']);

export const rule: Rule = {
  code: 'ML704',
  name: 'foreign-key-not-valid',
  title: 'FOREIGN KEY added to a column with data, checked while writes wait (PostgreSQL)',
  defaultSeverity: 'information',
  risk: 'low',
  scope: 'project',
  docs: [
    'An `AlterField` that makes an existing column a `ForeignKey` (from an integer or UUID column,',
    'from `db_constraint=False`, or to another model) makes Django add the FOREIGN KEY constraint',
    "in the migration's transaction. PostgreSQL then checks every row against the referenced table",
    'while it holds SHARE ROW EXCLUSIVE on both tables: writes to either wait until the check ends,',
    'and the lock queue holds back everything behind them. On a big table that is minutes.',
    '',
    'Added `NOT VALID`, the constraint applies to new rows at once and takes its lock only for the',
    'catalog change; `VALIDATE CONSTRAINT` later reads the existing rows under SHARE UPDATE EXCLUSIVE',
    '(reads and writes go on).',
    '',
    'Only reported on PostgreSQL (known, or assumed when no engine is known). A new ForeignKey',
    "column (`AddField`) holds only NULLs and is checked at once; its index is ML302's matter.",
    '',
    'Safe way (the model state gets the ForeignKey; the database gets the constraint NOT VALID):',
    '```python',
    'migrations.SeparateDatabaseAndState(',
    '    state_operations=[',
    '        migrations.AlterField("order", "customer", models.ForeignKey("shop.customer", on_delete=models.PROTECT)),',
    '    ],',
    '    database_operations=[',
    '        migrations.RunSQL(',
    '            \'ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_customer_id_fk" FOREIGN KEY ("customer_id") \'',
    '            \'REFERENCES "shop_customer" ("id") DEFERRABLE INITIALLY DEFERRED NOT VALID\',',
    '            reverse_sql=\'ALTER TABLE "shop_order" DROP CONSTRAINT "shop_order_customer_id_fk"\',',
    '        ),',
    '    ],',
    '),',
    '# in the next migration:',
    'migrations.RunSQL(\'ALTER TABLE "shop_order" VALIDATE CONSTRAINT "shop_order_customer_id_fk"\', migrations.RunSQL.noop),',
    '```',
    "Django finds a foreign key's constraint by its columns when it later alters or drops the field,",
    'so the constraint may carry a name of your choosing. An index on the column, if it needs one,',
    'is built apart with `AddIndexConcurrently` (ML302).',
    '',
    'Suppress with `# migration-lens: ignore ML704` on the operation when the table is small or a',
    'maintenance window covers it.',
  ].join('\n'),

  check(ctx: RuleContext): Finding[] {
    if (ctx.engine && ctx.engine.name !== 'postgresql') return [];
    const out: Finding[] = [];
    for (const { op, view, model, field } of databaseOperations(ctx, KINDS)) {
      const before = view?.field?.info;
      const after = fieldInfo(opArg(op, 2, 'field'));
      // A proxy shares its model's table; a model of this app that is not there before the
      // operation (renamed since) cannot be told apart from its new name: both say nothing.
      const isProxy = (key: string) => {
        const [app, name] = key.split('.');
        const m = app === ctx.file.app && view?.appBefore ? view.appBefore.get(name) : ctx.state?.latest(app)?.get(name);
        return app === ctx.file.app && view?.appBefore ? !m || hasNoTable(m) : hasNoTable(m);
      };
      if (!model || !field || !before || !after || view?.newTable || !addsForeignKey(before, after, ctx.file.app, isProxy)) continue;
      const table = tableName(ctx.file.app, view?.model, model);
      const column = columnOf(field, after);
      const ref = referencedTable(ctx, relationTarget(after), table);
      const name = `${table}_${column}_fk`.slice(0, 63);
      const refColumn = after.kwargs.to_field?.kind === 'str' ? after.kwargs.to_field.value : 'id';
      out.push({
        code: 'ML704',
        range: op.nameRange,
        message: `AlterField ${className(view?.model, model)}.${field} adds a FOREIGN KEY constraint to a column that already holds data: on PostgreSQL it checks every row while writes to ${table} and ${ref} wait until it ends.`,
        help: safeWay([
          '# the model state gets the ForeignKey, the database the constraint NOT VALID:',
          'migrations.SeparateDatabaseAndState(',
          '    state_operations=[...this AlterField...],',
          '    database_operations=[migrations.RunSQL(',
          `        'ALTER TABLE "${table}" ADD CONSTRAINT "${name}" FOREIGN KEY ("${column}") REFERENCES "${ref}" ("${refColumn}") DEFERRABLE INITIALLY DEFERRED NOT VALID',`,
          `        reverse_sql='ALTER TABLE "${table}" DROP CONSTRAINT "${name}"')],`,
          '),',
          '# next migration: check the existing rows while reads and writes go on',
          `migrations.RunSQL('ALTER TABLE "${table}" VALIDATE CONSTRAINT "${name}"', migrations.RunSQL.noop),`,
        ]),
        data: { model, field, table, column, referenced: ref, constraint: name },
      });
    }
    return out;
  },
};

/** The table a relation's target lives in: `"shop.Customer"` -> its model's table; `self` -> `own`; the user model -> auth_user. */
function referencedTable(ctx: RuleContext, to: PyValue | undefined, own: string): string {
  if (to?.kind !== 'str') return to && /AUTH_USER_MODEL|get_user_model/.test(shape(to)) ? 'auth_user' : '<referenced table>';
  if (to.value === 'self') return own;
  const [app, name] = to.value.includes('.') ? to.value.split('.') : [ctx.file.app, to.value];
  return tableName(app, ctx.state?.latest(app)?.get(name.toLowerCase()), name.toLowerCase());
}
