// Runs manage.py for the user: migrate, makemigrations, showmigrations, sqlmigrate. An argument
// array and no shell; stdin closed (Django never waits on a prompt); output streamed as it comes;
// cancellable (SIGINT, so Django rolls back the migration in progress, then SIGKILL after a grace
// period); one migrate or makemigrations per project at a time, across windows.
import * as cp from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface MigrateArgs {
  app?: string;
  /** A migration name or prefix of `app`, or `zero`. */
  target?: string;
  fake?: boolean;
  plan?: boolean;
}

export interface MakeMigrationsArgs {
  apps?: string[];
  /** `--check --dry-run`: exit 1 when models have changes without a migration; writes nothing. */
  check?: boolean;
  merge?: boolean;
  name?: string;
}

const LABEL = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Migration names are module names; hyphens occur (`0005_remove-version-alias`), never first. */
const MIGRATION = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

export class InvalidArgumentError extends Error {}

function label(value: string, what: string): string {
  if (!LABEL.test(value)) throw new InvalidArgumentError(`${what} ${JSON.stringify(value)} is not a Django app label`);
  return value;
}

function migrationName(value: string): string {
  if (!MIGRATION.test(value)) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a migration name`);
  return value;
}

/** manage.py arguments; values are checked so that none can be read as an option. */
export const manageArgs = {
  migrate(a: MigrateArgs = {}): string[] {
    if (a.target && !a.app) throw new InvalidArgumentError('a target migration needs its app');
    const args = ['migrate'];
    if (a.app) args.push(label(a.app, 'app'));
    if (a.target) args.push(a.target === 'zero' ? 'zero' : migrationName(a.target));
    if (a.fake) args.push('--fake');
    if (a.plan) args.push('--plan');
    args.push('--noinput');
    return args;
  },
  makemigrations(a: MakeMigrationsArgs = {}): string[] {
    const args = ['makemigrations', ...(a.apps ?? []).map((x) => label(x, 'app')), '--noinput'];
    if (a.check) args.push('--check', '--dry-run');
    if (a.merge) args.push('--merge');
    if (a.name) args.push('--name', label(a.name, 'migration name'));
    return args;
  },
  showmigrations(apps: string[] = [], verbose = true): string[] {
    return ['showmigrations', ...apps.map((x) => label(x, 'app')), ...(verbose ? ['-v', '2'] : [])];
  },
  sqlmigrate(app: string, name: string, backwards = false): string[] {
    return ['sqlmigrate', label(app, 'app'), migrationName(name), ...(backwards ? ['--backwards'] : [])];
  },
};

/** Commands that change the database or write files hold the project's lock. */
export function needsLock(args: string[]): boolean {
  if (args[0] === 'migrate') return !args.includes('--plan');
  if (args[0] === 'makemigrations') return !args.includes('--dry-run');
  return false;
}

export interface ManageOptions {
  python: string;
  projectRoot: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** After SIGINT, how long Django has to roll back before SIGKILL (default 5 s). */
  graceMs?: number;
  onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
}

export interface ManageResult {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  cancelled: boolean;
  /** The process could not be started (python not found, ...). */
  spawnError?: string;
  ms: number;
}

export class BusyError extends Error {}

export async function runManage(args: string[], o: ManageOptions): Promise<ManageResult> {
  const release = needsLock(args) ? ProjectLock.acquire(o.projectRoot, args.slice(0, 3).join(' ')) : () => undefined;
  try {
    return await spawnManage(args, o);
  } finally {
    release();
  }
}

function spawnManage(args: string[], o: ManageOptions): Promise<ManageResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let cancelled = false;
    let spawnError: string | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    if (o.signal?.aborted) {
      resolve({ args, code: null, signal: null, stdout, stderr, cancelled: true, ms: 0 });
      return;
    }
    const child = cp.spawn(o.python, [path.join(o.projectRoot, 'manage.py'), ...args], {
      cwd: o.projectRoot,
      env: o.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (t: string) => {
      stdout += t;
      o.onOutput?.(t, 'stdout');
    });
    child.stderr.on('data', (t: string) => {
      stderr += t;
      o.onOutput?.(t, 'stderr');
    });
    const onAbort = () => {
      cancelled = true;
      child.kill('SIGINT');
      killTimer = setTimeout(() => child.kill('SIGKILL'), o.graceMs ?? 5000);
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      spawnError = `${o.python}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : err.message}`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(killTimer);
      o.signal?.removeEventListener('abort', onAbort);
      resolve({ args, code, signal, stdout, stderr, cancelled, spawnError, ms: Date.now() - started });
    });
  });
}

/** A per-project lock: in this process a set, across windows a lock file holding the owner's pid. */
export const ProjectLock = {
  held: new Map<string, string>(),

  file(projectRoot: string): string {
    const id = crypto.createHash('sha256').update(path.resolve(projectRoot)).digest('hex').slice(0, 24);
    return path.join(os.tmpdir(), 'migration-lens-locks', `${id}.lock`);
  },

  acquire(projectRoot: string, what: string): () => void {
    const root = path.resolve(projectRoot);
    const running = this.held.get(root);
    if (running) throw new BusyError(`"${running}" is already running for ${root}; wait for it or cancel it first`);
    const file = this.file(root);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    for (let attempt = 0; ; attempt++) {
      try {
        fs.writeFileSync(file, JSON.stringify({ pid: process.pid, what, root, since: new Date().toISOString() }), { flag: 'wx' });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw err;
        let owner: { pid?: number; what?: string; since?: string } = {};
        try {
          owner = JSON.parse(fs.readFileSync(file, 'utf8'));
        } catch {
          /* half-written by a dying owner: treat as stale */
        }
        if (owner.pid && owner.pid !== process.pid && alive(owner.pid)) {
          throw new BusyError(`"${owner.what}" is already running for ${root} in another window (pid ${owner.pid}, since ${owner.since})`);
        }
        fs.rmSync(file, { force: true }); // its owner is gone
      }
    }
    this.held.set(root, what);
    return () => {
      this.held.delete(root);
      fs.rmSync(file, { force: true });
    };
  },
};

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
