// The engine as a library: what the CLI (and any other host) needs to analyze a workspace of
// migration files, judge its findings and print them, without the language server around it.
export { initParser } from './analysis/parser';
export { Workspace } from './analysis/workspace';
export { migrationModuleName } from './analysis/discovery';
export { ASSUMED, describeImpact, parseEngine, type Engine } from './analysis/impact';
export { findConfig, loadConfig, type LoadedConfig, type ProjectConfig } from './analysis/config';
export { baselineRepo, FIRST_RELEASE } from './analysis/baseline';
export { messageWithHelp } from './analysis/risk';
export { RULES, RULES_BY_CODE } from './rules/registry';
export { saidQuietly } from './rules/levels';
export type { Finding, Risk, Severity } from './rules/types';
