// ML602: a pending unique constraint (ML203) and the live data already holds duplicates.
import { rows } from '../analysis/probes';
import type { Finding, Rule } from './types';

export const rule: Rule = {
  code: 'ML602',
  name: 'duplicate-values',
  title: 'Pending unique constraint, and the live data has duplicates',
  defaultSeverity: 'error',
  scope: 'live',
  docs: [
    'Counted on the workspace database: values (or tuples of values) this pending migration makes',
    'unique are already held by more than one row, so creating the unique index fails',
    '(`could not create unique index`, `UNIQUE constraint failed`, `Duplicate entry`).',
    '',
    'Find them with `Model.objects.values(*fields).annotate(n=Count("pk")).filter(n__gt=1)` and',
    'merge or fix them in a data migration before this one.',
  ].join('\n'),
  check: () => [],
  live: {
    sources: ['ML203'],
    finding(source, probe, result): Finding | undefined {
      if (probe.kind !== 'duplicates' || !result.count) return undefined;
      const what = probe.columns.length === 1 ? `"${probe.columns[0]}"` : `(${probe.columns.map((c) => `"${c}"`).join(', ')})`;
      const held = result.total !== undefined ? `, held by ${rows(result.total)}` : '';
      return {
        code: 'ML602',
        range: source.range,
        message:
          `${rows(result.count, 'value')} of ${what} in ${probe.table} appear more than once${held}: ` +
          'creating the unique index will fail. Resolve the duplicates in a data migration before this one.',
        data: { count: result.count, total: result.total },
      };
    },
  },
};
