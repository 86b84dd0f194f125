// ML504: two migrations of one app share a number, so `migrate app 0003` is ambiguous.
import type { Finding, Rule, RuleContext } from './types';

export const rule: Rule = {
  code: 'ML504',
  name: 'shared-number',
  title: 'Two migrations share a number in one app',
  defaultSeverity: 'information',
  scope: 'project',
  docs: [
    'Django orders migrations by their dependencies, not their numbers, so this is legal; but',
    '`manage.py migrate app 0003` then stops with "More than one migration matches", and readers',
    'of the folder cannot tell the order. Name the full migration in commands, or renumber the',
    'newer one (and the dependencies on it) while it is unapplied everywhere.',
  ].join('\n'),

  check({ file, graph, key }: RuleContext): Finding[] {
    if (file.number === undefined) return [];
    // Django names a squash after the first migration it replaces (0001_squashed_0004_x): not a clash.
    const replaces = (a: typeof file, b: typeof file) => a.replaces.some((r) => r.app === b.app && r.name === b.name);
    const twins = (graph.byNumber.get(`${file.app}|${file.number}`) ?? []).filter((k) => {
      const f = graph.files.get(k)!;
      return k !== key && !replaces(f, file) && !replaces(file, f);
    });
    if (!twins.length) return [];
    const prefix = /^\d+/.exec(file.name)![0];
    return [
      {
        code: 'ML504',
        range: file.classRange,
        message:
          `Number ${prefix} is shared with ${twins.map((k) => k.slice(file.app.length + 1)).join(', ')}: ` +
          `\`manage.py migrate ${file.app} ${prefix}\` is ambiguous ("More than one migration matches"); name the migration in full.`,
        related: twins.map((k) => {
          const f = graph.files.get(k)!;
          return { path: f.path, range: f.classRange, message: `also number ${prefix}: ${f.name}` };
        }),
      },
    ];
  },
};
