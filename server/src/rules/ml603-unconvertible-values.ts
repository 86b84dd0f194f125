// ML603: a pending type change or narrowing (ML103, ML106) and live values will not convert or fit.
import { rows } from '../analysis/probes';
import type { ConvertTarget, ProbeResult } from '../protocol';
import type { Finding, Rule } from './types';

export const rule: Rule = {
  code: 'ML603',
  name: 'unconvertible-values',
  title: 'Pending type change, and live values will not convert',
  defaultSeverity: 'error',
  scope: 'live',
  docs: [
    'Counted on the workspace database: values in the column this pending migration converts do not',
    'parse as the new type, or do not fit its length or range. PostgreSQL stops the migration on the',
    'first one (`invalid input syntax`, `value too long`, `out of range`), MySQL and MariaDB in strict',
    'mode too (otherwise they store 0, NULL or a cut value), and SQLite keeps them as they are in a',
    'column that no longer describes them.',
    '',
    'Fix or convert them in a data migration first, or use a new column (see ML103).',
  ].join('\n'),
  check: () => [],
  live: {
    sources: ['ML103', 'ML106'],
    finding(source, probe, result): Finding | undefined {
      if (probe.kind !== 'convert' || !result.count) return undefined;
      return {
        code: 'ML603',
        range: source.range,
        message: `${rows(result.count, 'value')} in ${probe.table}."${probe.column}" ${problem(probe.from, probe.target)}${of(result)}: ${consequence(result)}`,
        data: { count: result.count, total: result.total },
      };
    },
  },
};

function problem(from: string, t: ConvertTarget): string {
  if (from === 'text' && t.type !== 'text') return `do not parse as ${t.type}`;
  switch (t.type) {
    case 'text':
      return `are longer than max_length=${t.maxLength}`;
    case 'integer':
      return `do not fit a ${t.bits}-bit${t.unsigned ? ' non-negative' : ''} integer`;
    case 'decimal':
      return `have more than ${t.integerDigits} digits before the point`;
    default:
      return `do not parse as ${t.type}`;
  }
}

function of(result: ProbeResult): string {
  return result.total !== undefined ? ` (of ${rows(result.total)})` : '';
}

function consequence(result: ProbeResult): string {
  if (result.engine === 'sqlite') return 'SQLite keeps them as they are, and the same migration fails on PostgreSQL or MySQL.';
  return 'the migration will stop on the first one. Fix them in a data migration before this one.';
}
