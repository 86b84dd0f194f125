// The project's configuration, shared by the editor and `migration-lens check`: a
// `[tool.migration-lens]` table in pyproject.toml (the Python ecosystem's place for tools), or a
// `.migration-lens.toml` where no pyproject.toml has one. Read with a TOML parser; an unknown key or
// a bad value is a problem on its line, and the rest of the configuration still applies.
import * as fs from 'fs';
import * as path from 'path';
import picomatch from 'picomatch';
import { parse, TomlError } from 'smol-toml';
import { Engine, parseEngine } from './impact';
import { RULES_BY_CODE } from '../rules/registry';
import type { Severity } from '../rules/types';

export type RuleSetting = Severity | 'off';
export const FAIL_ON_LEVELS = ['error', 'high', 'medium', 'low'] as const;
export type FailOnLevel = (typeof FAIL_ON_LEVELS)[number];

export interface ProjectConfig {
  /** Rule code -> severity, or `off`. */
  rules: Record<string, RuleSetting>;
  /** Globs, relative to the configuration file's folder, of migration files not to report. */
  exclude: string[];
  failOn?: FailOnLevel;
  engine?: Engine;
  /** The base ref (`origin/main`), `auto`, or `none`. */
  baseline?: string;
  releases?: boolean;
  bigTableRows?: number;
}

export interface ConfigProblem {
  /** Zero-based line in the configuration file. */
  line: number;
  message: string;
}

export interface LoadedConfig {
  file: string;
  config: ProjectConfig;
  problems: ConfigProblem[];
  /** Whether a migration file (absolute path) is excluded from the reports. */
  excludes(file: string): boolean;
}

const SEVERITIES: readonly RuleSetting[] = ['error', 'warning', 'information', 'hint', 'off'];
const KEYS = ['rules', 'exclude', 'fail-on', 'engine', 'baseline', 'releases', 'big-table-rows'] as const;
export const CONFIG_FILES = ['pyproject.toml', '.migration-lens.toml'] as const;

/**
 * Reads a configuration file's text. In pyproject.toml only `[tool.migration-lens]` counts (undefined
 * when it has none); a `.migration-lens.toml` holds the keys at its top level.
 */
export function readConfig(text: string, file: string): { config: ProjectConfig; problems: ConfigProblem[] } | undefined {
  const pyproject = path.basename(file) === 'pyproject.toml';
  const config: ProjectConfig = { rules: {}, exclude: [] };
  const problems: ConfigProblem[] = [];
  // Most pyproject.toml files are other tools': no need to parse them.
  if (pyproject && !text.includes('migration-lens')) return undefined;
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (e) {
    if (pyproject && !/\[\s*tool\s*\.\s*["']?migration-lens/.test(text)) return undefined;
    const line = e instanceof TomlError ? e.line - 1 : 0;
    problems.push({ line, message: `Not valid TOML: ${(e as Error).message.split('\n')[0]}. The defaults apply.` });
    return { config, problems };
  }
  const table = pyproject ? ((doc.tool as Record<string, unknown> | undefined)?.['migration-lens'] as Record<string, unknown> | undefined) : doc;
  if (!table) return undefined;
  const lines = text.split('\n');
  const header = pyproject
    ? Math.max(
        0,
        lines.findIndex((l) => /^\s*\[\s*tool\s*\.\s*["']?migration-lens["']?\s*[.\]]/.test(l)),
      )
    : 0;
  /** The line where a key is written (under the table's header), for the problem's place. */
  const lineOf = (key: string, from = header): number => {
    const re = new RegExp(`^\\s*["']?${key.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}["']?\\s*=`);
    const at = lines.findIndex((l, i) => i >= from && re.test(l));
    return at >= 0 ? at : from;
  };
  const where = pyproject ? '[tool.migration-lens]' : path.basename(file);
  for (const [key, value] of Object.entries(table)) {
    const line = lineOf(key);
    const bad = (expected: string) => problems.push({ line, message: `${key} must be ${expected}; it is ignored, the rest of the configuration applies.` });
    switch (key as (typeof KEYS)[number]) {
      case 'rules': {
        if (!value || typeof value !== 'object' || Array.isArray(value)) {
          bad('a table of rule codes (ML101 = "off")');
          break;
        }
        const rulesLine = Math.max(
          lineOf('rules'),
          lines.findIndex((l, i) => i >= header && /^\s*\[.*rules\s*\]/.test(l)),
        );
        for (const [code, setting] of Object.entries(value as Record<string, unknown>)) {
          const at = lineOf(code, rulesLine);
          if (!RULES_BY_CODE.has(code)) problems.push({ line: at, message: `Unknown rule ${code}; \`migration-lens rules\` lists them.` });
          else if (typeof setting !== 'string' || !SEVERITIES.includes(setting as RuleSetting)) problems.push({ line: at, message: `${code} must be one of ${SEVERITIES.join(', ')}.` });
          else config.rules[code] = setting as RuleSetting;
        }
        break;
      }
      case 'exclude':
        if (Array.isArray(value) && value.every((v) => typeof v === 'string')) config.exclude = value as string[];
        else bad('a list of globs (["legacy/**/migrations/*.py"])');
        break;
      case 'fail-on':
        if (typeof value === 'string' && (FAIL_ON_LEVELS as readonly string[]).includes(value)) config.failOn = value as FailOnLevel;
        else bad(`one of ${FAIL_ON_LEVELS.join(', ')}`);
        break;
      case 'engine': {
        const engine = typeof value === 'string' ? parseEngine(value) : undefined;
        if (engine) config.engine = engine;
        else bad('postgresql, mysql, mariadb or sqlite, optionally with :<version> ("postgresql:15")');
        break;
      }
      case 'baseline':
        if (typeof value === 'string' && value.trim()) config.baseline = value.trim();
        else bad('a git ref ("origin/main"), "auto" or "none"');
        break;
      case 'releases':
        if (typeof value === 'boolean') config.releases = value;
        else bad('true or false');
        break;
      case 'big-table-rows':
        if (typeof value === 'number' && Number.isInteger(value) && value > 0) config.bigTableRows = value;
        else bad('a positive number of rows');
        break;
      default:
        problems.push({ line, message: `Unknown key ${key} in ${where} (known: ${KEYS.join(', ')}); it is ignored.` });
    }
  }
  return { config, problems };
}

/**
 * The configuration that applies to a folder: the nearest pyproject.toml with a
 * `[tool.migration-lens]` table, or `.migration-lens.toml`, from the folder up to the top of its
 * repository (the folder holding `.git`) or the file system.
 */
export function findConfig(dir: string): LoadedConfig | undefined {
  for (let d = path.resolve(dir); ;) {
    for (const name of CONFIG_FILES) {
      const file = path.join(d, name);
      const loaded = fs.existsSync(file) ? loadConfig(file) : undefined;
      if (loaded) return loaded;
    }
    const up = path.dirname(d);
    if (up === d || fs.existsSync(path.join(d, '.git'))) return undefined;
    d = up;
  }
}

/** A configuration file read from disk; undefined for a pyproject.toml without the table. */
export function loadConfig(file: string, text?: string): LoadedConfig | undefined {
  let source = text;
  if (source === undefined) {
    try {
      source = fs.readFileSync(file, 'utf8');
    } catch (e) {
      return { file, config: { rules: {}, exclude: [] }, problems: [{ line: 0, message: `Cannot be read: ${(e as Error).message}` }], excludes: () => false };
    }
  }
  const read = readConfig(source, file);
  if (!read) return undefined;
  const base = path.dirname(file);
  const match = read.config.exclude.length ? picomatch(read.config.exclude, { dot: true }) : undefined;
  return {
    file,
    ...read,
    excludes: (f: string) => {
      const rel = path.relative(base, f).split(path.sep).join('/');
      return !!match && !rel.startsWith('..') && match(rel);
    },
  };
}
