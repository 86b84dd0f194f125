#!/usr/bin/env node
// `migration-lens check [paths...]`: the language server's engine as a CI command.
import { Engine, RULES, findConfig, loadConfig, parseEngine } from '../../server/src/engine';
import * as path from 'path';
import * as fs from 'fs';
import { check, FailOn, fails, UsageError } from './run';
import { changedSince } from '../../core/src/git/git';
import { GitError } from '../../core/src/git/git-baseline';
import { declaredEngine, openProjectDatabase } from './database';
import { Format, FORMATS, formatGithub, formatJson, formatSarif, formatText, VERSION } from './formats';

const FAIL_ON: readonly FailOn[] = ['error', 'high', 'medium', 'low'];

const USAGE = `Usage: migration-lens check [options] [paths...]
       migration-lens rules

Checks the Django migration files under the given folders (default: the current folder), or the
given migration files within their project.

Options:
  --format text|json|sarif|github
                         output format (default: text); github prints workflow annotations
  --fail-on error|high|medium|low
                         exit 1 on any error, and on any risk at or above the level (default: the
                         configuration's fail-on, else error)
  --changed-since <ref>  report only migrations added or changed since the git ref (the others
                         still count for the graph and the model state)
  --baseline <ref>       risk in migrations unchanged at the merge base of HEAD and the ref is
                         history (hints that never fail the check); new and modified ones keep
                         their level. \`auto\`: the upstream's default branch, else main/master.
                         Reads the release tags too (see --releases)
  --engine <engine>[:<version>]
                         judge what each schema operation does to existing tables (the lock,
                         a rewrite or full read, who waits) for postgresql[:15], mysql[:8.0],
                         mariadb[:10.11] or sqlite; default: the one the project's settings
                         name statically (its DATABASES ENGINE), else PostgreSQL, said to be assumed.
                         The JSON output has it as \`impact\`
  --big-table <rows>     with --database: rows from which a pending operation that rewrites or
                         reads a whole table while others wait is reported (ML701; default 100000)
  --config <file>        the configuration to use (a pyproject.toml with [tool.migration-lens], or
                         a .migration-lens.toml) instead of the one found from each project up to
                         its repository's top: rules (severity or "off" per code), exclude (globs),
                         fail-on, engine, baseline, releases, big-table-rows. Flags win over it
  --releases             read which release tag (git tags like 3.1.0 or v3.1.0) first shipped
                         each migration: a table or field added earlier in the same release is
                         unknown to the release still running, so dropping, renaming or narrowing
                         it is not a risk for that release (said as information)
  --database             read each project's database (DB_* variables and .env, else SQLite at
                         _data/db.sqlite3): drift (ML605), live counts for pending migrations
                         (ML601-ML604); risk in applied migrations becomes history (hints)
  --statement-timeout <ms>
                         limit for each live-data count (default 5000)
  --help                 show this help
  --version              show the version

Exit status: 0 when nothing fails the check, 1 when something does, 2 on a usage error.`;

interface Args {
  command: string;
  format: Format;
  failOn?: FailOn;
  config?: string;
  changedSince?: string;
  baseline?: string;
  releases: boolean;
  engine?: Engine;
  bigTableRows?: number;
  database: boolean;
  statementTimeoutMs: number;
  paths: string[];
  help: boolean;
  version: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { command: '', format: 'text', releases: false, database: false, statementTimeoutMs: 5000, paths: [], help: false, version: false };
  const value = (i: number, name: string, inline?: string): string => {
    const v = inline ?? argv[i];
    if (v === undefined || v === '') throw new UsageError(`${name} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const [name, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const take = () => value(inline === undefined ? ++i : i, name, inline);
    if (name === '--format') {
      const v = take();
      if (!(FORMATS as readonly string[]).includes(v)) throw new UsageError(`--format takes ${FORMATS.join(', ')}, not ${v}`);
      args.format = v as Format;
    } else if (name === '--fail-on') {
      const v = take();
      if (!(FAIL_ON as readonly string[]).includes(v)) throw new UsageError(`--fail-on takes ${FAIL_ON.join(', ')}, not ${v}`);
      args.failOn = v as FailOn;
    } else if (name === '--changed-since') {
      args.changedSince = take();
    } else if (name === '--baseline') {
      args.baseline = take();
    } else if (name === '--config') {
      args.config = take();
    } else if (name === '--engine') {
      const v = take();
      args.engine = parseEngine(v);
      if (!args.engine) throw new UsageError(`--engine takes postgresql, mysql, mariadb or sqlite, optionally with :<version> (postgresql:15), not ${v}`);
    } else if (name === '--big-table') {
      const v = take();
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--big-table takes a number of rows, not ${v}`);
      args.bigTableRows = Number(v);
    } else if (a === '--releases') args.releases = true;
    else if (a === '--database') args.database = true;
    else if (name === '--statement-timeout') {
      const v = take();
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--statement-timeout takes milliseconds, not ${v}`);
      args.statementTimeoutMs = Number(v);
    } else if (a === '--help' || a === '-h') args.help = true;
    else if (a === '--version') args.version = true;
    else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
    else if (!args.command) args.command = a;
    else args.paths.push(a);
  }
  return args;
}

const real = (p: string) => {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
};

export async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`migration-lens: ${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help || !args.command) {
    process.stdout.write(`${USAGE}\n`);
    return args.help ? 0 : 2;
  }
  if (args.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (args.command === 'rules') {
    // Each rule with its effective severity: the project's configuration over the rule's default.
    let config;
    try {
      config = args.config ? loadConfig(path.resolve(args.config)) : findConfig(process.cwd());
    } catch (e) {
      process.stderr.write(`migration-lens: ${(e as Error).message}\n`);
      return 2;
    }
    for (const p of config?.problems ?? []) process.stderr.write(`migration-lens: ${config!.file}:${p.line + 1}: ${p.message}\n`);
    for (const r of RULES) {
      const set = config?.config.rules[r.code];
      const severity = set ?? r.defaultSeverity;
      process.stdout.write(
        `${r.code}  ${severity.padEnd(11)} ${(r.risk ?? '').padEnd(6)} ${r.title}${set && set !== r.defaultSeverity ? ` (${path.basename(config!.file)}; default ${r.defaultSeverity})` : ''}\n`,
      );
    }
    return 0;
  }
  if (args.command !== 'check') {
    process.stderr.write(`migration-lens: unknown command ${args.command}\n\n${USAGE}\n`);
    return 2;
  }
  try {
    let changed: Set<string> | undefined;
    try {
      changed = args.changedSince ? changedSince(args.changedSince, process.cwd()) : undefined;
    } catch (e) {
      throw e instanceof GitError ? new UsageError(`--changed-since: ${e.message}`) : e;
    }
    const timeout = args.statementTimeoutMs;
    const database = args.database ? { open: (root: string) => openProjectDatabase(root, timeout), log: (line: string) => process.stderr.write(`migration-lens: ${line}\n`) } : undefined;
    const baseline = args.baseline === undefined ? undefined : { ref: args.baseline === 'auto' ? undefined : args.baseline, log: (line: string) => process.stderr.write(`migration-lens: ${line}\n`) };
    const releases = args.releases ? { log: (line: string) => process.stderr.write(`migration-lens: ${line}\n`) } : undefined;
    const files = await check(args.paths, {
      only: changed && ((p) => changed.has(real(p))),
      database,
      declaredEngine,
      baseline,
      releases,
      engine: args.engine,
      bigTableRows: args.bigTableRows,
      failOn: args.failOn,
      config: args.config,
      log: (line: string) => process.stderr.write(`migration-lens: ${line}\n`),
    });
    const format = { text: formatText, json: formatJson, sarif: formatSarif, github: formatGithub }[args.format];
    const out = format(files);
    if (out) process.stdout.write(`${out}\n`);
    return files.some((f) => f.findings.some((d) => fails(d, f.failOn))) ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`migration-lens: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  // A reader that stops early (`| head`) closes the pipe: stop quietly, as other command-line tools do.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`migration-lens: internal error: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 2;
    },
  );
}
