// The list of rules. Adding a rule means adding its file and one line here.
import type { Rule } from './types';
import { rule as ml401 } from './ml401-run-python-without-reverse';
import { rule as ml402 } from './ml402-run-sql-without-reverse';
import { rule as ml501 } from './ml501-multiple-leaves';
import { rule as ml502 } from './ml502-missing-dependency';
import { rule as ml503 } from './ml503-circular-dependency';
import { rule as ml504 } from './ml504-shared-number';
import { rule as ml505 } from './ml505-unknown-replaced';
import { rule as ml506 } from './ml506-not-analyzed';

export const RULES: readonly Rule[] = [ml401, ml402, ml501, ml502, ml503, ml504, ml505, ml506];

export const RULES_BY_CODE: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.code, r]));
