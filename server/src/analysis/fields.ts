// What Django's field classes mean for the database column: type family, width, nullability,
// uniqueness and indexes, read from a field expression as written in a migration.
import type { PyValue, Range } from './model';

export type Family = 'text' | 'integer' | 'decimal' | 'float' | 'boolean' | 'date' | 'datetime' | 'time' | 'duration' | 'uuid' | 'json' | 'binary' | 'relation' | 'm2m' | 'unknown';

const FAMILY: Record<string, Family> = {
  CharField: 'text',
  TextField: 'text',
  SlugField: 'text',
  EmailField: 'text',
  URLField: 'text',
  FilePathField: 'text',
  FileField: 'text',
  ImageField: 'text',
  GenericIPAddressField: 'text',
  IPAddressField: 'text',
  CICharField: 'text',
  CITextField: 'text',
  CIEmailField: 'text',
  SmallIntegerField: 'integer',
  IntegerField: 'integer',
  BigIntegerField: 'integer',
  PositiveSmallIntegerField: 'integer',
  PositiveIntegerField: 'integer',
  PositiveBigIntegerField: 'integer',
  SmallAutoField: 'integer',
  AutoField: 'integer',
  BigAutoField: 'integer',
  DecimalField: 'decimal',
  FloatField: 'float',
  BooleanField: 'boolean',
  NullBooleanField: 'boolean',
  DateField: 'date',
  DateTimeField: 'datetime',
  TimeField: 'time',
  DurationField: 'duration',
  UUIDField: 'uuid',
  JSONField: 'json',
  BinaryField: 'binary',
  ForeignKey: 'relation',
  OneToOneField: 'relation',
  ManyToManyField: 'm2m',
};

/** Integer widths in bytes, for narrowing checks. */
const INT_WIDTH: Record<string, number> = {
  SmallIntegerField: 2,
  PositiveSmallIntegerField: 2,
  SmallAutoField: 2,
  IntegerField: 4,
  PositiveIntegerField: 4,
  AutoField: 4,
  BigIntegerField: 8,
  PositiveBigIntegerField: 8,
  BigAutoField: 8,
};

/** A field expression: `models.CharField(max_length=20, null=True)`. */
export interface FieldInfo {
  /** Class name without its module: `CharField`. */
  cls: string;
  /** The callee as written: `models.CharField`. */
  callee: string;
  /** Where the expression is, in the file that defined the field. */
  range: Range;
  kwargs: Record<string, PyValue>;
  args: PyValue[];
}

export function fieldInfo(v: PyValue | undefined): FieldInfo | undefined {
  if (v?.kind !== 'call') return undefined;
  return { cls: v.callee.slice(v.callee.lastIndexOf('.') + 1), callee: v.callee, range: v.range, kwargs: v.kwargs, args: v.args };
}

/**
 * Third-party classes named after what they subclass: `TreeForeignKey`, `ParentalKey`,
 * `SortedManyToManyField`, `ParentalManyToManyField`; taggit's `TaggableManager` is a many-to-many
 * through a table of its own and adds no column.
 */
function familyBySuffix(cls: string): Family {
  if (/(ForeignKey|OneToOneField)$/.test(cls) || cls === 'ParentalKey') return 'relation';
  if (/ManyToManyField$/.test(cls) || cls === 'TaggableManager' || cls === 'TagField' || cls === 'TagsField') return 'm2m'; // tagulous' TagField, Nautobot's TagsField
  return 'unknown';
}

export function familyOf(f: FieldInfo): Family {
  const known = FAMILY[f.cls] ?? familyBySuffix(f.cls);
  // A custom class with a target and `on_delete` is a ForeignKey subclass (`ForeignKeyWithAutoRelatedName`).
  return known === 'unknown' && f.kwargs.on_delete && (f.kwargs.to || f.args.length) ? 'relation' : known;
}

const flag = (f: FieldInfo, name: string): boolean | undefined => {
  const v = f.kwargs[name];
  return v?.kind === 'bool' ? v.value : undefined;
};

export const numberArg = (f: FieldInfo, name: string): number | undefined => {
  const v = f.kwargs[name];
  return v?.kind === 'num' ? v.value : undefined;
};

export const stringArg = (f: FieldInfo, name: string): string | undefined => {
  const v = f.kwargs[name];
  return v?.kind === 'str' ? v.value : undefined;
};

/**
 * `null=True`, or a class nullable by nature: Django's `NullBooleanField` and third-party `Null*Field`
 * classes (`NullCharField`) set `null=True` themselves.
 */
export const isNullable = (f: FieldInfo): boolean => {
  // `null="True"` (a string, seen in real migrations) is truthy to Django too.
  const v = f.kwargs.null;
  if (v?.kind === 'str') return v.value !== '';
  return flag(f, 'null') ?? /^Null[A-Z]\w*Field$/.test(f.cls);
};
/** No column on the model's table: many-to-many fields and managers (`TaggableManager`). */
export const isManyToMany = (f: FieldInfo): boolean => familyOf(f) === 'm2m';

/**
 * What Django writes into existing rows when it adds the column without a `default`
 * (BaseDatabaseSchemaEditor._effective_default): `''` for a blank text field, the current time for
 * `auto_now`/`auto_now_add`. Undefined when it has nothing to write (the ADD COLUMN fails on rows).
 */
export function implicitDefault(f: FieldInfo): string | undefined {
  if (flag(f, 'null') === true) return undefined;
  // Field.empty_strings_allowed is True unless the class says otherwise: text fields, and custom
  // classes of unknown base (`ColorField`); numbers, dates, booleans, UUIDs and JSON refuse ''.
  const family = familyOf(f);
  const stringsAllowed = (family === 'text' || family === 'unknown') && f.cls !== 'GenericIPAddressField' && f.cls !== 'IPAddressField';
  if (flag(f, 'blank') === true && (stringsAllowed || f.cls === 'BinaryField')) return f.cls === 'BinaryField' ? "b''" : "''";
  if (flag(f, 'auto_now') === true || flag(f, 'auto_now_add') === true) return 'the current time';
  return undefined;
}
export const isPrimaryKey = (f: FieldInfo): boolean => flag(f, 'primary_key') === true;

export const isUnique = (f: FieldInfo): boolean => flag(f, 'unique') === true || isPrimaryKey(f) || f.cls === 'OneToOneField';

/** Whether Django creates a (non-unique) index for the column. */
export const hasIndex = (f: FieldInfo): boolean => {
  const explicit = flag(f, 'db_index');
  if (explicit !== undefined) return explicit;
  return f.cls === 'ForeignKey' || f.cls === 'SlugField';
};

/** A value Django writes into existing rows when the column is added or made NOT NULL. */
export const hasDefault = (f: FieldInfo): boolean => {
  const d = f.kwargs.default;
  return !!d && d.kind !== 'none';
};

/** Django 5's `db_default`: a default the database itself keeps. */
export const hasDbDefault = (f: FieldInfo): boolean => !!f.kwargs.db_default && f.kwargs.db_default.kind !== 'none';

/**
 * A `db_default` whose value differs per row (a random value, a new UUID): PostgreSQL writes it into
 * every existing row when the column is added, where a constant or `Now()` (stable within the
 * statement) costs nothing (measured: docs/impact.md).
 */
export function volatileDbDefault(f: FieldInfo): string | undefined {
  const d = f.kwargs.db_default;
  if (d?.kind !== 'call') return undefined;
  const name = d.callee.slice(d.callee.lastIndexOf('.') + 1);
  return /^(Random|RandomUUID|UUID4|UUID7)$/.test(name) ? `${name}()` : undefined;
}

/** Django 5.0's GeneratedField: the database computes the column from the row; nothing inserts it. */
export const isGenerated = (f: FieldInfo): boolean => f.cls === 'GeneratedField';

/** A GeneratedField stored in the table (`db_persist=True`): adding one writes every row. */
export const isStoredGenerated = (f: FieldInfo): boolean => isGenerated(f) && f.kwargs.db_persist?.kind === 'bool' && f.kwargs.db_persist.value;

/** Django 5.2's CompositePrimaryKey: a constraint over other columns, no column of its own. */
export const isCompositeKey = (f: FieldInfo): boolean => f.cls === 'CompositePrimaryKey';

export const dbColumn = (f: FieldInfo): string | undefined => stringArg(f, 'db_column');

/** The expression that names the target model of a relation: `to=` or the first argument. */
export const relationTarget = (f: FieldInfo): PyValue | undefined => f.kwargs.to ?? f.args[0];

export type TypeChange =
  | { kind: 'same' }
  /** Every old value fits the new type: wider integer, text to longer text, date to datetime... */
  | { kind: 'widen'; why: string }
  /** Same type, less room: max_length, max_digits or integer width lowered. */
  | { kind: 'narrow'; why: string }
  /** Another column type; values convert only if every one of them parses. */
  /** `lost`: every value converts, but this part of it is dropped (no failure). */
  | { kind: 'convert'; why: string; lost?: string }
  | { kind: 'unknown' };

/**
 * How the column type changes between two field definitions. `keyOf` gives the primary key field of
 * a relation's target: a ForeignKey column has the type of that key, so IntegerField -> ForeignKey
 * to an integer key is no type change.
 */
export function typeChange(before: FieldInfo, after: FieldInfo, keyOf?: (relation: FieldInfo) => FieldInfo | undefined): TypeChange {
  const colBefore = familyOf(before) === 'relation' ? keyOf?.(before) : undefined;
  const colAfter = familyOf(after) === 'relation' ? keyOf?.(after) : undefined;
  if (colBefore || colAfter) {
    const b = colBefore ?? before;
    const c = colAfter ?? after;
    // Compare the columns as plain types (an AutoField key is an integer column).
    const change = typeChange(asColumn(b), asColumn(c));
    return change.kind === 'same' || change.kind === 'unknown' ? change : ({ ...change, why: `${before.cls} -> ${after.cls}: column ${columnType(b)} -> ${columnType(c)}` } as TypeChange);
  }
  return plainTypeChange(before, after);
}

const AUTO_AS_INTEGER: Record<string, string> = { AutoField: 'IntegerField', BigAutoField: 'BigIntegerField', SmallAutoField: 'SmallIntegerField' };
const asColumn = (f: FieldInfo): FieldInfo => (AUTO_AS_INTEGER[f.cls] ? { ...f, cls: AUTO_AS_INTEGER[f.cls] } : f);
const columnType = (f: FieldInfo): string => asColumn(f).cls;

function plainTypeChange(before: FieldInfo, after: FieldInfo): TypeChange {
  const a = familyOf(before);
  const b = familyOf(after);
  if (a === 'unknown' || b === 'unknown') return before.cls === after.cls ? { kind: 'same' } : { kind: 'unknown' };
  if (a === 'm2m' || b === 'm2m') return a === b ? { kind: 'same' } : { kind: 'convert', why: `${before.cls} -> ${after.cls}` };
  // A relation's column type is its target's key type, unknown here (typeChange resolves it when it can).
  if ((a === 'relation') !== (b === 'relation')) return { kind: 'unknown' };
  if (a === b) return sameFamily(a, before, after);
  const change = `${before.cls} -> ${after.cls}`;
  if (b === 'text' && after.cls !== 'CharField') return { kind: 'widen', why: `${change}: every value has a text form` };
  if (a === 'integer' && (b === 'decimal' || b === 'float')) return { kind: 'widen', why: change };
  if (a === 'date' && b === 'datetime') return { kind: 'widen', why: change };
  if (b === 'text') {
    // CharField with a limit: numbers and dates fit only when the limit is generous. Django casts
    // with `USING col::varchar(n)` on PostgreSQL, which cuts what does not fit instead of failing.
    const len = numberArg(after, 'max_length');
    // An integer's text is as long as its widest value: 11 characters for IntegerField (-2147483648).
    const width = a === 'integer' ? integerWidth(before) : undefined;
    if (width && len !== undefined) {
      const digits = { 16: 5, 32: 10, 64: 19 }[width.bits];
      const needed = digits + (width.unsigned ? 0 : 1);
      return len >= needed
        ? { kind: 'widen', why: `${change}: every value fits in ${needed} characters` }
        : { kind: 'convert', why: change, lost: `what goes beyond max_length=${len} (${before.cls} values take up to ${needed} characters) on PostgreSQL (MySQL in strict mode fails instead)` };
    }
    return len !== undefined && len >= 40
      ? { kind: 'widen', why: change }
      : { kind: 'convert', why: change, lost: `what goes beyond max_length=${len ?? '?'} on PostgreSQL (MySQL in strict mode fails instead)` };
  }
  // Casts that always succeed but drop part of each value.
  if (a === 'datetime' && b === 'date') return { kind: 'convert', why: change, lost: 'the time of day' };
  if ((a === 'decimal' || a === 'float') && b === 'integer') return { kind: 'convert', why: change, lost: 'the fractional part (values are rounded)' };
  return { kind: 'convert', why: change };
}

function sameFamily(family: Family, before: FieldInfo, after: FieldInfo): TypeChange {
  if (family === 'text') {
    const textCls = (f: FieldInfo) => (f.cls === 'TextField' || f.cls === 'CITextField' ? Infinity : numberArg(f, 'max_length'));
    const la = textCls(before);
    const lb = textCls(after);
    if (la !== undefined && lb !== undefined && lb < la) {
      return {
        kind: 'narrow',
        why: la === Infinity ? `${before.cls} -> ${after.cls}(max_length=${lb})` : `max_length ${la} -> ${lb}`,
      };
    }
    return before.cls === after.cls && la === lb ? { kind: 'same' } : { kind: 'widen', why: `${before.cls} -> ${after.cls}` };
  }
  if (family === 'integer') {
    const wa = INT_WIDTH[before.cls];
    const wb = INT_WIDTH[after.cls];
    if (wa && wb && wb < wa) return { kind: 'narrow', why: `${before.cls} -> ${after.cls}` };
    const unsigned = (f: FieldInfo) => f.cls.startsWith('Positive');
    if (!unsigned(before) && unsigned(after)) return { kind: 'narrow', why: `${before.cls} -> ${after.cls}: negative values are refused` };
    return before.cls === after.cls ? { kind: 'same' } : { kind: 'widen', why: `${before.cls} -> ${after.cls}` };
  }
  if (family === 'decimal') {
    const da = numberArg(before, 'max_digits');
    const db = numberArg(after, 'max_digits');
    const pa = numberArg(before, 'decimal_places');
    const pb = numberArg(after, 'decimal_places');
    if (pa !== undefined && pb !== undefined && pb < pa) return { kind: 'narrow', why: `decimal_places ${pa} -> ${pb}: values are rounded` };
    // Digits before the point: max_digits - decimal_places.
    if (da !== undefined && db !== undefined && pa !== undefined && pb !== undefined && db - pb < da - pa) {
      const changed = [da !== db ? `max_digits ${da} -> ${db}` : '', pa !== pb ? `decimal_places ${pa} -> ${pb}` : ''].filter(Boolean).join(', ');
      return { kind: 'narrow', why: `${changed}: ${da - pa} -> ${db - pb} digits before the point` };
    }
    return { kind: 'same' };
  }
  if (family === 'relation') {
    // ForeignKey <-> OneToOneField keeps the column; a new target is judged by its key type, unknown here.
    return { kind: 'same' };
  }
  return before.cls === after.cls ? { kind: 'same' } : { kind: 'widen', why: `${before.cls} -> ${after.cls}` };
}

/** The column Django creates for a field: db_column, else `<name>_id` for a relation, else the name. */
/** A ForeignKey / OneToOneField with its database constraint (`db_constraint` defaults to True). */
export function hasForeignKeyConstraint(f: FieldInfo): boolean {
  return familyOf(f) === 'relation' && !isManyToMany(f) && !(f.kwargs.db_constraint?.kind === 'bool' && !f.kwargs.db_constraint.value);
}

/** A relation's target as Django keys it (`shop.customer`); undefined for `self` and what is not a plain string (a setting). */
export function targetKey(v: PyValue | undefined, app: string): string | undefined {
  if (v?.kind !== 'str') return undefined;
  const s = v.value.toLowerCase();
  if (s === 'self') return undefined;
  return s.includes('.') ? s : `${app.toLowerCase()}.${s}`;
}

/**
 * An AlterField after which Django adds a FOREIGN KEY constraint that checks the existing rows:
 * the column had none (an integer column, `db_constraint=False`), or it now references another
 * table. A target that is a proxy (`isProxy`: same table) or cannot be read says nothing.
 */
export function addsForeignKey(before: FieldInfo, after: FieldInfo, app: string, isProxy: (key: string) => boolean = () => false): boolean {
  if (!hasForeignKeyConstraint(after)) return false;
  // The same class is the same kind of column, whatever its arguments show (an old custom
  // ForeignKey subclass written without `on_delete`): only `db_constraint` can differ.
  const off = (f: FieldInfo) => f.kwargs.db_constraint?.kind === 'bool' && !f.kwargs.db_constraint.value;
  if (before.cls === after.cls ? off(before) : !hasForeignKeyConstraint(before)) return true;
  const [a, b] = [targetKey(relationTarget(before), app), targetKey(relationTarget(after), app)];
  return !!a && !!b && a !== b && !isProxy(a) && !isProxy(b);
}

export function columnOf(name: string, f: FieldInfo): string {
  return dbColumn(f) ?? (familyOf(f) === 'relation' ? `${name}_id` : name);
}

/** Integer width in bits and signedness, for range probes. */
export function integerWidth(f: FieldInfo): { bits: 16 | 32 | 64; unsigned: boolean } | undefined {
  const w = INT_WIDTH[f.cls];
  return w ? { bits: (w * 8) as 16 | 32 | 64, unsigned: f.cls.startsWith('Positive') } : undefined;
}
