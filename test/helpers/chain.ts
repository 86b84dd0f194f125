// Chains of migrations in one app, for rules that judge an operation against the state before it.
import * as path from 'path';
import { analyze, findingsOf, migration, writeProject } from './project';

export type Step = string[] | { ops: string[]; head?: string };

export const ORDER = `migrations.CreateModel(
            name="Order",
            fields=[
                ("id", models.AutoField(primary_key=True)),
                ("note", models.TextField(null=True)),
                ("code", models.CharField(max_length=200)),
                ("qty", models.IntegerField(default=1)),
            ],
        )`;

/** A chain of migrations in app `orders`: each list of operations is one migration after the last. */
export function chain(...migrations: Step[]): Record<string, string> {
  const files: Record<string, string> = {};
  migrations.forEach((m, i) => {
    const { ops, head } = Array.isArray(m) ? { ops: m, head: '' } : m;
    const name = `000${i + 1}_m${i + 1}`;
    const deps: Array<[string, string]> = i ? [['orders', `000${i}_m${i}`]] : [];
    files[`orders/migrations/${name}.py`] = (head ? `${head}\n` : '') + migration(deps, ops);
  });
  return files;
}

export const last = (files: Record<string, string>) => Object.keys(files).sort().pop()!;

export async function codesIn(files: Record<string, string>, rel = last(files)) {
  const root = writeProject(files);
  const ws = await analyze(root);
  return { root, ws, rel, file: path.join(root, rel), findings: findingsOf(ws, root, rel) };
}
