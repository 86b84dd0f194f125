// ML503: migrations that depend on each other in a circle; Django cannot order them.
import type { Finding, Rule, RuleContext } from './types';

export const rule: Rule = {
  code: 'ML503',
  name: 'circular-dependency',
  title: 'Circular dependency',
  defaultSeverity: 'error',
  scope: 'project',
  docs: [
    'Migrations that depend on each other in a circle cannot be ordered: Django stops with',
    '`CircularDependencyError`. Across apps this usually comes from two models with foreign keys to',
    'each other created in one migration per app: split one of them so that the foreign key is added',
    'in a later migration (this is what `makemigrations` does when it sees the cycle).',
  ].join('\n'),

  check({ graph, key }: RuleContext): Finding[] {
    return (graph.cycleRefs.get(key) ?? []).map(({ ref, cycle }) => ({
      code: 'ML503',
      range: ref.range,
      message:
        `Circular dependency: ${[...cycle, cycle[0]].join(' -> ')}. Django stops with CircularDependencyError; ` +
        'move the operation that needs the other app into a later migration so one side no longer depends on the other.',
      related: cycle
        .filter((k) => k !== key)
        .map((k) => {
          const f = graph.nodes.get(k)!.file;
          return { path: f.path, range: f.classRange, message: `part of the cycle: ${k}` };
        }),
    }));
  },
};
