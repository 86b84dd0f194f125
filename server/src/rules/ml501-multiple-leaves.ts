// ML501: two or more leaf migrations in one app. Django refuses to migrate until they are merged.
import { describeLeaves } from '../analysis/graph';
import { MERGE_COMMAND } from '../../../shared/src/constants';
import type { CodeFix, Finding, Rule, RuleContext } from './types';

/** Each graph's leaf list as a set, so that the check per file does not walk thousands of leaves. */
const leafSets = new WeakMap<string[], Set<string>>();
const isLeaf = (leaves: string[], key: string): boolean => {
  let set = leafSets.get(leaves);
  if (!set) leafSets.set(leaves, (set = new Set(leaves)));
  return set.has(key);
};

export const rule: Rule = {
  code: 'ML501',
  name: 'multiple-leaves',
  title: 'Several leaf migrations in one app',
  defaultSeverity: 'error',
  scope: 'project',
  docs: [
    'Two migrations of one app both claim to be the latest (typically two branches each added a',
    '`0003_...`). `migrate` and `makemigrations` stop with "Conflicting migrations detected".',
    '',
    'Merge them: `python manage.py makemigrations --merge` writes a migration that depends on both.',
    'If one really comes after the other, make it depend on the other instead.',
  ].join('\n'),

  check({ file, graph, key }: RuleContext): Finding[] {
    const leaves = graph.leaves.get(file.app) ?? [];
    if (leaves.length < 2 || !isLeaf(leaves, key)) return [];
    return [
      {
        code: 'ML501',
        range: file.classRange,
        message:
          `Conflicting migrations detected; multiple leaf nodes in the migration graph: ${describeLeaves(file.app, leaves)}. ` +
          `Merge them with \`python manage.py makemigrations --merge\`, or make one depend on the other.`,
        related: leaves
          .filter((k) => k !== key)
          .slice(0, 10)
          .map((k) => {
            const other = graph.nodes.get(k)!.file;
            return { path: other.path, range: other.classRange, message: `other leaf of ${file.app}: ${other.name}` };
          }),
        data: { root: graph.root, app: file.app },
      },
    ];
  },

  fixes(finding): CodeFix[] {
    const { root, app } = (finding.data ?? {}) as { root?: string; app?: string };
    if (!root || !app) return [];
    return [
      {
        title: `Create a merge migration for ${app} (makemigrations --merge)`,
        preferred: true,
        command: { title: 'Create merge migration', command: MERGE_COMMAND, arguments: [{ projectRoot: root, app }] },
      },
    ];
  },
};
