// Which Python runs Django: `migrationLens.pythonPath`, else the Python extension's active
// interpreter, else the project's `.venv`/`venv`, else `python3`. No vscode import: the caller
// passes the setting and what the Python extension said.
import * as cp from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export type InterpreterSource = 'setting' | 'python-extension' | 'venv' | 'default';

export interface Interpreter {
  python: string;
  source: InterpreterSource;
}

export interface InterpreterInputs {
  /** migrationLens.pythonPath; `${workspaceFolder}` and relative paths resolve against `workspaceFolder`. */
  setting?: string;
  workspaceFolder?: string;
  /** The Python extension's active environment for the project, when it is installed. */
  pythonExtension?: string;
  projectRoot: string;
  platform?: NodeJS.Platform;
}

export function resolveInterpreter(i: InterpreterInputs): Interpreter {
  const folder = i.workspaceFolder ?? i.projectRoot;
  const setting = i.setting?.trim();
  if (setting) {
    const expanded = setting.replace(/\$\{workspaceFolder\}/g, folder).replace(/^~(?=\/|$)/, process.env.HOME ?? '~');
    const python = expanded.includes('/') || expanded.includes('\\') ? path.resolve(folder, expanded) : expanded;
    return { python, source: 'setting' };
  }
  if (i.pythonExtension) return { python: i.pythonExtension, source: 'python-extension' };
  const windows = (i.platform ?? process.platform) === 'win32';
  for (const dir of new Set([i.projectRoot, folder])) {
    for (const venv of ['.venv', 'venv']) {
      const candidate = windows ? path.join(dir, venv, 'Scripts', 'python.exe') : path.join(dir, venv, 'bin', 'python');
      if (fs.existsSync(candidate)) return { python: candidate, source: 'venv' };
    }
  }
  return { python: windows ? 'python' : 'python3', source: 'default' };
}

export function describeInterpreter(i: Interpreter): string {
  const from = { setting: 'migrationLens.pythonPath', 'python-extension': "the Python extension's interpreter", venv: "the project's virtualenv", default: 'the default' }[i.source];
  return `${i.python} (${from})`;
}

export type DjangoProbe = { ok: true; django: string; executable: string } | { ok: false; message: string };

/** Whether `python` imports Django: one short process, no project code run. */
export function probeDjango(python: string, env: NodeJS.ProcessEnv, cwd: string, timeoutMs = 20_000): Promise<DjangoProbe> {
  const code = 'import sys\ntry:\n    import django\nexcept Exception as e:\n    print("ERR", type(e).__name__, e)\nelse:\n    print("OK", django.get_version(), sys.executable)';
  return new Promise((resolve) => {
    cp.execFile(python, ['-c', code], { env, cwd, timeout: timeoutMs, encoding: 'utf8' }, (err, stdout) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (line.startsWith('OK ')) {
        const [, version, ...exe] = line.split(' ');
        resolve({ ok: true, django: version, executable: exe.join(' ') });
      } else if (line.startsWith('ERR ')) {
        resolve({ ok: false, message: `Django cannot be imported by ${python}: ${line.slice(4)}` });
      } else {
        const why = (err as NodeJS.ErrnoException | null)?.code === 'ENOENT' ? 'not found' : (err?.message.split('\n')[0] ?? 'no answer');
        resolve({ ok: false, message: `Python could not be run (${python}): ${why}` });
      }
    });
  });
}
