// The VS Code layer: the extension in a real VS Code host on copies of examples/shop, through
// @vscode/test-electron's runTests. With MIGRATION_LENS_VSCODE (a desktop `code`) it runs there;
// otherwise runTests is pointed at test/host/code-server-launcher.mjs, which runs the same tests in
// code-server driven by Debian's Chromium (scripts/vscode-host.sh installs both).
// Scenarios: SQLite, PostgreSQL, an untrusted workspace (code-server only: runTests always
// disables workspace trust on a desktop VS Code), two roots, injected faults, and a generated
// large project on a branch with no database and a Django that cannot start.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runTests } from '@vscode/test-electron';
import { projectAt, shopCopy } from '../helpers/django-project';
import { PYTHON, SERVERS, admin } from '../helpers/servers';
import { SHOP_PYTHON } from '../helpers/djangos';
import { writeLargeProject } from '../helpers/large-project';

const REPO = path.resolve(__dirname, '..', '..', '..');
const DEMO_DATA = fs.readFileSync(path.join(REPO, 'scripts', 'demo-data.py'), 'utf8');

interface Scenario {
  name: string;
  suite: 'trusted' | 'untrusted' | 'multiroot' | 'faults' | 'large';
  env?: Record<string, string>;
  setup?: () => { env: Record<string, string>; drop: () => void } | string;
}

/** A shop copy with history applied up to the data migrations and sample rows, as the demo has. */
function prepareShop(env: Record<string, string>): string {
  const shop = shopCopy(env, SHOP_PYTHON);
  if (env.DB_ENGINE !== 'sqlite')
    fs.writeFileSync(
      path.join(shop.root, '.env'),
      Object.entries(env)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
    );
  shop.manage('migrate', 'auth', '--noinput');
  shop.manage('migrate', 'store', '0002', '--noinput');
  shop.manage('migrate', 'orders', '0003', '--noinput');
  shop.manage('shell', '-c', DEMO_DATA);
  // The interpreter the user would pick: the one that imports Django.
  fs.mkdirSync(path.join(shop.root, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(shop.root, '.vscode', 'settings.json'), JSON.stringify({ 'migrationLens.pythonPath': SHOP_PYTHON }, null, 2));
  return shop.root;
}

/** The generated large project, with the interpreter that imports Django (its settings still fail). */
function prepareLarge(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-large-'));
  writeLargeProject(root);
  fs.mkdirSync(path.join(root, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(root, '.vscode', 'settings.json'), JSON.stringify({ 'migrationLens.pythonPath': PYTHON }, null, 2));
  return root;
}

async function main(): Promise<void> {
  const only = process.env.MIGRATION_LENS_UI_ONLY?.split(',');
  const desktop = process.env.MIGRATION_LENS_VSCODE;
  const launcher = path.join(REPO, 'test', 'host', 'code-server-launcher.mjs');
  const shots = path.join(REPO, 'test-results', 'screenshots');
  const pg = SERVERS.find((s) => s.engine === 'postgres')!;
  const scenarios: Scenario[] = [
    { name: 'sqlite', suite: 'trusted', env: { DB_ENGINE: 'sqlite' } },
    { name: 'postgres', suite: 'trusted' },
    { name: 'untrusted', suite: 'untrusted', env: { DB_ENGINE: 'sqlite' } },
    { name: 'multiroot', suite: 'multiroot', env: { DB_ENGINE: 'sqlite' } },
    { name: 'faults', suite: 'faults', env: { DB_ENGINE: 'sqlite' } },
    // A fresh clone of a big project on a branch: no database configured, Django cannot start.
    { name: 'large', suite: 'large' },
  ];
  let failed = 0;
  for (const s of scenarios) {
    if (only && !only.includes(s.name)) continue;
    if (s.suite !== 'trusted' && process.env.MIGRATION_LENS_UI_BENCH) continue;
    if (s.suite === 'untrusted' && desktop) {
      console.log(`ui ${s.name}: skipped — runTests disables workspace trust in a desktop VS Code`);
      continue;
    }
    let env = s.env ?? {};
    let drop = () => undefined as void;
    if (s.name === 'postgres') {
      const ping = admin(pg, 'ping');
      if (!ping.ok) {
        const why = `PostgreSQL at ${pg.env.DB_HOST}:${pg.env.DB_PORT} is not reachable (${ping.error})`;
        if (process.env.CI === 'true') throw new Error(`${why}; CI needs it`);
        console.log(`ui ${s.name}: skipped — ${why}`);
        continue;
      }
      const name = `ml_ui_${process.pid}`;
      const created = admin(pg, 'create', name);
      if (!created.ok) throw new Error(`creating ${name}: ${created.error}`);
      env = { ...pg.env, DB_NAME: name };
      drop = () => void admin(pg, 'drop', name);
    }
    const workspace = s.suite === 'large' ? prepareLarge() : prepareShop(env);
    // Multi-root: a second shop as a second folder, one migration further on its own database.
    let second: string | undefined;
    let launch = workspace;
    if (s.suite === 'multiroot') {
      second = prepareShop(env);
      projectAt(second, env).manage('migrate', 'orders', '0004', '--noinput');
      launch = path.join(path.dirname(workspace), `ml-multiroot-${process.pid}.code-workspace`);
      fs.writeFileSync(launch, JSON.stringify({ folders: [{ path: workspace }, { path: second }], settings: { 'migrationLens.pythonPath': SHOP_PYTHON } }));
    }
    const started = Date.now();
    console.log(`ui ${s.name}: ${workspace}`);
    try {
      await runTests({
        vscodeExecutablePath: desktop || launcher,
        extensionDevelopmentPath: REPO,
        extensionTestsPath: path.join(__dirname, 'suite', 'index.js'),
        launchArgs: [launch],
        extensionTestsEnv: {
          MIGRATION_LENS_UI_SUITE: process.env.MIGRATION_LENS_UI_BENCH ? 'bench' : s.suite,
          MIGRATION_LENS_UI_ENGINE: s.name,
          MIGRATION_LENS_SCREENSHOTS: shots,
          MIGRATION_LENS_UNTRUSTED: s.suite === 'untrusted' ? '1' : '',
          MIGRATION_LENS_UI_WORKSPACE: workspace,
          MIGRATION_LENS_UI_SECOND: second ?? '',
          MIGRATION_LENS_UI_DB_ENV: JSON.stringify(env),
        },
      });
      console.log(`ui ${s.name}: passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } catch (err) {
      failed++;
      console.error(`ui ${s.name}: FAILED (${(err as Error).message})`);
    } finally {
      drop();
      fs.rmSync(workspace, { recursive: true, force: true });
      if (second) fs.rmSync(second, { recursive: true, force: true });
      if (launch !== workspace) fs.rmSync(launch, { force: true });
    }
  }
  if (failed) process.exit(1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
