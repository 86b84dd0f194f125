// The live-data question each risky operation raises, in table and column names as Django creates
// them. Risk rules attach it to their findings as `data.probe`; the client runs it.
import type { ConvertTarget, Probe } from '../protocol';
import { columnOf, familyOf, FieldInfo, integerWidth, numberArg } from './fields';
import type { FieldState, ModelState } from './state';
import { tableName } from './risk';

/** The column of a field in the state, or the name as written when the state does not know it. */
export function columnIn(model: ModelState | undefined, field: string): string {
  const f = model?.fields.get(field.toLowerCase());
  return f ? columnOf(f.name, f.info) : field;
}

export function nullsProbe(app: string, model: ModelState | undefined, modelName: string, field: FieldState): Probe {
  return { kind: 'nulls', table: tableName(app, model, modelName), column: columnOf(field.name, field.info) };
}

export function duplicatesProbe(app: string, model: ModelState | undefined, modelName: string, fields: string[]): Probe {
  return { kind: 'duplicates', table: tableName(app, model, modelName), columns: fields.map((f) => columnIn(model, f)) };
}

export function lossProbe(app: string, model: ModelState | undefined, modelName: string, field?: FieldState): Probe {
  return { kind: 'loss', table: tableName(app, model, modelName), ...(field ? { column: columnOf(field.name, field.info) } : {}) };
}

/** What the stored values must satisfy after an AlterField, when a count can tell. */
export function convertProbe(app: string, model: ModelState | undefined, modelName: string, before: FieldState, after: FieldInfo): Probe | undefined {
  const from = familyOf(before.info);
  const target = targetOf(after);
  if (!target) return undefined;
  const table = tableName(app, model, modelName);
  const column = columnOf(before.name, before.info);
  if (from === 'text') return { kind: 'convert', table, column, from, target };
  if (from === 'integer' && target.type === 'integer') return { kind: 'convert', table, column, from, target };
  if (from === 'decimal' && target.type === 'decimal' && target.integerDigits !== undefined) return { kind: 'convert', table, column, from, target };
  return undefined;
}

function targetOf(f: FieldInfo): ConvertTarget | undefined {
  const family = familyOf(f);
  switch (family) {
    case 'integer': {
      const w = integerWidth(f);
      return w && { type: 'integer', ...w };
    }
    case 'decimal': {
      const digits = numberArg(f, 'max_digits');
      const places = numberArg(f, 'decimal_places');
      return { type: 'decimal', integerDigits: digits !== undefined && places !== undefined ? digits - places : undefined };
    }
    case 'text': {
      const n = f.cls === 'TextField' ? undefined : numberArg(f, 'max_length');
      return n !== undefined ? { type: 'text', maxLength: n } : undefined;
    }
    case 'float':
    case 'boolean':
    case 'date':
    case 'datetime':
    case 'time':
    case 'uuid':
    case 'json':
      return { type: family };
    default:
      return undefined;
  }
}
