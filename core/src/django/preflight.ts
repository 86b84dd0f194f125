// Before a migrate runs: the plan Django will follow, and for a roll back every operation on the
// backward path that cannot be reversed. Django itself finds those only when it reaches them,
// after it has already unapplied the migrations above — so the check runs before anything does.
import { Bridge } from './bridge';
import { IrreversibleStep, PlanStep } from './bridge-protocol';
import { MigrateArgs } from './runner';

export interface Preflight {
  direction: 'none' | 'forward' | 'backward' | 'mixed';
  steps: PlanStep[];
  irreversible: IrreversibleStep[];
  /** True when running would stop half way: irreversible operations on a real (not fake) roll back. */
  blocked: boolean;
  summary: string;
}

export async function preflight(bridge: Bridge, args: MigrateArgs): Promise<Preflight> {
  const plan = await bridge.request('plan', { app: args.app, target: args.target });
  const back = plan.steps.filter((s) => s.backwards).length;
  const direction = plan.steps.length === 0 ? 'none' : back === 0 ? 'forward' : back === plan.steps.length ? 'backward' : 'mixed';
  // --fake runs no operation, so nothing can fail on the way back.
  const irreversible = args.fake ? [] : plan.irreversible;
  return { direction, steps: plan.steps, irreversible, blocked: irreversible.length > 0, summary: summarize(plan.steps, irreversible) };
}

export function summarize(steps: PlanStep[], irreversible: IrreversibleStep[]): string {
  if (steps.length === 0) return 'No migrations to apply or unapply.';
  const fwd = steps.filter((s) => !s.backwards).length;
  const back = steps.length - fwd;
  const parts = [fwd && `apply ${fwd} migration${fwd > 1 ? 's' : ''}`, back && `unapply ${back} migration${back > 1 ? 's' : ''}`].filter(Boolean);
  let text = `${parts.join(' and ')}.`.replace(/^./, (c) => c.toUpperCase());
  if (irreversible.length) {
    const first = irreversible[0];
    text += ` ${irreversible.length} operation${irreversible.length > 1 ? 's' : ''} cannot be reversed, first ${first.app}.${first.name} #${first.index + 1} (${first.reason}): Django would unapply the migrations before it and then stop.`;
  }
  return text;
}
