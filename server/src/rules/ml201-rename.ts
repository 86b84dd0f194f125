// ML201: renaming a column or table (RenameField, RenameModel, AlterModelTable, a new db_column)
// breaks the release still running during the deploy: its queries name the old column or table.
import { className, databaseOperations, earlierInChange, fieldSource, isOperationOn, safeWay, strArg, tableName, unlessSameRelease } from '../analysis/risk';
import { columnOf, dbColumn, FieldInfo, fieldInfo, isManyToMany } from '../analysis/fields';
import { opArg } from '../analysis/extract';
import { allOperations, Operation } from '../analysis/model';
import { introducedIn, type ModelState } from '../analysis/state';
import type { Finding, Rule, RuleContext } from './types';

const KINDS = new Set(['RenameField', 'RenameModel', 'AlterModelTable', 'AlterField']);

export const rule: Rule = {
  code: 'ML201',
  name: 'rename',
  title: 'RenameField / RenameModel / AlterModelTable break running code during the deploy',
  defaultSeverity: 'warning',
  risk: 'medium',
  scope: 'project',
  docs: [
    'A rename changes the database at once, while the previous release keeps running for the length',
    'of the deploy and keeps querying the old column or table name: those requests fail.',
    '',
    'Safe way: rename in the code only, keeping the database name:',
    '```python',
    'comment = models.TextField(db_column="note")  # field renamed, column kept',
    'class Meta:',
    '    db_table = "orders_order"  # model renamed, table kept',
    '```',
    'or add the new column, write both, backfill, switch the reads, and drop the old one over releases.',
  ].join('\n'),

  check(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    const push = (range: Finding['range'], what: string, steps: string[], data: Record<string, unknown>) =>
      out.push({
        code: 'ML201',
        range,
        message: `${what}: the release still running during the deploy queries the old name and fails.`,
        help: safeWay(steps),
        data,
      });
    for (const { op, view, model, field } of databaseOperations(ctx, KINDS)) {
      if (!model || view?.newTable) continue;
      if (op.kind === 'RenameField') {
        const to = strArg(op, 2, 'new_name');
        const before = view?.field?.info;
        // A field with db_column keeps its column; a many-to-many has no column to rename.
        if (!field || !to || (before && (dbColumn(before) || isManyToMany(before)))) continue;
        // A field added earlier in this migration is unknown to the running release; a rename onto a
        // name removed earlier in it is a column swap: the name the running release uses is still there.
        if (view?.field?.definedIn === ctx.key) continue;
        const ops = allOperations(ctx.file.operations);
        const at = ops.indexOf(op);
        const removes = (o: (typeof ops)[number]) => isOperationOn(o, 'RemoveField', model, to);
        // The app's previous migration counts too: a swap is often split between two.
        const previous = earlierInChange(ctx)[0];
        const swapped = [...ops.slice(0, at), ...(previous ? allOperations(previous.operations) : [])].some(removes);
        // Renamed and then removed in the same migration: the removal is the finding.
        const removedAfter = ops.slice(at + 1).some(removes);
        if (swapped || removedAfter || addedInSameChange(ctx, 'AddField', model, field) || addedInSameChange(ctx, 'CreateModel', model) || tableOfThisRelease(ctx, view?.model)) continue;
        const column = before ? columnOf(field, before) : field;
        const renamed = before ? columnOf(to, before) : to;
        // The old name added again below (BookWyrm `0101`): the running release finds a column by its
        // name, a new one, and reads and writes it instead of the values that moved.
        if (ops.slice(at + 1).some((o) => isOperationOn(o, 'AddField', model, field))) {
          out.push({
            code: 'ML201',
            range: op.nameRange,
            message:
              `RenameField ${model}.${field} -> ${to} renames column "${column}" to "${renamed}", and an AddField below adds a new "${field}": ` +
              `the release still running during the deploy finds a column by that name, but reads and writes the new one instead of the values now under "${renamed}".`,
            help: safeWay([`# keep the values under "${column}" for a release: add the new field under another name, copy with RunPython, switch the code, then drop or rename`]),
            data: { model, from: field, to, readded: true },
          });
          continue;
        }
        push(
          op.nameRange,
          `RenameField ${model}.${field} -> ${to} renames column "${column}" to "${renamed}"`,
          [
            '# rename in code only; the column keeps its name:',
            'migrations.SeparateDatabaseAndState(',
            '    state_operations=[',
            `        migrations.RenameField("${model}", "${field}", "${to}"),`,
            `        migrations.AlterField("${model}", "${to}", ${view?.field ? fieldSource(ctx, view.field, { db_column: `"${column}"`, ...renamedTarget(ctx, ops.slice(0, at), before) }) : `models.Field(db_column="${column}")`}),`,
            '    ],',
            '),',
          ],
          { model, from: field, to },
        );
      } else if (op.kind === 'RenameModel') {
        const to = strArg(op, 1, 'new_name');
        if (!to || view?.model?.dbTable) continue; // an explicit db_table keeps the table
        if (addedInSameChange(ctx, 'CreateModel', model)) continue;
        const table = tableName(ctx.file.app, view?.model, model);
        // A model renamed below onto this one's old name (wger `exercises/0032`: Exercise -> Translation,
        // then ExerciseBase -> Exercise): the old table name comes back holding the other model's rows.
        const ops = allOperations(ctx.file.operations);
        const onto = ops.slice(ops.indexOf(op) + 1).find((o) => o.kind === 'RenameModel' && o.origin === 'django' && strArg(o, 1, 'new_name')?.toLowerCase() === model.toLowerCase());
        if (onto) {
          const other = strArg(onto, 0, 'old_name') ?? '';
          out.push({
            code: 'ML201',
            range: op.nameRange,
            message:
              `RenameModel ${className(view?.model, model)} -> ${to} renames table ${table}, and RenameModel ${other} -> ${className(view?.model, model)} below puts ${other}'s table under that name: ` +
              `the release still running during the deploy reads and writes ${other}'s rows in ${table} as if they were ${className(view?.model, model)}'s, and fails on the columns they do not share.`,
            help: safeWay([
              `# one rename a release: first ${className(view?.model, model)} -> ${to} (db_table = "${table}" kept), then, once no running code uses the old names, the tables and ${other} -> ${className(view?.model, model)}`,
            ]),
            data: { model, to, onto: other },
          });
          continue;
        }
        push(
          op.nameRange,
          `RenameModel ${className(view?.model, model)} -> ${to} renames table ${table}`,
          [`class ${to}(models.Model):`, '    class Meta:', `        db_table = "${table}"  # keep the table; rename it later if at all`],
          { model, to },
        );
      } else if (op.kind === 'AlterModelTable') {
        const table = strArg(op, 1, 'table');
        const before = tableName(ctx.file.app, view?.model, model);
        if (!table || table === before) continue;
        // After a RenameModel in this migration the table's name in between was never used: the RenameModel is the finding.
        const renamedHere = ctx.file.operations.some((o) => o.kind === 'RenameModel' && o.origin === 'django' && strArg(o, 1, 'new_name')?.toLowerCase() === model.toLowerCase());
        if (renamedHere) continue;
        push(
          op.nameRange,
          `AlterModelTable renames table ${before} to ${table}`,
          [
            '# create a view with the old name during the deploy, or keep db_table until all code uses the new name',
            `migrations.RunSQL('CREATE VIEW "${before}" AS SELECT * FROM "${table}"', reverse_sql='DROP VIEW "${before}"')`,
          ],
          { model, table },
        );
      } else if (op.kind === 'AlterField' && field) {
        const before = view?.field?.info;
        const after = fieldInfo(opArg(op, 2, 'field'));
        if (!before || !after || isManyToMany(after) || view?.field?.definedIn === ctx.key) continue;
        // A name a RenameField of this migration gave the column: the running release never knew it,
        // and broke at that rename, the finding (NetBox `circuits/0051`: circuit -> member_id, then an integer).
        if (view?.field?.namedIn === ctx.key) continue;
        // The same class keeps its column unless db_column changes (custom relation classes read either way).
        if (before.cls === after.cls && dbColumn(before) === dbColumn(after)) continue;
        if (addedInSameChange(ctx, 'AddField', model, field) || addedInSameChange(ctx, 'CreateModel', model) || tableOfThisRelease(ctx, view?.model)) continue;
        const oldColumn = columnOf(field, before);
        const newColumn = columnOf(field, after);
        if (oldColumn === newColumn) continue;
        push(op.nameRange, `AlterField ${model}.${field} renames column "${oldColumn}" to "${newColumn}"`, [`# keep db_column="${oldColumn}" until no running code uses the old name`], {
          model,
          field,
          from: oldColumn,
          to: newColumn,
        });
      }
    }
    // Nothing ran before the project's first release.
    return out.map((f) => unlessSameRelease(ctx, f, undefined, ''));
  },
};

/**
 * The field (or model) was created by an earlier migration of the app in the same release as this
 * one (git's release tags, or both new on this branch), else written the same day (`# Generated by
 * Django ... on <day>`): never released without this migration, so no running code knows the name
 * this one renames (a temporary column swapped into place).
 */
function addedInSameChange(ctx: RuleContext, kind: 'AddField' | 'CreateModel', model: string, field?: string): boolean {
  const day = ctx.file.generatedOn;
  const n = ctx.state?.neighbours(ctx.key);
  if (!n) return false;
  const creates = (o: ReturnType<typeof allOperations>[number]) => isOperationOn(o, kind, model, field);
  const release = ctx.releaseOf?.(ctx.key);
  // With releases known (git tags, or the baseline), any earlier migration of the same release counts.
  for (let i = n.index - 1; i >= 0 && (release !== undefined || i >= n.index - 20); i--) {
    const file = ctx.graph.nodes.get(n.keys[i])?.file;
    if (!file || !allOperations(file.operations).some(creates)) continue;
    // A squash is younger than the migration that really created the name: its release says nothing.
    const theirs = file.replaces.length || /_squashed_/.test(file.name) ? undefined : ctx.releaseOf?.(n.keys[i]);
    if (release !== undefined && theirs !== undefined) return release === theirs;
    return !!day && file.generatedOn === day;
  }
  return false;
}

/**
 * The model's table was created by an earlier migration of this release, under whatever name (the
 * state follows a RenameModel: DefectDojo `0157` creates Vulnerability_Reference, `0158` renames it
 * and its fields), and not by a squash, whose release says nothing of what it folded in.
 */
function tableOfThisRelease(ctx: RuleContext, m: ModelState | undefined): boolean {
  const created = introducedIn(m);
  if (!created || created === ctx.key || !ctx.releaseOf) return false;
  const file = ctx.graph.files.get(created);
  if (!file || file.replaces.length || /_squashed_/.test(file.name)) return false;
  const release = ctx.releaseOf(ctx.key);
  return release !== undefined && release === ctx.releaseOf(created);
}

/**
 * A relation's `to=` as the state has it after the RenameModel operations that ran before (wger
 * `exercises/0032` renames Exercise -> Translation, then ExerciseBase -> Exercise): the advice must
 * name the model the field points at now, not the name it was written with.
 */
function renamedTarget(ctx: RuleContext, earlier: Operation[], field: FieldInfo | undefined): { to?: string } {
  const to = field?.kwargs.to;
  if (to?.kind !== 'str') return {};
  const [app, model] = to.value.includes('.') ? to.value.split('.') : [ctx.file.app, to.value];
  let current = model.toLowerCase();
  for (const o of earlier) {
    if (o.kind !== 'RenameModel' || o.origin !== 'django' || app.toLowerCase() !== ctx.file.app.toLowerCase()) continue;
    if (strArg(o, 0, 'old_name')?.toLowerCase() === current) current = strArg(o, 1, 'new_name')!.toLowerCase();
  }
  return current === model.toLowerCase() ? {} : { to: `"${app}.${current}"` };
}
