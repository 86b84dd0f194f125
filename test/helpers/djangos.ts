// The Django versions the django layer runs against: Debian's 3.2 (python3-django), 4.2 from
// bookworm-backports and 5.2 from trixie-backports (unpacked by scripts/ensure.sh, put on PYTHONPATH),
// and 6.x from experimental in a Debian sid root with its Python 3.14 (scripts/ensure.sh django6).
import * as cp from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { admin, PYTHON, requireServer, SERVERS } from './servers';

export interface DjangoRuntime {
  version: string;
  python: string;
  env: Record<string, string>;
}

const cache = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
const DJANGO42 = process.env.MIGRATION_LENS_DJANGO42 ?? path.join(cache, 'migration-lens', 'django-4.2', 'usr', 'lib', 'python3', 'dist-packages');
const DJANGO52 = process.env.MIGRATION_LENS_DJANGO52 ?? path.join(cache, 'migration-lens', 'django-5.2', 'usr', 'lib', 'python3', 'dist-packages');
/** Django 6 runs on the Python 3.12+ of a Debian sid root, through a bubblewrap wrapper (scripts/django6-python). */
const DJANGO6_PYTHON = process.env.MIGRATION_LENS_DJANGO6_PYTHON ?? path.join(cache, 'migration-lens', 'django-6', 'python');
const REPO = path.resolve(__dirname, '..', '..', '..');
/** The interpreter the demo names (scripts/django52-python): /usr/bin/python3 with Django 5.2 first. */
export const SHOP_PYTHON = process.env.MIGRATION_LENS_SHOP_PYTHON ?? path.join(cache, 'migration-lens', 'django-5.2', 'python');

export const DJANGOS: DjangoRuntime[] = [
  { version: '3.2', python: PYTHON, env: {} },
  { version: '4.2', python: PYTHON, env: { PYTHONPATH: DJANGO42 } },
  { version: '5.2', python: PYTHON, env: { PYTHONPATH: DJANGO52 } },
  // The repository (the bridge script) must be visible inside the root, like the projects in /tmp.
  { version: '6', python: DJANGO6_PYTHON, env: { MIGRATION_LENS_BIND: REPO } },
];

const found = new Map<string, string>();

/** Skips the test (or fails under CI=true) when this Django cannot be imported. */
export function requireDjango(ctx: Mocha.Context, rt: DjangoRuntime): void {
  if (!found.has(rt.version)) {
    const r = cp.spawnSync(rt.python, ['-c', 'import django; print(django.get_version())'], { env: { ...process.env, ...rt.env }, encoding: 'utf8' });
    found.set(rt.version, r.status === 0 ? r.stdout.trim() : '');
  }
  const v = found.get(rt.version)!;
  if (v.startsWith(rt.version + '.')) return;
  const why = `Django ${rt.version} is not importable by ${rt.python}${rt.env.PYTHONPATH ? ` with PYTHONPATH=${rt.env.PYTHONPATH}` : ''} (run scripts/ensure.sh django django42 django52 django6)`;
  if (process.env.CI === 'true') throw new Error(`${why}; CI needs it`);
  console.log(`      skipped: ${why}`);
  ctx.skip();
}

export type EngineName = 'sqlite' | 'postgres' | 'mysql';
export const ENGINES: EngineName[] = ['sqlite', 'postgres', 'mysql'];

export const BRIDGE_SCRIPT = path.resolve(__dirname, '..', '..', '..', 'core', 'python', 'migration_lens_bridge.py');

/**
 * The DB_* environment of a fresh database on `engine` (a new database on the machine's server, or
 * the project's default SQLite file), and how to drop it.
 */
export function freshDatabase(ctx: Mocha.Context, engine: EngineName, tag: string): { env: Record<string, string>; drop: () => void } {
  if (engine === 'sqlite') return { env: { DB_ENGINE: 'sqlite' }, drop: () => undefined };
  const server = SERVERS.find((s) => s.engine === engine)!;
  requireServer(ctx, server);
  const name = `ml_${tag}_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  const created = admin(server, 'create', name);
  if (!created.ok) throw new Error(`creating ${name}: ${created.error}`);
  return { env: { ...server.env, DB_NAME: name }, drop: () => void admin(server, 'drop', name) };
}
