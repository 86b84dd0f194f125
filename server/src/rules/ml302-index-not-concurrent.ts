// ML302: an index built on an existing table without CONCURRENTLY. On PostgreSQL, CREATE INDEX
// blocks every write to the table until the index is built.
import { className, databaseOperations, safeWay, stringList, tableName } from '../analysis/risk';
import { fieldInfo, hasIndex, isManyToMany, isUnique } from '../analysis/fields';
import { opArg } from '../analysis/extract';
import { together } from '../analysis/state';
import type { CodeFix, Finding, Rule, RuleContext, TextEdit } from './types';
import type { Operation } from '../analysis/model';
import { postgresOperationsEdits } from '../analysis/edits';

const KINDS = new Set(['AddIndex', 'AddField', 'AlterField', 'AlterIndexTogether', 'AlterUniqueTogether', 'AddConstraint']);

export const rule: Rule = {
  code: 'ML302',
  name: 'index-not-concurrent',
  title: 'Index created without CONCURRENTLY (PostgreSQL locks writes)',
  defaultSeverity: 'information',
  risk: 'low',
  scope: 'project',
  docs: [
    'On PostgreSQL, `CREATE INDEX` holds a lock that blocks inserts, updates and deletes on the table',
    'until the index is built: minutes on a big table. Every way Django creates an index does this:',
    '`AddIndex`, `db_index=True`, `unique=True`, a new ForeignKey, `index_together`, `unique_together`,',
    'and `UniqueConstraint`.',
    '',
    'Safe way on PostgreSQL: build it concurrently, outside a transaction:',
    '```python',
    'from django.contrib.postgres.operations import AddIndexConcurrently',
    '',
    'class Migration(migrations.Migration):',
    '    atomic = False',
    '    operations = [',
    '        AddIndexConcurrently("order", models.Index(fields=["status"], name="order_status_idx")),',
    '    ]',
    '```',
  ].join('\n'),

  check(ctx: RuleContext): Finding[] {
    // MySQL and MariaDB build indexes online (INPLACE or NOCOPY with LOCK=NONE, docs/impact.md); SQLite has no CONCURRENTLY.
    if (ctx.engine && ctx.engine.name !== 'postgresql') return [];
    const out: Finding[] = [];
    const push = (op: Operation, what: string, model: string, fields: string[], unique: boolean, table = '') => {
      const name = `${model}_${fields.join('_')}_${unique ? 'uniq' : 'idx'}`.toLowerCase().slice(0, 30);
      const columns = fields.map((f) => `"${f}"`).join(', ');
      out.push({
        code: 'ML302',
        range: op.nameRange,
        message: `${what} builds ${unique ? 'a unique index' : 'an index'} without CONCURRENTLY: on PostgreSQL writes to the table wait until it is built.`,
        help: safeWay(
          unique
            ? [
                '# in a migration with atomic = False: build the index concurrently, keep the operation for the state',
                'migrations.SeparateDatabaseAndState(',
                `    database_operations=[migrations.RunSQL('CREATE UNIQUE INDEX CONCURRENTLY "${name}" ON "${table}" (${columns})', reverse_sql='DROP INDEX CONCURRENTLY "${name}"')],`,
                '    state_operations=[...this operation...],',
                '),',
              ]
            : [
                'from django.contrib.postgres.operations import AddIndexConcurrently',
                '# in a migration with atomic = False:',
                `AddIndexConcurrently("${model}", models.Index(fields=[${fields.map((f) => `"${f}"`).join(', ')}], name="${name}")),`,
              ],
        ),
        data: { model, fields, unique, kind: op.kind },
      });
    };
    for (const { op, view, model, field } of databaseOperations(ctx, KINDS)) {
      if (!model || view?.newTable) continue;
      const cls = className(view?.model, model);
      const table = tableName(ctx.file.app, view?.model, model);
      if (op.kind === 'AddIndex') {
        const idx = opArg(op, 1, 'index');
        push(op, `AddIndex on ${cls}`, model, idx?.kind === 'call' ? stringList(idx.kwargs.fields) : ['...'], false);
      } else if ((op.kind === 'AddField' || op.kind === 'AlterField') && field) {
        const f = fieldInfo(opArg(op, 2, 'field'));
        if (!f || isManyToMany(f)) continue;
        const before = op.kind === 'AlterField' ? view?.field?.info : undefined;
        if (op.kind === 'AlterField' && !before) continue;
        const unique = isUnique(f) && !(before && isUnique(before));
        const indexed = hasIndex(f) && !(before && (hasIndex(before) || isUnique(before)));
        if (unique || indexed) push(op, `${op.kind} ${model}.${field}`, model, [field], unique, table);
      } else if (op.kind === 'AlterIndexTogether' || op.kind === 'AlterUniqueTogether') {
        const key = op.kind === 'AlterIndexTogether' ? 'index_together' : 'unique_together';
        const had = new Set((op.kind === 'AlterIndexTogether' ? view?.model?.indexTogether : view?.model?.uniqueTogether)?.map((g) => g.join(',').toLowerCase()) ?? []);
        for (const g of together(opArg(op, 1, key))) {
          if (!had.has(g.join(',').toLowerCase())) push(op, `${key} (${g.join(', ')}) on ${cls}`, model, g, key === 'unique_together', table);
        }
      } else if (op.kind === 'AddConstraint') {
        const c = opArg(op, 1, 'constraint');
        if (c?.kind === 'call' && c.callee.endsWith('UniqueConstraint')) push(op, `UniqueConstraint on ${cls}`, model, stringList(c.kwargs.fields), true, table);
      }
    }
    return out;
  },

  // AddIndex -> AddIndexConcurrently in a migration with atomic = False (CONCURRENTLY cannot run in
  // a transaction). Offered when the migration holds only index operations: atomic = False would
  // leave any other operation half applied on failure.
  fixes(finding: Finding, { file, text }: RuleContext): CodeFix[] {
    if (finding.data?.kind !== 'AddIndex' || file.atomic === true) return [];
    if (!file.operations.every((o) => o.origin === 'django' && (o.kind === 'AddIndex' || o.kind === 'RemoveIndex'))) return [];
    const edits: TextEdit[] = [];
    for (const o of file.operations) {
      const concurrent = `${o.kind}Concurrently`;
      edits.push({ range: o.nameRange, newText: concurrent });
    }
    const names = [...new Set(file.operations.map((o) => `${o.kind}Concurrently`))].sort();
    const rest = postgresOperationsEdits(file, text, names);
    if (!rest) return [];
    edits.push(...rest);
    return [{ title: `Build the index concurrently (${names.join(', ')}, atomic = False)`, preferred: true, edits }];
  },
};
