// ML601: a pending NOT NULL (ML202) and the live table still has NULL rows: the migration will fail.
import { rows } from '../analysis/probes';
import type { Finding, Rule } from './types';

export const rule: Rule = {
  code: 'ML601',
  name: 'null-rows',
  title: 'Pending NOT NULL, and the live table has NULL rows',
  defaultSeverity: 'error',
  scope: 'live',
  docs: [
    'Counted on the workspace database: the column this pending migration makes NOT NULL still holds',
    'NULL in some rows, so `migrate` stops on them (PostgreSQL: `column ... contains null values`,',
    'SQLite: `NOT NULL constraint failed`, MariaDB: `Data truncated for column`).',
    '',
    'Fill them in a data migration before this one (see ML202 for the two-step way), then migrate.',
  ].join('\n'),
  check: () => [],
  live: {
    sources: ['ML202'],
    finding(source, probe, result): Finding | undefined {
      if (probe.kind !== 'nulls' || !result.count) return undefined;
      const { model, field } = (source.data ?? {}) as { model?: string; field?: string };
      const counted = result.total !== undefined ? `${result.count.toLocaleString('en-US')} of ${rows(result.total)}` : rows(result.count);
      return {
        code: 'ML601',
        range: source.range,
        message:
          `${counted} in ${probe.table} hold NULL in "${probe.column}": this migration will fail on them. ` +
          `Fill them first in a data migration before this one: \`${cap(model)} = apps.get_model(...)\`, then ` +
          `\`${cap(model)}.objects.filter(${field ?? probe.column}__isnull=True).update(${field ?? probe.column}=...)\`.`,
        data: { count: result.count, total: result.total },
      };
    },
  },
};

const cap = (s: string | undefined) => (s ? s[0].toUpperCase() + s.slice(1) : 'Model');
