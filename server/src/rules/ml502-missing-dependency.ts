// ML502: a dependency (or run_before) names a migration that does not exist in a workspace app.
import { migrationKey } from '../analysis/model';
import { offsetAt } from '../analysis/edits';
import type { CodeFix, Finding, Rule, RuleContext } from './types';

export const rule: Rule = {
  code: 'ML502',
  name: 'missing-dependency',
  title: 'Dependency on a migration that does not exist',
  defaultSeverity: 'error',
  scope: 'project',
  docs: [
    'Django cannot build the migration graph: every command stops with `NodeNotFoundError`.',
    'Usually a migration was renamed or deleted, or a branch was merged without its migration.',
    'Point the dependency at the migration that exists (the quick fix suggests close names).',
  ].join('\n'),

  check({ graph, key }: RuleContext): Finding[] {
    return (graph.missing.get(key) ?? []).map(({ ref, via }) => {
      const suggestions = suggest(graph.apps.get(ref.app!) ?? [], ref.app!, ref.name);
      const where = via === 'run_before' ? 'run_before names' : 'Dependency on';
      return {
        code: 'ML502',
        range: ref.range,
        message:
          `${where} ${ref.app}.${ref.name}, which does not exist: Django stops with NodeNotFoundError. ` +
          (suggestions.length ? `Did you mean ${suggestions.map((s) => `'${s}'`).join(' or ')}?` : `App ${ref.app} has no such migration.`),
        data: { app: ref.app, name: ref.name, suggestions },
      };
    });
  },

  fixes(finding, { text }): CodeFix[] {
    const { app, name, suggestions } = (finding.data ?? {}) as { app?: string; name?: string; suggestions?: string[] };
    if (!app || !name || !suggestions) return [];
    const original = text.slice(offsetAt(text, finding.range.start), offsetAt(text, finding.range.end));
    return suggestions.flatMap((s) => {
      const replaced = original.replace(new RegExp(`(['"])${escapeRe(name)}\\1`), (_m, q: string) => `${q}${s}${q}`);
      if (replaced === original) return [];
      return [{ title: `Change to ${migrationKey(app, s)}`, preferred: suggestions.length === 1, edits: [{ range: finding.range, newText: replaced }] }];
    });
  },
};

/** Names with the same number, else names within a small edit distance. */
function suggest(keys: string[], app: string, name: string): string[] {
  const names = keys.map((k) => k.slice(app.length + 1));
  const num = /^\d+/.exec(name)?.[0];
  const sameNumber = num ? names.filter((n) => /^\d+/.exec(n)?.[0] === num) : [];
  if (sameNumber.length) return sameNumber.slice(0, 3);
  const limit = Math.max(2, Math.floor(name.length / 4));
  return names
    .map((n) => [n, distance(n, name)] as const)
    .filter(([, d]) => d <= limit)
    .sort((a, b) => a[1] - b[1])
    .slice(0, 3)
    .map(([n]) => n);
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
