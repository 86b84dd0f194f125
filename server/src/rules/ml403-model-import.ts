// ML403: a data migration that imports model classes gets today's models, not the historical ones
// of this point in the migration history; when the model changes later, this migration breaks.
import { allOperations } from '../analysis/model';
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
    const runPython = allOperations(file.operations).filter((op) => op.kind === 'RunPython' && op.origin === 'django');
    if (!runPython.length || !file.modelImports.length) return [];
    return file.modelImports.map((imp) => {
      const name = imp.what.slice(imp.what.lastIndexOf('.') + 1);
      const fix = name === 'get_user_model'
        ? 'use `apps.get_model(settings.AUTH_USER_MODEL)` inside the function'
        : name === '*' || name === 'models'
          ? 'use `apps.get_model("app_label", "Model")` inside the function'
          : `use \`${name} = apps.get_model("${appOf(imp.what)}", "${name}")\` inside the function`;
      return {
        code: 'ML403',
        range: imp.range,
        message:
          `\`${imp.what}\` is the model as it is today, not as it was at this migration: once the model ` +
          `changes, this data migration breaks on a fresh database. Instead, ${fix}.`,
        data: { what: imp.what, inFunction: imp.inFunction },
      };
    });
  },
};

/** `store.models.Product` -> `store`; `django.contrib.auth.models.User` -> `auth`. */
function appOf(what: string): string {
  const parts = what.split('.');
  const i = parts.lastIndexOf('models');
  return i > 0 ? parts[i - 1] : 'app_label';
}
