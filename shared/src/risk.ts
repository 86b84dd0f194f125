// The risk levels the tree, the hover, the plan and the CLI name: one order for both sides.
export type Risk = 'low' | 'medium' | 'high' | 'error';

const RANK: Record<Risk, number> = { low: 1, medium: 2, high: 3, error: 4 };

/** The worst of some risks (undefined when there is none). */
export function worstRisk(risks: Iterable<Risk | undefined>): Risk | undefined {
  let worst: Risk | undefined;
  for (const r of risks) if (r && (!worst || RANK[r] > RANK[worst])) worst = r;
  return worst;
}
