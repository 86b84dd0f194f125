// What a migration's row in the tree says: its state from the server's summary, and the risk of
// its findings. No vscode import, so the rules of the tree are testable in Node.
import type { AppSummary, MigrationSummary } from '../../../server/src/protocol';
import { worstLevel } from '../../../server/src/rules/levels';

export type MigrationState = 'applied' | 'pending' | 'drift' | 'conflict' | 'squashed' | 'unknown';
export type Risk = 'high' | 'medium' | 'low' | 'error' | undefined;

export function stateOf(m: MigrationSummary, app: AppSummary): MigrationState {
  if (m.drift) return 'drift';
  if (m.replacedBy) return 'squashed';
  if (app.leaves.length > 1 && app.leaves.includes(m.name)) return 'conflict';
  return m.status === 'unknown' ? 'unknown' : m.status;
}

/** The worst risk among a migration's finding codes (conflicts and drift count as errors). */
export function riskOf(codes: readonly string[]): Risk {
  return worstLevel(codes);
}

export function riskLabel(risk: Risk): string {
  return risk === 'error' ? 'error' : risk ? `${risk[0].toUpperCase()}${risk.slice(1)} risk` : '';
}

/** "2026-11-24 14:34" in the local time zone, from the database's UTC time. */
export function appliedLabel(iso: string | undefined, zone?: string): string {
  if (!iso) return 'applied';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return 'applied';
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `applied ${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

/** Counts for the project's status bar item. */
export function projectCounts(apps: readonly AppSummary[]): { pending: number; conflict: boolean; drift: boolean } {
  let pending = 0;
  let conflict = false;
  let drift = false;
  for (const app of apps) {
    if (app.leaves.length > 1) conflict = true;
    for (const m of app.migrations) {
      if (m.drift) drift = true;
      if (m.status === 'pending' && !m.replacedBy) pending++;
    }
  }
  return { pending, conflict, drift };
}
