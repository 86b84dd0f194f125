// ML604: a pending RemoveField or DeleteModel (ML101, ML102) would destroy live data: how much.
import { rows } from '../analysis/probes';
import type { Finding, Rule } from './types';

export const rule: Rule = {
  code: 'ML604',
  name: 'data-loss',
  title: 'Pending drop: live rows or values that will be lost',
  defaultSeverity: 'warning',
  scope: 'live',
  docs: [
    'Counted on the workspace database: the rows (DeleteModel) or non-null values (RemoveField)',
    'this pending migration destroys. Rolling the migration back brings the column or table back',
    'empty, not the data.',
    '',
    'Keep a copy first if the data may be needed: `manage.py dumpdata app.Model > model.json`, or copy',
    'the column into another table in a data migration.',
  ].join('\n'),
  check: () => [],
  live: {
    sources: ['ML101', 'ML102'],
    finding(source, probe, result): Finding | undefined {
      if (probe.kind !== 'loss' || !result.count) return undefined;
      const message = probe.column
        ? `${rows(result.count, 'non-null value')} in ${probe.table}."${probe.column}"` +
          `${result.total !== undefined ? ` (${rows(result.total)} in the table)` : ''} will be lost; rolling back brings the column back empty.`
        : `${rows(result.count)} of ${probe.table} will be lost; rolling back brings the table back empty.`;
      return { code: 'ML604', range: source.range, message, data: { count: result.count, total: result.total } };
    },
  },
};
