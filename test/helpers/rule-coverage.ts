// What the rule tests have proven in this run: for each rule code, whether a positive case (the rule
// reports), a negative one (a close input where it stays silent) and a suppressed one (the positive
// input with an ignore comment, silent) passed. Tests call `covered` right after the assertions that
// prove a kind, so a kind is recorded only when those assertions held; test/unit/rule-coverage.test.ts
// judges the record at the end of a whole run.

export type Kind = 'positive' | 'negative' | 'suppressed';

export const KINDS: readonly Kind[] = ['positive', 'negative', 'suppressed'];

const proven = new Map<string, Set<Kind>>();

/** Records that the cases of `kinds` of rule `code` just passed. */
export function covered(code: string, ...kinds: Kind[]): void {
  let seen = proven.get(code);
  if (!seen) proven.set(code, (seen = new Set()));
  for (const k of kinds) seen.add(k);
}

/** What `codes` lack, one line per code that lacks something: `ML704: suppressed`, `ML101: negative, suppressed`. */
export function missing(codes: readonly string[]): string[] {
  return codes.flatMap((code) => {
    const lacks = KINDS.filter((k) => !proven.get(code)?.has(k));
    return lacks.length ? [`${code}: ${lacks.join(', ')}`] : [];
  });
}
