// The risk level each finding code stands for: one table read by the hover, the CLI and the
// Migrations view, so that the tree, the hover and the Problems panel name the same level. A rule's
// own `risk` must agree with it (tested); the live rules (ML601-ML604) count a High or Medium risk
// confirmed by the data, and conflicts and drift are errors.
import { Risk, worstRisk } from '../../../shared/src/risk';

export type Level = Risk;

const HIGH = /^ML(10[1-6]|60[1-4]|701)$/;
const MEDIUM = /^ML20[1-4]$/;
const LOW = /^ML(30[12]|70[3-6])$/;
const ERROR = /^ML50[1-3]$|^ML605$/;

export function levelOf(code: string): Level | undefined {
  if (ERROR.test(code)) return 'error';
  if (HIGH.test(code)) return 'high';
  if (MEDIUM.test(code)) return 'medium';
  if (LOW.test(code)) return 'low';
  return undefined;
}

/** The worst level among finding codes. */
export function worstLevel(codes: readonly string[]): Level | undefined {
  return worstRisk(codes.map(levelOf));
}

/** Shown as information whatever the rule's level: moot where it runs, or only possible (data decides). */
export const saidQuietly = (f: { moot?: string; possible?: string }): boolean => !!(f.moot || f.possible);

/** A moot finding says why first, keeps what the operation does, and drops the safe way (nothing to make safe here). */
export function mootFinding<F extends { message: string; help?: string; moot?: string }>(f: F, moot: string): F {
  const { help: _dropped, ...rest } = f;
  const what = f.message.replace(/(,? and|:) the release still running during the deploy[^.]*\./, '.');
  return { ...rest, moot, message: `${moot}\n\n${what}` } as F;
}
