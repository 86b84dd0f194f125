// What a migration's row in the tree says: its state from the server's summary, and the risk of
// its findings. No vscode import, so the rules of the tree are testable in Node.
import type { AppSummary, MigrationSummary } from '../protocol';
import { worstRisk } from '../../../shared/src/risk';

/**
 * `history` and `new` stand in for applied and pending while the database is not read: unchanged
 * on the base branch, or this branch's work (added or modified).
 */
export type MigrationState = 'applied' | 'pending' | 'drift' | 'conflict' | 'squashed' | 'history' | 'new' | 'unknown';
export type Risk = import('../protocol').Risk | undefined;

export function stateOf(m: MigrationSummary, app: AppSummary): MigrationState {
  if (m.drift) return 'drift';
  if (m.replacedBy) return 'squashed';
  if (app.leaves.length > 1 && app.leaves.includes(m.name)) return 'conflict';
  if (m.status !== 'unknown') return m.status;
  if (m.baseline === 'unchanged') return 'history';
  return m.baseline ? 'new' : 'unknown';
}

/** Work still to run: pending in the database, or (without one) new on this branch. */
export function isToRun(state: MigrationState, m: MigrationSummary): boolean {
  return !m.replacedBy && (state === 'pending' || state === 'new' || (state === 'conflict' && m.status !== 'applied'));
}

/**
 * The state as a word short enough for the default sidebar width. `unknown` says nothing: the
 * icon and the tooltip tell that the database was not read.
 */
export function stateLabel(state: MigrationState, m: MigrationSummary, baselineRef?: string): string {
  switch (state) {
    case 'applied':
      return appliedLabel(m.appliedAt);
    case 'squashed':
      return `replaced by ${m.replacedBy}`;
    case 'history':
      return `on ${shortRef(baselineRef)}`;
    case 'new':
      return m.baseline === 'modified' ? 'changed' : 'new';
    case 'unknown':
      return '';
    default:
      return state;
  }
}

/** `origin/main` -> `main`: the remote adds nothing in a narrow row. */
export function shortRef(ref: string | undefined): string {
  return ref ? ref.replace(/^(?:refs\/remotes\/|refs\/heads\/)?(?:origin|upstream)\//, '') : 'base';
}

/** An app row: how many migrations are still to run, and the worst risk among them. */
export function appSummary(app: AppSummary): { toRun: number; risk: Risk; newWork: boolean } {
  let toRun = 0;
  let newWork = false;
  const risks: Risk[] = [];
  for (const m of app.migrations) {
    const state = stateOf(m, app);
    if (!isToRun(state, m)) continue;
    toRun++;
    if (state === 'new' || m.status === 'unknown') newWork = true;
    risks.push(m.risk);
  }
  return { toRun, risk: worstRisk(risks), newWork };
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
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
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

/** A finding's message on one line, for a tooltip or a plan (a moot finding says why, then what). */
export const oneLine = (message: string): string => message.replace(/\s*\n+\s*/g, ' ');
