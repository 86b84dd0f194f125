// The list of rules. Adding a rule means adding its file and one line here.
import type { Rule } from './types';
import { rule as ml101 } from './ml101-remove-field';
import { rule as ml102 } from './ml102-delete-model';
import { rule as ml103 } from './ml103-type-change';
import { rule as ml104 } from './ml104-destructive-sql';
import { rule as ml105 } from './ml105-remove-add-rename';
import { rule as ml106 } from './ml106-narrowing';
import { rule as ml201 } from './ml201-rename';
import { rule as ml202 } from './ml202-not-null';
import { rule as ml203 } from './ml203-unique';
import { rule as ml204 } from './ml204-not-null-column';
import { rule as ml301 } from './ml301-low-risk';
import { rule as ml302 } from './ml302-index-not-concurrent';
import { rule as ml401 } from './ml401-run-python-without-reverse';
import { rule as ml402 } from './ml402-run-sql-without-reverse';
import { rule as ml403 } from './ml403-model-import';
import { rule as ml404 } from './ml404-mixed-schema-data';
import { rule as ml501 } from './ml501-multiple-leaves';
import { rule as ml502 } from './ml502-missing-dependency';
import { rule as ml503 } from './ml503-circular-dependency';
import { rule as ml504 } from './ml504-shared-number';
import { rule as ml505 } from './ml505-unknown-replaced';
import { rule as ml506 } from './ml506-not-analyzed';
import { rule as ml601 } from './ml601-null-rows';
import { rule as ml602 } from './ml602-duplicate-values';
import { rule as ml603 } from './ml603-unconvertible-values';
import { rule as ml604 } from './ml604-data-loss';
import { rule as ml605 } from './ml605-drift';
import { rule as ml701 } from './ml701-blocking-big-table';
import { rule as ml702 } from './ml702-non-transactional-ddl';
import { rule as ml703 } from './ml703-check-not-valid';
import { rule as ml704 } from './ml704-foreign-key-not-valid';
import { rule as ml705 } from './ml705-no-lock-timeout';
import { rule as ml706 } from './ml706-column-rewrites-table';

export const RULES: readonly Rule[] = [
  ml101,
  ml102,
  ml103,
  ml104,
  ml105,
  ml106,
  ml201,
  ml202,
  ml203,
  ml204,
  ml301,
  ml302,
  ml401,
  ml402,
  ml403,
  ml404,
  ml501,
  ml502,
  ml503,
  ml504,
  ml505,
  ml506,
  ml601,
  ml602,
  ml603,
  ml604,
  ml605,
  ml701,
  ml702,
  ml703,
  ml704,
  ml705,
  ml706,
];

export const RULES_BY_CODE: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.code, r]));
