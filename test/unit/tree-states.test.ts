// The tree's rules: a migration's state, its risk badge, the applied time shown, the pending count.
import * as assert from 'assert';
import type { AppSummary, MigrationSummary } from '../../server/src/protocol';
import { appliedLabel, appSummary, oneLine, projectCounts, riskLabel, shortRef, stateLabel, stateOf } from '../../client/src/views/states';
import { worstLevel } from '../../server/src/rules/levels';
import { worstRisk } from '../../shared/src/risk';

// The server sends each migration's risk with its finding codes (server/src/analysis/summary.ts).
const m = (name: string, extra: Partial<MigrationSummary> = {}): MigrationSummary => ({
  app: 'store',
  name,
  path: `/p/store/migrations/${name}.py`,
  classLine: 0,
  dependencies: [],
  replaces: [],
  operations: [],
  findings: [],
  status: 'pending',
  ...extra,
  risk: worstLevel(extra.findings ?? []),
});
const app = (migrations: MigrationSummary[], leaves: string[]): AppSummary => ({ label: 'store', migrations, leaves });

describe('migration tree states', () => {
  it('names each state: drift before squashed before conflict before the database status', () => {
    const a = app([m('0001', { status: 'applied' }), m('0002_a'), m('0002_b'), m('0003', { drift: 'applied before its dependency' }), m('0001_squashed', { replacedBy: 'x' })], ['0002_a', '0002_b']);
    assert.deepStrictEqual(
      a.migrations.map((x) => stateOf(x, a)),
      ['applied', 'conflict', 'conflict', 'drift', 'squashed'],
    );
    const single = app([m('0001', { status: 'unknown' })], ['0001']);
    assert.strictEqual(stateOf(single.migrations[0], single), 'unknown');
  });

  it('badges the worst risk of the findings, as the server names it', () => {
    assert.strictEqual(worstLevel([]), undefined);
    assert.strictEqual(worstLevel(['ML301', 'ML401']), 'low');
    assert.strictEqual(worstLevel(['ML301', 'ML202']), 'medium');
    assert.strictEqual(worstLevel(['ML202', 'ML101']), 'high');
    assert.strictEqual(worstLevel(['ML601']), 'high');
    assert.strictEqual(worstLevel(['ML101', 'ML501']), 'error');
    assert.strictEqual(worstRisk(['low', undefined, 'error', 'high']), 'error');
    assert.strictEqual(riskLabel('high'), 'High risk');
    assert.strictEqual(riskLabel(undefined), '');
  });

  it("puts a finding's whole message on one line for the tooltip and the plan: a moot one's reason, then what it does", () => {
    assert.strictEqual(
      oneLine('Not a risk for the running release: the field comes from 0003.\n\nRemoveField order.code drops column "code" of orders_order.'),
      'Not a risk for the running release: the field comes from 0003. RemoveField order.code drops column "code" of orders_order.',
    );
    assert.strictEqual(oneLine('AlterField order.note makes the column NOT NULL.'), 'AlterField order.note makes the column NOT NULL.');
  });

  it('shows the applied time in the local zone, from UTC', () => {
    assert.strictEqual(appliedLabel('2026-11-24T14:34:43.000Z', 'America/New_York'), 'applied 2026-11-24 09:34');
    assert.strictEqual(appliedLabel('2026-11-24T14:34:43.000Z', 'UTC'), 'applied 2026-11-24 14:34');
    assert.strictEqual(appliedLabel(undefined), 'applied');
    assert.strictEqual(appliedLabel('not a date'), 'applied');
  });

  it('counts pending migrations, not the ones a squash replaces, and flags conflict and drift', () => {
    const a = app([m('0001', { status: 'applied' }), m('0002'), m('0003', { replacedBy: '0002_squashed' })], ['0002']);
    assert.deepStrictEqual(projectCounts([a]), { pending: 1, conflict: false, drift: false });
    const b = app([m('0001', { status: 'applied', drift: 'x' }), m('0002_a'), m('0002_b')], ['0002_a', '0002_b']);
    assert.deepStrictEqual(projectCounts([a, b]), { pending: 3, conflict: true, drift: true });
  });
});

describe('risk levels', () => {
  it("every rule's own risk is the level the tree, the hover and the CLI show for its code", async () => {
    const { RULES } = await import('../../server/src/rules/registry');
    const { levelOf } = await import('../../server/src/rules/levels');
    for (const r of RULES) if (r.risk) assert.strictEqual(levelOf(r.code), r.risk, r.code);
  });

  it('without a database, tells history on the base branch from this branch work, in words that fit', () => {
    const a = app(
      [
        m('0001', { status: 'unknown', baseline: 'unchanged', findings: ['ML101'] }),
        m('0002', { status: 'unknown', baseline: 'modified', findings: ['ML202'] }),
        m('0003', { status: 'unknown', baseline: 'new', findings: ['ML301'] }),
        m('0004', { status: 'unknown' }),
      ],
      ['0004'],
    );
    const states = a.migrations.map((x) => stateOf(x, a));
    assert.deepStrictEqual(states, ['history', 'new', 'new', 'unknown']);
    assert.deepStrictEqual(
      a.migrations.map((x, i) => stateLabel(states[i], x, 'origin/main')),
      ['on main', 'changed', 'new', ''],
    );
    // The app row: what is still to run and its worst risk; history's High risk does not count.
    assert.deepStrictEqual(appSummary(a), { toRun: 2, risk: 'medium', newWork: true });
    // The database wins once read.
    const read = app([m('0001', { status: 'applied', baseline: 'new' }), m('0002', { status: 'pending', baseline: 'unchanged', findings: ['ML101'] })], ['0002']);
    assert.deepStrictEqual(
      read.migrations.map((x) => stateOf(x, read)),
      ['applied', 'pending'],
    );
    assert.deepStrictEqual(appSummary(read), { toRun: 1, risk: 'high', newWork: false });
    assert.strictEqual(shortRef('upstream/develop'), 'develop');
    assert.strictEqual(shortRef(undefined), 'base');
  });
});
