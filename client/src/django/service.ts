// Django for the window: which interpreter a project uses, its warm bridge, and manage.py runs with
// progress, a Cancel button, output in the log channel and classified outcomes. Trusted workspaces only.
import * as crypto from 'crypto';
import * as path from 'path';
import * as vscode from 'vscode';
import { Connection, fromDjangoSettings } from '../../../core/src/config/connection';
import { describeInterpreter, Interpreter, probeDjango } from '../../../core/src/config/interpreter';
import { Bridge, BridgePool } from '../../../core/src/django/bridge';
import { djangoEnv, withLockTimeout } from '../../../core/src/django/environment';
import { interpreterFor, pythonExtension, selectInterpreter } from './interpreter';
import { classify, Outcome, OutcomeAction } from '../../../core/src/django/outcome';
import { BusyError, InvalidArgumentError, runManage } from '../../../core/src/django/runner';
import { MERGE_COMMAND } from '../protocol';

export class DjangoService implements vscode.Disposable {
  private readonly pool: BridgePool;
  private readonly interpreters = new Map<string, Interpreter>();
  private readonly warned = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionPath: string,
    private readonly output: vscode.LogOutputChannel,
    /** The connection the database layer resolved for a project (settings, .env, ...). */
    private readonly connectionFor: (projectRoot: string) => Connection | undefined,
  ) {
    this.pool = new BridgePool((root) => this.bridgeOptions(root));
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('migrationLens.pythonPath')) this.forgetInterpreters();
      }),
    );
    void pythonExtension().then((ext) => {
      if (ext) this.disposables.push(ext.environments.onDidChangeActiveEnvironmentPath(() => this.forgetInterpreters()));
    });
  }

  /** Resolves (and remembers) the interpreter of a project. */
  async interpreter(projectRoot: string): Promise<Interpreter> {
    const known = this.interpreters.get(projectRoot);
    if (known) return known;
    const found = await interpreterFor(projectRoot);
    this.interpreters.set(projectRoot, found);
    return found;
  }

  env(projectRoot: string): NodeJS.ProcessEnv {
    return djangoEnv(projectRoot, this.connectionFor(projectRoot));
  }

  /** The project's bridge; undefined (after one message with a button) when Django cannot be imported. */
  async bridge(projectRoot: string): Promise<Bridge | undefined> {
    const found = await this.tryBridge(projectRoot);
    if (found.bridge) return found.bridge;
    if (found.noDjango) await this.warnNoDjango(projectRoot, await this.interpreter(projectRoot), found.reason);
    else {
      this.output.warn(`${path.basename(projectRoot)}: Django did not start: ${found.reason}`);
      const reason = found.reason.split('\n')[0];
      void vscode.window
        .showErrorMessage(/^Django did not start/.test(reason) ? `${path.basename(projectRoot)}: ${reason}` : `Django did not start in ${path.basename(projectRoot)}: ${reason}`, 'Show Log')
        .then((pick) => pick && this.output.show(true));
    }
    return undefined;
  }

  /** The project's bridge, or why there is none, without showing anything (for lenses). */
  async tryBridge(projectRoot: string): Promise<{ bridge: Bridge; reason?: undefined; noDjango?: undefined } | { bridge?: undefined; reason: string; noDjango: boolean }> {
    await this.interpreter(projectRoot);
    const bridge = this.pool.get(projectRoot);
    try {
      await bridge.ready();
      return { bridge };
    } catch (err) {
      const e = err as { kind?: string; message?: string };
      return { reason: e.message ?? String(err), noDjango: e.kind === 'django-missing' || e.kind === 'spawn' };
    }
  }

  /** settings.DATABASES['default'] through the bridge, for the database layer's third source. */
  async djangoDatabase(projectRoot: string): Promise<Omit<Connection, 'source'> | undefined> {
    const bridge = await this.bridge(projectRoot);
    if (!bridge) return undefined;
    try {
      const { databases } = await bridge.request('databases');
      return databases.default ? fromDjangoSettings(databases.default, projectRoot) : undefined;
    } catch (err) {
      this.output.warn(`${path.basename(projectRoot)}: settings.DATABASES could not be used: ${(err as Error).message}`);
      return undefined;
    }
  }

  /**
   * Runs manage.py with a cancellable progress notification, streams its output to the log, and
   * shows the classified outcome with its actions.
   */
  async run(projectRoot: string, args: string[], title: string): Promise<Outcome | undefined> {
    const interpreter = await this.interpreter(projectRoot);
    const probe = await probeDjango(interpreter.python, this.env(projectRoot), projectRoot);
    if (!probe.ok) {
      await this.warnNoDjango(projectRoot, interpreter, probe.message, true);
      return undefined;
    }
    this.output.info(`${path.basename(projectRoot)}: ${interpreter.python} manage.py ${args.join(' ')}`);
    let outcome: Outcome;
    try {
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        let partial = '';
        return runManage(args, {
          python: interpreter.python,
          projectRoot,
          // migrate waits for locks at most the configured time (PostgreSQL), instead of queueing every query behind it.
          env:
            args[0] === 'migrate'
              ? withLockTimeout(this.env(projectRoot), vscode.workspace.getConfiguration('migrationLens', vscode.Uri.file(projectRoot)).get<string>('migrate.lockTimeout'))
              : this.env(projectRoot),
          signal: abort.signal,
          onOutput: (text) => {
            // Whole lines to the log; the password never reaches Django's output, so nothing to mask.
            partial += text;
            const lines = partial.split('\n');
            partial = lines.pop() ?? '';
            for (const line of lines) this.output.info(`  ${line}`);
          },
        }).finally(() => partial && this.output.info(`  ${partial}`));
      });
      outcome = classify(result);
      this.output.info(`${path.basename(projectRoot)}: manage.py ${args[0]} ${outcome.kind} in ${result.ms} ms`);
    } catch (err) {
      if (err instanceof BusyError || err instanceof InvalidArgumentError) {
        void vscode.window.showWarningMessage(err.message);
        return undefined;
      }
      throw err;
    }
    // The message stays until dismissed: the caller refreshes meanwhile, the buttons act later.
    void this.show(projectRoot, outcome, () => this.run(projectRoot, args, title));
    return outcome;
  }

  /** Lets projects whose Django failed to boot try again (settings, models or .env changed). */
  retryFailed(): void {
    this.pool.retryFailed();
  }

  async selectInterpreter(projectRoot?: string): Promise<void> {
    await selectInterpreter(projectRoot);
    this.forgetInterpreters();
  }

  dispose(): void {
    this.pool.dispose();
    for (const d of this.disposables) d.dispose();
  }

  private forgetInterpreters(): void {
    this.interpreters.clear();
    this.warned.clear();
    this.pool.restart();
  }

  private bridgeOptions(projectRoot: string) {
    const python = this.interpreters.get(projectRoot)?.python ?? 'python3';
    const env = this.env(projectRoot);
    const fingerprint = crypto
      .createHash('sha256')
      .update(JSON.stringify([python, Object.entries(env).filter(([k]) => k.startsWith('DB_') || k === 'PYTHONPATH' || k === 'DJANGO_SETTINGS_MODULE')]))
      .digest('hex');
    return {
      key: fingerprint,
      options: {
        python,
        projectRoot,
        script: path.join(this.extensionPath, 'dist', 'python', 'migration_lens_bridge.py'),
        env,
        log: (line: string) => this.output.debug(`${path.basename(projectRoot)}: ${line}`),
      },
    };
  }

  private async warnNoDjango(projectRoot: string, interpreter: Interpreter, message: string, always = false): Promise<void> {
    const key = `${projectRoot}\0${interpreter.python}`;
    this.output.warn(`${path.basename(projectRoot)}: ${message} — interpreter ${describeInterpreter(interpreter)}`);
    if (this.warned.has(key) && !always) return;
    this.warned.add(key);
    const pick = await vscode.window.showWarningMessage(
      `Migration Lens cannot use Django in ${path.basename(projectRoot)}: ${message}. The analysis and the database view keep working.`,
      'Select Interpreter',
    );
    if (pick) await this.selectInterpreter(projectRoot);
  }

  private async show(projectRoot: string, outcome: Outcome, again: () => Promise<unknown>): Promise<void> {
    const labels: Record<OutcomeAction, string> = {
      retry: 'Retry',
      merge: 'Create Merge Migration',
      makemigrations: 'Make Migrations',
      'configure-database': 'Configure Database',
      'set-password': 'Set Database Password',
      'select-interpreter': 'Select Interpreter',
      'show-log': 'Show Log',
      refresh: 'Refresh',
    };
    const buttons = outcome.actions.map((a) => labels[a]);
    const show = outcome.ok ? (outcome.kind === 'models-changed' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage) : vscode.window.showErrorMessage;
    const pick = await show(outcome.message, ...buttons);
    const action = outcome.actions.find((a) => labels[a] === pick);
    if (!action) return;
    if (action === 'show-log') this.output.show(true);
    else if (action === 'retry') await again();
    else if (action === 'merge' && outcome.apps?.[0]) await vscode.commands.executeCommand(MERGE_COMMAND, { projectRoot, app: outcome.apps[0] });
    else if (action === 'select-interpreter') await this.selectInterpreter(projectRoot);
    else if (action === 'set-password') await vscode.commands.executeCommand('migrationLens.setDatabasePassword');
    else if (action === 'configure-database') await vscode.commands.executeCommand('workbench.action.openSettings', 'migrationLens.database');
    else if (action === 'refresh') await vscode.commands.executeCommand('migrationLens.refreshDatabase');
    else if (action === 'makemigrations') await vscode.commands.executeCommand('migrationLens.makeMigrations', { projectRoot });
  }
}
