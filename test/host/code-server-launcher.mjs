#!/usr/bin/env node
// A stand-in for the VS Code executable that @vscode/test-electron's runTests spawns, for machines
// where no desktop VS Code can be had: it turns `--extensionDevelopmentPath=… --extensionTestsPath=…
// <folder>` into a code-server run (VS Code's server and web workbench) driven by Debian's Chromium
// through playwright-core, and exits with the tests' exit code.
//
// While the tests run it serves a loopback endpoint (its URL in MIGRATION_LENS_UI_URL, which reaches
// the extension host) for what the extension API cannot do: screenshots of the workbench, reading
// and clicking a modal dialog or a notification.
//
// Environment: MIGRATION_LENS_CODE_SERVER (code-server's package dir; default: the one
// scripts/vscode-host.sh installs), MIGRATION_LENS_SCREENSHOTS (where screenshots go),
// MIGRATION_LENS_UNTRUSTED=1 (workspace trust on, the folder not trusted), MIGRATION_LENS_UI_TIMEOUT_MS.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as util from 'node:util';
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const value = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const devPath = value('extensionDevelopmentPath');
const testsPath = value('extensionTestsPath');
const folder = args.filter((a) => !a.startsWith('-')).pop();
if (!devPath || !testsPath || !folder) {
  console.error('usage: code-server-launcher --extensionDevelopmentPath=DIR --extensionTestsPath=FILE FOLDER');
  process.exit(2);
}
const untrusted = process.env.MIGRATION_LENS_UNTRUSTED === '1';
const timeoutMs = Number(process.env.MIGRATION_LENS_UI_TIMEOUT_MS || 10 * 60_000);
const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
const codeServer = process.env.MIGRATION_LENS_CODE_SERVER || path.join(cache, 'migration-lens', 'code-server-4.100.3', 'node_modules', 'code-server');
const entry = path.join(codeServer, 'out', 'node', 'entry.js');
if (!fs.existsSync(entry)) {
  console.error(`code-server not found at ${codeServer}: run scripts/vscode-host.sh`);
  process.exit(2);
}
const shots = process.env.MIGRATION_LENS_SCREENSHOTS || path.join(process.cwd(), 'test-results', 'screenshots');

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-host-'));
const userData = path.join(tmp, 'user-data');
fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
fs.mkdirSync(path.join(tmp, 'extensions'));
fs.writeFileSync(path.join(tmp, 'config.yaml'), 'auth: none\n');
fs.writeFileSync(
  path.join(userData, 'User', 'settings.json'),
  JSON.stringify({
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'security.workspace.trust.enabled': untrusted,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.untrustedFiles': 'open',
    'window.commandCenter': false,
  }),
);

let server;
let browser;
let ui;
let done = false;
async function finish(code, why) {
  if (done) return;
  done = true;
  if (why) console.error(`code-server-launcher: ${why}`);
  await browser?.close().catch(() => undefined);
  ui?.close();
  if (server?.pid) {
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGINT', () => void finish(130, 'interrupted'));
process.on('SIGTERM', () => void finish(143, 'terminated'));
setTimeout(() => void finish(1, `no result after ${timeoutMs} ms`), timeoutMs).unref();

const port = await freePort();
let page;
ui = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', async () => {
    try {
      const result = await act(JSON.parse(body || '{}'));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result }));
    } catch (err) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: String(err?.message ?? err) }));
    }
  });
});
await new Promise((r) => ui.listen(0, '127.0.0.1', r));
const uiUrl = `http://127.0.0.1:${ui.address().port}/`;

/** What a test may ask of the page. */
async function act(a) {
  if (!page) throw new Error('the workbench is not open yet');
  const timeout = a.timeout ?? 15_000;
  switch (a.action) {
    case 'screenshot': {
      fs.mkdirSync(shots, { recursive: true });
      const file = path.join(shots, `${a.name.replace(/[^\w.-]/g, '_')}.png`);
      await page.screenshot({ path: file });
      return file;
    }
    case 'text': {
      const l = page.locator(a.selector).first();
      await l.waitFor({ state: 'visible', timeout });
      return l.innerText();
    }
    case 'count':
      return page.locator(a.selector).count();
    case 'click': {
      const scope = a.within ? page.locator(a.within).first() : page;
      const l = a.name ? scope.getByRole(a.role ?? 'button', { name: a.name, exact: !!a.exact }).first() : scope.locator(a.selector).first();
      await l.click({ timeout });
      return true;
    }
    case 'type': {
      const l = page.locator(a.selector).first();
      await l.waitFor({ state: 'visible', timeout });
      await l.fill(a.text);
      return true;
    }
    case 'press':
      await page.keyboard.press(a.key);
      return true;
    case 'wait':
      await page
        .locator(a.selector)
        .first()
        .waitFor({ state: a.state ?? 'visible', timeout });
      return true;
    default:
      throw new Error(`unknown action ${a.action}`);
  }
}

server = spawn(
  process.execPath,
  [
    entry,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    ...(untrusted ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--config',
    path.join(tmp, 'config.yaml'),
    '--user-data-dir',
    userData,
    '--extensions-dir',
    path.join(tmp, 'extensions'),
  ],
  {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XDG_CONFIG_HOME: path.join(tmp, 'config'), XDG_DATA_HOME: path.join(tmp, 'data'), MIGRATION_LENS_UI_URL: uiUrl },
  },
);
let serverLog = '';
server.stdout.on('data', (d) => (serverLog += d));
server.stderr.on('data', (d) => (serverLog += d));
server.on('exit', (code) => void finish(1, `code-server exited (${code}) before the tests ended:\n${serverLog.slice(-2000)}`));

const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try {
    const r = await fetch(`${base}/healthz`);
    if (r.ok) break;
  } catch {
    // not listening yet
  }
  if (i > 300) await finish(1, `code-server did not answer on ${base}:\n${serverLog.slice(-2000)}`);
  await new Promise((r) => setTimeout(r, 100));
}

browser = await chromium.launch({
  executablePath: process.env.MIGRATION_LENS_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
page = await context.newPage();
let exited;
const exitCode = new Promise((r) => (exited = r));
await page.exposeFunction('codeAutomationLog', (type, logArgs) => {
  const line = util.format(...(Array.isArray(logArgs) ? logArgs : [logArgs]));
  if (/ENOTFOUND open-vsx\.org|open-vsx/.test(line)) return;
  (type === 'error' ? process.stderr : process.stdout).write(line + '\n');
});
await page.exposeFunction('codeAutomationExit', (code) => exited(code));
const remote = (p) => `vscode-remote://127.0.0.1:${port}${path.resolve(p)}`;
const payload = [
  ['extensionDevelopmentPath', remote(devPath)],
  ['extensionTestsPath', remote(testsPath)],
  ['skipWelcome', 'true'],
];
const open = folder.endsWith('.code-workspace') ? 'workspace' : 'folder';
await page.goto(`${base}/?${open}=${encodeURIComponent(path.resolve(folder))}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
const code = await exitCode;
server.removeAllListeners('exit');
await finish(Number(code) || 0);
