// ML202: AlterField from null=True to NOT NULL: the migration fails on rows that still hold NULL,
// and the release still running during the deploy may keep writing NULL. The safe way is two
// migrations: fill the NULLs, then set NOT NULL.
import * as path from 'path';
import {
  alterations,
  className,
  fieldSource,
  filledSince,
  isOperationOn,
  isSettingsSingleton,
  operationsAfter,
  safeWay,
  sameReleaseReason,
  setsDefault,
  sliceRange,
  strArg,
  tableName,
  unlessSameRelease,
} from '../analysis/risk';
import { introducedIn } from '../analysis/state';
import { nullsProbe } from '../analysis/live';
import { columnOf, familyOf, fieldInfo, FieldInfo, hasDbDefault, hasDefault, isManyToMany, isNullable } from '../analysis/fields';
import { opArg } from '../analysis/extract';
import { indentOf, lineText, removeOperation } from '../analysis/edits';
import { allOperations, type Operation } from '../analysis/model';
import type { CodeFix, Finding, Rule, RuleContext } from './types';

export const rule: Rule = {
  code: 'ML202',
  name: 'not-null',
  title: 'null=True -> null=False fails on existing NULL rows',
  defaultSeverity: 'warning',
  risk: 'medium',
  scope: 'project',
  docs: [
    'Making a nullable column NOT NULL fails if any row still holds NULL, and the release still',
    'running during the deploy may write new NULLs until it is replaced. Django fills the NULLs itself',
    'only when the new field has a default that differs from the old one. A field added earlier in the',
    'same release is unknown to the running release: every row it inserts leaves the column out, so',
    'NOT NULL without a database default fails them however the existing rows were filled.',
    '',
    'Safe way, two migrations:',
    '```python',
    '# 0005_fill_order_status.py',
    'def fill_order_status(apps, schema_editor):',
    '    Order = apps.get_model("orders", "Order")',
    '    Order.objects.filter(status__isnull=True).update(status="new")',
    '',
    'operations = [migrations.RunPython(fill_order_status, reverse_code=migrations.RunPython.noop)]',
    '',
    '# 0006_order_status_not_null.py, once the code always writes the field',
    'operations = [migrations.AlterField("order", "status", models.CharField(max_length=20))]',
    '```',
  ].join('\n'),

  check(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    for (const { op, index, view, model, field, before, after } of alterations(ctx)) {
      if (!isNullable(before.info) || isNullable(after) || isManyToMany(after)) continue;
      const cls = className(view?.model, model);
      const table = tableName(ctx.file.app, view?.model, model);
      // A table of this release: the release still running never writes to it. A name a RenameField
      // of this release gave the column: the running release broke at the rename (ML201 there).
      // Where the column became nullable (an AlterField that kept it nullable changes nothing there).
      // NOT NULL until a migration of this release: the running release never had a nullable column,
      // so it writes no NULL and left none.
      const since = nullableSince(ctx, model, field, before.definedIn);
      // Nullable only between two operations of this migration (Nautobot `dcim/0052` declares the
      // field nullable, then NOT NULL again): no row could take a NULL meanwhile.
      if (since === ctx.key && ctx.state?.before(ctx.key)?.get(model.toLowerCase())?.fields.has(field.toLowerCase())) continue;
      const nullableIn = since !== ctx.key ? since : undefined;
      const was = nullableIn ? ctx.state?.before(nullableIn)?.get(model.toLowerCase())?.fields.get(field.toLowerCase()) : undefined;
      const report = (message: string, help: string, data: Record<string, unknown>) => {
        let f = unlessSameRelease(ctx, { code: 'ML202', range: op.nameRange, message, help, data }, introducedIn(view?.model), `the table ${table}`);
        if (!f.moot && was && !isNullable(was.info)) f = unlessSameRelease(ctx, f, nullableIn, `the nullable column ${model}.${field} (NOT NULL before it)`);
        out.push(f.moot || !before.namedIn ? f : unlessSameRelease(ctx, f, before.namedIn, `the name ${model}.${field} (its column renamed)`));
      };
      // A field of this release: the running release does not know the column, so every row it
      // inserts leaves it out; NOT NULL without a database default fails them all, filled or not.
      const added = introducedIn(before);
      // A foreign-key swap (Saleor `order/0132`: the filled `order_token` becomes NOT NULL, `order` is
      // dropped, `order_token` renamed onto it): the running release writes the old column's values
      // into this one, which ML101 reports; it does not leave it out. A primary key it leaves out.
      if (sameReleaseReason(ctx, added, '') && swapsOntoColumn(ctx, op, model, field)) continue;
      // A one-row settings table: the running release updates its row and inserts none (Saleor `site/0008`).
      const inserts = !isSettingsSingleton(view?.model?.name ?? model);
      if (inserts && sameReleaseReason(ctx, added, '') && !hasDbDefault(after) && !setsDefault(ctx, table, columnOf(field, after))) {
        report(
          `AlterField ${model}.${field} makes the column NOT NULL, and the field comes with this release (${added}): the release still running ` +
            'does not know the column, so its inserts leave it out and fail once it is NOT NULL without a database default.',
          safeWay([
            '# keep the column nullable for this release (the new code writes it), and make it NOT NULL in the next one;',
            '# or keep a database default (Django 5+):',
            `migrations.AlterField("${model}", "${field}", ${view?.fieldAfter ? fieldSource(ctx, view.fieldAfter, { db_default: fillValue(after) }) : '...'}),`,
          ]),
          { model, field, newInRelease: added },
        );
        continue;
      }
      if (filledSince(ctx, field, before.definedIn, index)) continue;
      if (djangoFillsNulls(after)) {
        // The old code has a default of its own: it writes that, not NULL, unless told to. Or the
        // migration keeps a database default on the column: inserts that leave it out get that.
        if (hasDefault(before.info) || setsDefault(ctx, table, columnOf(field, after))) continue;
        // migrate passes: Django updates the NULL rows to the new default first. The old code may still write NULL.
        report(
          `AlterField ${model}.${field} makes the column NOT NULL: the migration passes (Django first sets the NULL rows ` +
            'to the new default), but the release still running during the deploy may keep writing NULL, and those inserts fail.',
          safeWay([
            '# deploy the code that always writes the field first; then, in the next release:',
            `migrations.AlterField("${model}", "${field}", ${view?.fieldAfter ? fieldSource(ctx, view.fieldAfter) : '...'}),`,
          ]),
          { model, field, filled: true },
        );
        continue;
      }
      report(
        `AlterField ${model}.${field} makes the column NOT NULL: the migration fails if any row still holds NULL, ` + 'and the release still running during the deploy may keep writing NULL.',
        safeWay([
          '# first migration: fill the NULLs (RunPython)',
          `${cls} = apps.get_model("${ctx.file.app}", "${cls}")`,
          `${cls}.objects.filter(${field}__isnull=True).update(${field}=${fillValue(after)})${fillValue(after) === '...' ? '  # the value existing rows get' : ''}`,
          '# next migration, once the code always writes the field:',
          `migrations.AlterField("${model}", "${field}", ${view?.fieldAfter ? fieldSource(ctx, view.fieldAfter) : '...'}),`,
        ]),
        { model, field, operation: index, probe: nullsProbe(ctx.file.app, view?.model, model, before) },
      );
    }
    return out;
  },

  fixes(finding: Finding, ctx: RuleContext): CodeFix[] {
    const fix = splitFix(finding, ctx);
    return fix ? [fix] : [];
  },
};

/** A RenameField later in this migration puts the field under the name of a field the model had, not an auto primary key. */
function swapsOntoColumn(ctx: RuleContext, op: Operation, model: string, field: string): boolean {
  const rename = operationsAfter(ctx, op).find((o) => isOperationOn(o, 'RenameField', model, field));
  const onto = rename && strArg(rename, 2, 'new_name');
  const had = onto ? ctx.state?.before(ctx.key)?.get(model.toLowerCase())?.fields.get(onto.toLowerCase()) : undefined;
  return !!had && !/^(Small|Big)?AutoField$/.test(had.info.cls);
}

/**
 * Django's schema editor updates the NULL rows to the new field's default (or, from Django 5,
 * `db_default`) before setting NOT NULL: the "four-way default alteration" of `_alter_field`.
 */
function djangoFillsNulls(after: FieldInfo): boolean {
  return hasDefault(after) || hasDbDefault(after);
}

/** A value for existing rows: the field's default, or a neutral value of its type. */
function fillValue(f: FieldInfo): string {
  const d = f.kwargs.default;
  if (d?.kind === 'str') return JSON.stringify(d.value);
  if (d?.kind === 'num') return d.text;
  if (d?.kind === 'bool') return d.value ? 'True' : 'False';
  switch (familyOf(f)) {
    case 'text':
      return '""';
    case 'integer':
    case 'decimal':
    case 'float':
      return '0';
    case 'boolean':
      return 'False';
    default:
      return '...';
  }
}

/**
 * Moves the AlterField out into its own migration after a new data migration that fills the NULLs.
 * Offered on the app's leaf only, so that the new files' numbers are free and nothing else depends
 * on what they replace.
 */
function splitFix(finding: Finding, ctx: RuleContext): CodeFix | undefined {
  const { file, text, graph, key } = ctx;
  const op = allOperations(file.operations)[finding.data?.operation as number];
  const model = finding.data?.model as string;
  const field = finding.data?.field as string;
  if (!op || op.kind !== 'AlterField' || op.parent || file.number === undefined) return undefined;
  if (!(graph.leaves.get(file.app) ?? []).includes(key)) return undefined;
  const after = fieldInfo(opArg(op, 2, 'field'));
  if (!after) return undefined;

  const dir = path.dirname(file.path);
  const alone = file.operations.length === 1;
  const next = (k: number) => String(file.number! + k).padStart(4, '0');
  const fillName = `${next(1)}_fill_${model}_${field}`.toLowerCase();
  const fn = `fill_${model}_${field}`.toLowerCase();
  const notNullName = `${next(alone ? 1 : 2)}_${model}_${field}_not_null`.toLowerCase();
  const cls = className(ctx.state?.view(op)?.model, model);
  const imports = importLines(text);
  const opIndent = indentOf(lineText(text, op.range.start.line));
  const alterSrc = reindent(sliceRange(text, op.range), opIndent, '        ');
  const fillFunction = [
    `def ${fn}(apps, schema_editor):`,
    `    ${cls} = apps.get_model("${file.app}", "${cls}")`,
    `    ${cls}.objects.filter(${field}__isnull=True).update(${field}=${fillValue(after)})${fillValue(after) === '...' ? '  # the value existing rows get' : ''}`,
  ].join('\n');
  const runPython = `migrations.RunPython(${fn}, reverse_code=migrations.RunPython.noop)`;

  const newFiles: Array<{ path: string; text: string }> = [];
  const edits = [];
  let notNullParent = file.name;
  if (alone) {
    // This migration becomes the fill; the NOT NULL moves to the next one.
    edits.push({ range: op.range, newText: runPython });
    const at = { line: file.classRange.start.line, character: 0 };
    edits.push({ range: { start: at, end: at }, newText: `${fillFunction}\n\n\n` });
  } else {
    edits.push(removeOperation(text, op));
    newFiles.push({ path: path.join(dir, `${fillName}.py`), text: module(imports, [file.app, file.name], `        ${runPython},`, fillFunction) });
    notNullParent = fillName;
  }
  newFiles.push({ path: path.join(dir, `${notNullName}.py`), text: module(imports, [file.app, notNullParent], `        ${alterSrc},`) });
  if (newFiles.some((f) => graph.files.has(`${file.app}.${path.basename(f.path, '.py')}`))) return undefined;
  return {
    title: alone ? `Split into fill NULLs (${file.name}) + NOT NULL (${notNullName})` : `Move NOT NULL to ${notNullName} after a new ${fillName}`,
    edits,
    newFiles,
  };
}

/** The file's import lines, for new migrations that copy its operations. */
function importLines(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (/^(class|def|@)\b/.test(line)) break;
    if (/^(from\s+\S+\s+import|import)\s/.test(line)) out.push(line.replace(/\r$/, ''));
  }
  if (!out.some((l) => /from django\.db import .*migrations/.test(l))) out.unshift('from django.db import migrations, models');
  return out;
}

function reindent(src: string, from: string, to: string): string {
  return src
    .split('\n')
    .map((l, i) => (i === 0 ? l : l.startsWith(from) ? to + l.slice(from.length) : l))
    .join('\n');
}

function module(imports: string[], dep: [string, string], operations: string, functions?: string): string {
  return [
    ...imports,
    '',
    '',
    ...(functions ? [functions, '', ''] : []),
    'class Migration(migrations.Migration):',
    '',
    '    dependencies = [',
    `        ("${dep[0]}", "${dep[1]}"),`,
    '    ]',
    '',
    '    operations = [',
    operations,
    '    ]',
    '',
  ].join('\n');
}

/** The migration where the field last became nullable: back from `definedIn` over definitions that found it nullable already. */
function nullableSince(ctx: RuleContext, model: string, field: string, definedIn: string): string {
  let at = definedIn;
  for (let hops = 0; hops < 100; hops++) {
    const earlier = ctx.state?.before(at)?.get(model.toLowerCase())?.fields.get(field.toLowerCase());
    if (!earlier || !isNullable(earlier.info) || earlier.definedIn === at) return at;
    at = earlier.definedIn;
  }
  return at;
}
