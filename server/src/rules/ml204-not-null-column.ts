// ML204: a NOT NULL column added to an existing table without a database default. Django writes its
// default into the existing rows and then drops it, so inserts from the release still running
// during the deploy fail; without any default the migration itself fails on a table with rows.
import { className, databaseOperations, isOperationOn, isSettingsSingleton, fieldSource, safeWay, setsDefault, sliceRange, sqlText, tableName, unlessSameRelease } from '../analysis/risk';
import { columnOf, fieldInfo, hasDbDefault, hasDefault, implicitDefault, isCompositeKey, isGenerated, isManyToMany, isNullable } from '../analysis/fields';
import { introducedIn } from '../analysis/state';
import { allOperations, type MigrationFile, type Operation, type PyValue } from '../analysis/model';
import { opArg } from '../analysis/extract';
import type { Finding, Rule, RuleContext } from './types';

const KINDS = new Set(['AddField']);

/** A literal default as Python source (for `db_default`) and as SQL; undefined for callables and other expressions. */
function literalDefault(ctx: RuleContext, v: PyValue | undefined): { py: string; sql: string } | undefined {
  if (v?.kind === 'str') return { py: sliceRange(ctx.text, v.range), sql: `'${v.value.replace(/'/g, "''")}'` };
  if (v?.kind === 'num') return { py: v.text, sql: v.text };
  if (v?.kind === 'bool') return { py: v.value ? 'True' : 'False', sql: v.value ? 'TRUE' : 'FALSE' };
  return undefined;
}

export const rule: Rule = {
  code: 'ML204',
  name: 'not-null-column',
  title: 'NOT NULL column added without a database default',
  defaultSeverity: 'warning',
  risk: 'medium',
  scope: 'project',
  docs: [
    'Django adds a NOT NULL column with its `default` only for the existing rows and then drops the',
    'default from the database. The release still running during the deploy inserts rows without the',
    'column and fails. Without any default, the migration fails on a table that has rows. A column',
    'added in place of one of the same name that an operation above took out (renamed away by `RunSQL`)',
    "is named by the running release's inserts: they pass, but read and write the new column.",
    '',
    'Safe way: add the column nullable, backfill, then set NOT NULL in a later migration; on Django 5+',
    'a `db_default` keeps the default in the database:',
    '```python',
    'migrations.AddField("order", "priority", models.IntegerField(null=True)),',
    '# backfill with RunPython, then in the next release:',
    'migrations.AlterField("order", "priority", models.IntegerField(default=0)),',
    '```',
  ].join('\n'),

  check(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    for (const { op, view, model, field } of databaseOperations(ctx, KINDS)) {
      const f = fieldInfo(opArg(op, 2, 'field'));
      if (!model || !field || !f || view?.newTable) continue;
      // A database default fills the rows and the old release's inserts; a generated column is the database's own.
      if (isNullable(f) || isManyToMany(f) || hasDbDefault(f) || isGenerated(f) || isCompositeKey(f)) continue;
      const table = tableName(ctx.file.app, view?.model, model);
      // The migration sets a database default itself (RunSQL ALTER COLUMN ... SET DEFAULT): the safe way, done.
      if (setsDefault(ctx, table, columnOf(field, f))) continue;
      const implicit = hasDefault(f) ? undefined : implicitDefault(f);
      const fills = hasDefault(f) ? 'its default' : implicit;
      const after = view?.fieldAfter;
      // Text fields keep Django's convention (blank, ''), never null=True: the default goes into the database instead.
      const dbDefault = hasDefault(f)
        ? literalDefault(ctx, f.kwargs.default)
        : implicit === "''"
          ? { py: "''", sql: "''" }
          : implicit === 'the current time'
            ? { py: 'Now()', sql: 'CURRENT_TIMESTAMP' }
            : undefined;
      const steps =
        dbDefault && after
          ? [
              `# Django 5+: the database keeps the default, so inserts from the old release still work`,
              `migrations.AddField("${model}", "${field}", ${fieldSource(ctx, after, { db_default: dbDefault.py })}),`,
              ...olderDjango(ctx, table, columnOf(field, f), dbDefault.sql),
            ]
          : [
              `migrations.AddField("${model}", "${field}", ${after ? fieldSource(ctx, after, { null: 'True', default: null }) : `models.${f.cls}(null=True)`}),`,
              '# backfill with RunPython; in the next release, once the code writes it:',
              `migrations.AlterField("${model}", "${field}", ${after ? fieldSource(ctx, after) : '...'}),`,
            ];
      // The field was on the model when this migration started, and an operation above took it out
      // (AWX renames `body` to `body_old` with RunSQL, then adds `body` again): the release still
      // running has the field, so its inserts name the column; what it meets is a new, empty column.
      const had = fills ? columnTheRunningReleaseHas(ctx, model, columnOf(field, f)) : undefined;
      const report = (message: string, help: string, data: Record<string, unknown>, extra: Partial<Finding> = {}) =>
        out.push(unlessSameRelease(ctx, { ...extra, code: 'ML204', range: op.nameRange, message, help, data }, introducedIn(view?.model), `the table ${table}`));
      if (had) {
        report(
          `AddField ${model}.${field} adds a new column in place of the one of that name ${had === ctx.key ? 'an operation above' : had} took out of the model: ` +
            `the release still running has the field, so its inserts pass, but from now on it reads and writes the new column, filled with ${fills}, instead of the values it had.`,
          safeWay([
            `# keep the old column under its name for a release: add the new one under another name, copy the values with RunPython,`,
            `# switch the code over, and drop or rename the old column in the next release`,
          ]),
          { model, field, replaces: true },
        );
        continue;
      }
      // Every row deleted just before (Saleor `shipping/0012` empties ShippingMethod for `0013`): the
      // migration passes; the running release's inserts are what fails.
      const emptied = fills ? undefined : emptiedBefore(ctx, op, model, table);
      if (emptied) {
        report(
          `AddField ${model}.${field} adds a NOT NULL column without a default: ${emptied} deletes every row first, so the migration passes, ` +
            'but inserts from the release still running during the deploy do not name the column and fail.',
          safeWay(steps),
          { model, field, default: false, emptied },
        );
        continue;
      }
      // A site-wide settings table (BookWyrm's SiteSettings, DefectDojo's System_Settings) holds the
      // one row made at install: the release still running updates it and inserts none.
      const singleton = fills && isSettingsSingleton(view?.model?.name ?? model);
      // Made nullable again (or dropped) by a later migration of this release (NetBox `circuits/0045`
      // -> `0046`): NOT NULL only while migrate runs between the two.
      const relaxed = fills ? relaxedLaterInRelease(ctx, op, model, field) : undefined;
      report(
        singleton
          ? `AddField ${model}.${field} adds a NOT NULL column: Django fills the existing rows with ${fills} and then drops the ` +
              `default; inserts from the release still running would fail, but ${className(view?.model, model)} is a site-wide settings table: ` +
              'it holds one row, made at install, and the running release inserts none.'
          : fills
            ? `AddField ${model}.${field} adds a NOT NULL column: Django fills the existing rows with ${fills} and then drops the ` +
              'default, so the migration passes, but inserts from the release still running during the deploy do not name ' +
              'the column and fail.'
            : `AddField ${model}.${field} adds a NOT NULL column without a default: the migration fails on a table that has rows.`,
        safeWay(steps),
        { model, field, default: !!fills },
        {
          ...(singleton ? { possible: `${className(view?.model, model)} is a site-wide settings table: it holds one row, made at install, and the running release inserts none.` } : {}),
          ...(relaxed
            ? {
                moot: `Not a risk for the running release: ${relaxed === ctx.key ? 'an operation below' : `${relaxed}, of the same release,`} makes ${model}.${field} nullable again or drops it, so once migrate has run the inserts of the release still running pass; only those made while it runs fail.`,
              }
            : {}),
        },
      );
    }
    return out;
  },
};

/**
 * The migration that took out a column of this name the release still running has: the model had
 * it when this migration started (AWX renames `body` away with RunSQL, then adds `body`), or, with
 * releases known, when the first migration of this release started (Saleor drops `attributes` in
 * `0014` and adds it again in `0015`). A many-to-many had no column.
 */
function columnTheRunningReleaseHas(ctx: RuleContext, model: string, column: string): string | undefined {
  const n = ctx.state?.neighbours(ctx.key);
  if (!n || !ctx.state) return undefined;
  const has = (key: string) => {
    const m = ctx.state!.before(key)?.get(model.toLowerCase());
    return !!m && [...m.fields.values()].some((f) => !isManyToMany(f.info) && columnOf(f.name, f.info) === column);
  };
  let first = n.index;
  const release = ctx.releaseOf?.(ctx.key);
  if (release !== undefined) while (first > 0 && ctx.releaseOf?.(n.keys[first - 1]) === release) first--;
  if (!has(n.keys[first])) return undefined;
  // The latest migration that started with the column is the one that took it out.
  for (let i = n.index; i > first; i--) if (has(n.keys[i])) return i === n.index ? ctx.key : n.keys[i];
  return first === n.index ? ctx.key : n.keys[first];
}

/**
 * Before Django 5: keep a database default with RunSQL, written for the engine when it is known
 * (MySQL quotes names with backticks); SQLite cannot give an existing column a default.
 */
function olderDjango(ctx: RuleContext, table: string, column: string, sql: string): string[] {
  const engine = ctx.engine?.name;
  if (engine === 'sqlite') return ['# older Django on SQLite: no ALTER COLUMN ... SET DEFAULT there; keep the column nullable for a release instead'];
  const q = engine === 'mysql' || engine === 'mariadb' ? '`' : '"';
  return [
    `# older Django: keep a database default until the next release${engine ? '' : ' (PostgreSQL; MySQL quotes with backticks)'}`,
    `migrations.RunSQL('ALTER TABLE ${q}${table}${q} ALTER COLUMN ${q}${column}${q} SET DEFAULT ${sql.replace(/'/g, "\\'")}', reverse_sql=migrations.RunSQL.noop),`,
  ];
}

/** A data step just before the operation (in this migration, or the app's previous one) that deletes every row of the model: its name. */
function emptiedBefore(ctx: RuleContext, op: Operation, model: string, table: string): string | undefined {
  const n = ctx.state?.neighbours(ctx.key);
  const previous = n && n.index > 0 ? ctx.graph.nodes.get(n.keys[n.index - 1])?.file : undefined;
  const here = allOperations(ctx.file.operations);
  const steps: Array<[MigrationFile, readonly Operation[]]> = [
    [ctx.file, here.slice(0, here.indexOf(op))],
    ...(previous ? [[previous, allOperations(previous.operations)] as [MigrationFile, readonly Operation[]]] : []),
  ];
  for (const [file, ops] of steps) {
    for (const o of ops) {
      if (o.origin !== 'django') continue;
      if (o.kind === 'RunSQL' && new RegExp(`^\\s*(DELETE\\s+FROM|TRUNCATE(\\s+TABLE)?)\\s+"?${table}"?\\s*;?\\s*$`, 'i').test(sqlText(opArg(o, 0, 'sql')))) return `${file.app}.${file.name}`;
      if (o.kind !== 'RunPython') continue;
      const code = opArg(o, 0, 'code');
      const fn = code?.kind === 'name' ? file.functions.find((f) => f.name === code.name) : undefined;
      // `X = apps.get_model("app", "Model")`, then `X.objects.all().delete()`.
      const bound = fn && new RegExp(`(\\w+)\\s*=\\s*apps\\.get_model\\(\\s*["']${ctx.file.app}["']\\s*,\\s*["']${model}["']\\s*\\)`, 'i').exec(fn.text);
      if (bound && new RegExp(`\\b${bound[1]}\\.objects\\.all\\(\\)\\.delete\\(\\)`).test(fn.text)) return `${file.app}.${file.name}`;
    }
  }
  return undefined;
}

/** A later operation of this migration, or of a later migration of the same release, that makes the field nullable or drops it: where. */
function relaxedLaterInRelease(ctx: RuleContext, op: Operation, model: string, field: string): string | undefined {
  const release = ctx.releaseOf?.(ctx.key);
  const n = ctx.state?.neighbours(ctx.key);
  if (release === undefined || !n) return undefined;
  const relaxes = (o: Operation) =>
    isOperationOn(o, 'RemoveField', model, field) || (isOperationOn(o, 'AlterField', model, field) && ((f) => !!f && (isNullable(f) || hasDbDefault(f)))(fieldInfo(opArg(o, 2, 'field'))));
  const here = allOperations(ctx.file.operations);
  if (here.slice(here.indexOf(op) + 1).some(relaxes)) return ctx.key;
  for (let i = n.index + 1; i < n.keys.length && ctx.releaseOf?.(n.keys[i]) === release; i++) {
    const file = ctx.graph.nodes.get(n.keys[i])?.file;
    if (file && allOperations(file.operations).some(relaxes)) return n.keys[i];
  }
  return undefined;
}
