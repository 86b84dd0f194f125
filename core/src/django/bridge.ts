// The warm bridge: one long-lived Python process per project that has booted Django once and
// answers JSON-lines requests in milliseconds. Started on first use, restarted after a crash or
// when the project's settings/models changed ("stale"), killed when a request hangs.
import * as cp from 'child_process';
import * as readline from 'readline';
import { BRIDGE_PROTOCOL, BridgeErrorKind, BridgeMethods, PingResult, WireError } from './bridge-protocol';

export class BridgeError extends Error {
  constructor(
    readonly kind: BridgeErrorKind,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

export interface BridgeOptions {
  python: string;
  projectRoot: string;
  /** Path of migration_lens_bridge.py. */
  script: string;
  env?: NodeJS.ProcessEnv;
  /** A request that has not answered by then kills the process (default 30 s). */
  timeoutMs?: number;
  /** Django's boot (default 60 s). */
  bootTimeoutMs?: number;
  /** Lines the process writes to stderr, and lifecycle events. Never request payloads. */
  log?: (line: string) => void;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: BridgeError) => void;
  timer: NodeJS.Timeout;
}

interface Running {
  child: cp.ChildProcess;
  ready: Promise<PingResult>;
  pending: Map<number, Pending>;
  stderrTail: string[];
}

export class Bridge {
  private running: Running | undefined;
  /** A boot that Django refused (settings, a missing module): answered again until retry(). */
  private failedBoot: Running | undefined;
  private nextId = 1;
  private disposed = false;
  /** How many processes have been started, for tests and the log. */
  starts = 0;

  constructor(private readonly options: BridgeOptions) {}

  get pid(): number | undefined {
    return this.running?.child.pid;
  }

  /** Boots the process if needed and resolves with its ready line. */
  ready(): Promise<PingResult> {
    return this.ensure().ready;
  }

  async request<M extends keyof BridgeMethods>(
    method: M,
    params: BridgeMethods[M]['params'] = {} as BridgeMethods[M]['params'],
    opts: { timeoutMs?: number } = {},
  ): Promise<BridgeMethods[M]['result']> {
    try {
      return await this.once(method, params, opts);
    } catch (err) {
      // Settings, models or .env changed: the process has exited; a fresh one answers.
      if (err instanceof BridgeError && err.kind === 'stale') {
        this.options.log?.(`bridge: ${err.message}; restarting`);
        return this.once(method, params, opts);
      }
      throw err;
    }
  }

  private async once<M extends keyof BridgeMethods>(method: M, params: unknown, opts: { timeoutMs?: number }): Promise<BridgeMethods[M]['result']> {
    const running = this.ensure();
    await running.ready;
    const id = this.nextId++;
    const timeoutMs = opts.timeoutMs ?? this.options.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        running.pending.delete(id);
        reject(new BridgeError('timeout', `Django did not answer "${method}" within ${timeoutMs} ms; the bridge was restarted`));
        this.kill(running, 'a request timed out');
      }, timeoutMs);
      running.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      running.child.stdin!.write(JSON.stringify({ id, method, params }) + '\n');
    });
  }

  /** Stops the process; the next request starts a new one. */
  restart(reason = 'restart requested'): void {
    this.failedBoot = undefined;
    if (this.running) this.kill(this.running, reason);
  }

  /**
   * Forgets a failed boot: the next request boots Django again. Called when something that could
   * fix it changed (settings, models, .env, the interpreter); saving a migration does not.
   */
  retry(): void {
    this.failedBoot = undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.restart('disposed');
  }

  private ensure(): Running {
    if (this.disposed) throw new BridgeError('crashed', 'the bridge was disposed');
    if (this.failedBoot) return this.failedBoot;
    if (this.running && this.running.child.exitCode === null && !this.running.child.killed) return this.running;
    this.running = this.start();
    return this.running;
  }

  private start(): Running {
    const { python, script, projectRoot, env, log } = this.options;
    this.starts++;
    // An argument array and no shell: the project path reaches Python verbatim.
    const child = cp.spawn(python, ['-X', 'utf8', script, projectRoot], {
      cwd: projectRoot,
      env: { ...(env ?? process.env), PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const pending = new Map<number, Pending>();
    const stderrTail: string[] = [];
    let settle: { resolve: (p: PingResult) => void; reject: (e: BridgeError) => void } | undefined;
    const ready = new Promise<PingResult>((resolve, reject) => (settle = { resolve, reject }));
    ready.catch(() => undefined); // observed by callers; never an unhandled rejection
    const bootTimer = setTimeout(() => {
      settle?.reject(new BridgeError('timeout', `Django did not start within ${this.options.bootTimeoutMs ?? 60_000} ms`));
      settle = undefined;
      this.kill(running, 'boot timed out');
    }, this.options.bootTimeoutMs ?? 60_000);
    const running: Running = { child, ready, pending, stderrTail };
    log?.(`bridge: starting ${python} ${script} (project ${projectRoot})`);

    readline.createInterface({ input: child.stderr! }).on('line', (line) => {
      stderrTail.push(line);
      if (stderrTail.length > 20) stderrTail.shift();
      log?.(`bridge stderr: ${line}`);
    });
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      let message: { id?: number; event?: string; result?: unknown; error?: WireError } & Partial<PingResult>;
      try {
        message = JSON.parse(line);
      } catch {
        log?.(`bridge: not JSON on stdout: ${line.slice(0, 200)}`);
        return;
      }
      if (message.event === 'ready') {
        clearTimeout(bootTimer);
        // A bridge script from another version of the extension (a stale copy, a mixed install).
        if (message.protocol !== BRIDGE_PROTOCOL) {
          this.failedBoot = running;
          settle?.reject(
            new BridgeError(
              'protocol',
              `The bridge script (${this.options.script}) speaks protocol ${message.protocol ?? 'unknown'}, this extension ${BRIDGE_PROTOCOL}: reinstall the extension so that both come from one version.`,
            ),
          );
          settle = undefined;
          this.kill(running, 'protocol mismatch');
          return;
        }
        const old = unsupportedDjango(message.django ?? '');
        if (old) {
          // Older Django writes other SQL and plans differently: say so once, and do not boot it again.
          this.failedBoot = running;
          settle?.reject(new BridgeError('django-unsupported', old));
          settle = undefined;
          this.kill(running, 'unsupported Django');
          return;
        }
        log?.(`bridge: ready (Django ${message.django}, Python ${message.python}, pid ${message.pid})`);
        settle?.resolve(message as PingResult);
        settle = undefined;
        return;
      }
      if (message.event === 'failed') {
        clearTimeout(bootTimer);
        const e = message.error!;
        // Django will fail the same way until something changes: do not boot it again for each lens.
        this.failedBoot = running;
        settle?.reject(new BridgeError(e.kind, e.message, e.detail ?? undefined));
        settle = undefined;
        return;
      }
      const waiting = message.id !== undefined ? pending.get(message.id) : undefined;
      if (!waiting) return;
      pending.delete(message.id!);
      clearTimeout(waiting.timer);
      // A stale process exits after this answer: never send it another request.
      if (message.error?.kind === 'stale' && this.running === running) this.running = undefined;
      if (message.error) waiting.reject(new BridgeError(message.error.kind, message.error.message, message.error.detail ?? undefined));
      else waiting.resolve(message.result);
    });

    child.on('error', (err) => {
      clearTimeout(bootTimer);
      const e = new BridgeError('spawn', `Python could not be started (${python}): ${err.message}`);
      settle?.reject(e);
      settle = undefined;
      this.failAll(running, e);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(bootTimer);
      const tail = stderrTail.slice(-5).join('\n');
      const e = new BridgeError('crashed', `the bridge exited (${signal ?? `status ${code}`})${tail ? `: ${tail}` : ''}`);
      settle?.reject(e);
      settle = undefined;
      this.failAll(running, e);
      if (this.running === running) this.running = undefined;
      log?.(`bridge: exited (${signal ?? `status ${code}`})`);
    });
    child.stdin!.on('error', () => undefined); // EPIPE after the process died; 'exit' reports it
    return running;
  }

  private failAll(running: Running, err: BridgeError): void {
    for (const [id, p] of running.pending) {
      clearTimeout(p.timer);
      p.reject(err);
      running.pending.delete(id);
    }
  }

  private kill(running: Running, reason: string): void {
    this.options.log?.(`bridge: stopping (${reason})`);
    if (this.running === running) this.running = undefined;
    this.failAll(running, new BridgeError('crashed', `the bridge was stopped: ${reason}`));
    running.child.stdin?.end();
    running.child.kill('SIGKILL');
  }
}

/** One bridge per project, shared by every feature of the window. */
export class BridgePool {
  private readonly bridges = new Map<string, { key: string; bridge: Bridge }>();

  constructor(private readonly make: (projectRoot: string) => { key: string; options: BridgeOptions }) {}

  get(projectRoot: string): Bridge {
    const { key, options } = this.make(projectRoot);
    const existing = this.bridges.get(projectRoot);
    // A different interpreter or environment means a different process.
    if (existing && existing.key === key) return existing.bridge;
    existing?.bridge.dispose();
    const bridge = new Bridge(options);
    this.bridges.set(projectRoot, { key, bridge });
    return bridge;
  }

  restart(projectRoot?: string): void {
    for (const [root, { bridge }] of this.bridges) if (!projectRoot || root === projectRoot) bridge.restart();
  }

  /** Lets bridges whose Django failed to boot try again. */
  retryFailed(): void {
    for (const { bridge } of this.bridges.values()) bridge.retry();
  }

  dispose(): void {
    for (const { bridge } of this.bridges.values()) bridge.dispose();
    this.bridges.clear();
  }
}

/** The oldest Django the bridge, the runner and the SQL lenses are tested with. */
export const OLDEST_DJANGO = '3.2';

/** Why this Django version cannot be used (one clear sentence), or undefined when it can. */
export function unsupportedDjango(version: string): string | undefined {
  const [major, minor] = version.split('.').map((n) => Number.parseInt(n, 10));
  const [oldMajor, oldMinor] = OLDEST_DJANGO.split('.').map(Number);
  if (!Number.isFinite(major) || major > oldMajor || (major === oldMajor && (minor ?? 0) >= oldMinor)) return undefined;
  return `Django ${version} is older than ${OLDEST_DJANGO}, the oldest version Migration Lens supports: the analysis still works, but the SQL lenses, plans and migrate need Django ${OLDEST_DJANGO} or newer in this interpreter.`;
}
