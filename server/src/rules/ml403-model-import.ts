// ML403: a data migration that imports model classes gets today's models, not the historical ones
// of this point in the migration history; when the model changes later, this migration breaks.
import { allOperations, FunctionDef, MigrationFile, ModelImport, PyValue } from '../analysis/model';
import { opArg } from '../analysis/extract';
import type { Finding, Rule, RuleContext } from './types';

export const rule: Rule = {
  code: 'ML403',
  name: 'model-import',
  title: 'RunPython uses imported models instead of apps.get_model',
  defaultSeverity: 'warning',
  scope: 'file',
  docs: [
    'Models imported from an app (`from store.models import Product`, `get_user_model()`) are the',
    'classes as they are *today*. A migration runs against the schema as it was *then*: once a later',
    'migration adds a field, this one selects a column that does not exist yet and fails on a fresh',
    'database (tests, new environments).',
    '',
    'Safe way: ask the migration state for the historical model:',
    '```python',
    'def fill(apps, schema_editor):',
    '    Product = apps.get_model("store", "Product")',
    '```',
  ].join('\n'),

  check({ file }: RuleContext): Finding[] {
    if (!file.modelImports.length) return [];
    const runtime = runPythonFunctions(file);
    if (!runtime.length) return [];
    const out: Finding[] = [];
    for (const imp of file.modelImports) {
      // Only what a data function uses as a model at run time is the danger: not type hints, managers, helpers.
      const bodies = runtime.filter((f) => !imp.inFunction || f.name === imp.inFunction).map((f) => f.text);
      if (!bodies.some((body) => usedAsModel(imp, body))) continue;
      const name = imp.what.slice(imp.what.lastIndexOf('.') + 1);
      const fix =
        name === 'get_user_model'
          ? 'use `apps.get_model(settings.AUTH_USER_MODEL)` inside the function'
          : name === '*' || name === 'models'
            ? `use \`apps.get_model("${appOf(imp.what, file.app)}", "Model")\` inside the function`
            : `use \`${imp.local} = apps.get_model("${appOf(imp.what, file.app)}", "${name}")\` inside the function`;
      out.push({
        code: 'ML403',
        range: imp.range,
        message: `\`${imp.what}\` is the model as it is today, not as it was at this migration: once the model ` + `changes, this data migration breaks on a fresh database. Instead, ${fix}.`,
        data: { what: imp.what, inFunction: imp.inFunction },
      });
    }
    return out;
  },
};

/** `store.models.Product` -> `store`; `django.contrib.auth.models.User` -> `auth`; `..models.X` -> this app. */
function appOf(what: string, app: string): string {
  if (what.startsWith('.')) return app;
  const parts = what.split('.');
  const i = parts.lastIndexOf('models');
  return i > 0 && parts[i - 1] ? parts[i - 1] : app;
}

/** The module functions RunPython runs: its `code` and `reverse_code`, and the module functions they call. */
function runPythonFunctions(file: MigrationFile): FunctionDef[] {
  const byName = new Map(file.functions.map((f) => [f.name, f]));
  const names: string[] = [];
  const collect = (v: PyValue | undefined): void => {
    if (v?.kind === 'name') names.push(v.name);
    else if (v?.kind === 'call') v.args.forEach(collect); // functools.partial(fill, ...)
  };
  for (const op of allOperations(file.operations)) {
    if (op.kind !== 'RunPython' || op.origin !== 'django') continue;
    collect(opArg(op, 0, 'code'));
    collect(opArg(op, 1, 'reverse_code'));
  }
  const seen = new Map<string, FunctionDef>();
  while (names.length) {
    const f = byName.get(names.pop()!);
    if (!f || seen.has(f.name)) continue;
    seen.set(f.name, f);
    for (const other of byName.keys()) if (!seen.has(other) && new RegExp(`(?<![\\w.])${other}\\s*\\(`).test(f.text)) names.push(other);
  }
  return [...seen.values()];
}

/** Attributes that reach the database or the model's schema; class constants (`Order.NEW`) do not. */
const MODEL_USE = 'objects|_default_manager|_base_manager|DoesNotExist|MultipleObjectsReturned|_meta';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether a function body uses the import as a model: `X.objects`, `X(...)`, `X.DoesNotExist`, `models.X`, `get_user_model()`. */
function usedAsModel(imp: ModelImport, body: string): boolean {
  const code = body
    .split('\n')
    .filter((l) => !/^\s*(from\s+\S+\s+)?import\s/.test(l))
    .join('\n');
  const name = imp.what.slice(imp.what.lastIndexOf('.') + 1);
  // The function binds the name itself to the historical model: the import is shadowed there.
  if (new RegExp(`(?<![\\w.])${escape(imp.local)}\\s*=\\s*apps\\.get_model\\(`).test(code)) return false;
  if (name === 'get_user_model') return new RegExp(`(?<![\\w.])${escape(imp.local)}\\s*\\(`).test(code);
  if (name === '*') {
    // Any class used as a model that the function does not take from apps.get_model.
    const fromApps = new Set([...code.matchAll(/(\w+)\s*=\s*apps\.get_model\(/g)].map((m) => m[1]));
    return [...code.matchAll(new RegExp(`(?<![\\w.])([A-Z]\\w*)\\s*\\.\\s*(${MODEL_USE})\\b`, 'g'))].some((m) => !fromApps.has(m[1]));
  }
  // A models module: one of its classes queried or instantiated (`models.Order.objects`), not any attribute (`mptt.models.TreeManager`).
  if (name === 'models' || imp.local.includes('.')) return new RegExp(`(?<![\\w.])${escape(imp.local)}\\s*\\.\\s*[A-Z]\\w*\\s*(\\.\\s*(${MODEL_USE})\\b|\\()`).test(code);
  // Model classes are CapWords; a function imported from a models module is not a model.
  if (!/^[A-Z]/.test(name)) return false;
  return new RegExp(`(?<![\\w.])${escape(imp.local)}\\s*(\\.\\s*(${MODEL_USE})\\b|\\()`).test(code);
}
