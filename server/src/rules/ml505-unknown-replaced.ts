// ML505: a squashed migration's `replaces` names a migration that does not exist while its
// siblings still do: most likely a typo, and databases that applied it will not be recognised.
import type { Finding, Rule, RuleContext } from './types';

export const rule: Rule = {
  code: 'ML505',
  name: 'unknown-replaced-migration',
  title: '`replaces` names an unknown migration',
  defaultSeverity: 'warning',
  scope: 'project',
  docs: [
    'A squashed migration lists the migrations it replaces. Django marks the squash applied on a',
    'database only when every replaced migration is recorded there; a misspelt name never is, so',
    'the squash is applied again over existing tables. Fix the name, or drop the entry if that',
    'migration never existed. (When all replaced files have been deleted after the squash went out',
    'everywhere, the names are expected to be missing and this rule stays silent.)',
  ].join('\n'),

  check({ graph, key }: RuleContext): Finding[] {
    return (graph.unknownReplaces.get(key) ?? []).map((ref) => ({
      code: 'ML505',
      range: ref.range,
      message:
        `replaces names ${ref.app}.${ref.name}, which does not exist although other replaced migrations do: ` +
        'databases that applied the original will not see this squash as applied. Check the name.',
    }));
  },
};
