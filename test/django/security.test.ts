// Hostile input against the real runner, bridge and databases: names with quotes, semicolons,
// backticks, `$()`, newlines and path separators never reach a shell or a SQL string unquoted; a
// password (from DB_PASSWORD, .env or the secret store) never appears in a log line, an output, an
// error or an outcome message. (Probes on hostile table and column names: test/db/live-data.test.ts.)
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Bridge, BridgeError } from '../../core/src/django/bridge';
import { classify } from '../../core/src/django/outcome';
import { djangoEnv } from '../../core/src/django/environment';
import { InvalidArgumentError, manageArgs, runManage } from '../../core/src/django/runner';
import { ProjectDatabase } from '../../core/src/database/session';
import { BRIDGE_SCRIPT, DJANGOS, requireDjango } from '../helpers/djangos';
import { shopCopy } from '../helpers/django-project';
import { requireServer, SERVERS } from '../helpers/servers';

const rt = DJANGOS[0];
const MARKER = path.join(os.tmpdir(), `ml-pwned-${process.pid}`);
const HOSTILE = [`$(touch ${MARKER})`, `\`touch ${MARKER}\``, `x; touch ${MARKER}`, `x' OR '1'='1`, 'x"; DROP TABLE django_migrations; --', 'x\ny', '../../../etc/passwd', '--fake', '-c', 'x`y', ''];

describe('security: hostile names and secrets', function () {
  this.timeout(120_000);
  before(function () {
    requireDjango(this, rt);
    fs.rmSync(MARKER, { force: true });
  });
  afterEach(() => assert.ok(!fs.existsSync(MARKER), 'a hostile name was executed'));

  it('the runner refuses hostile app labels and migration names before anything is spawned', async () => {
    const shop = shopCopy({ DB_ENGINE: 'sqlite' });
    try {
      for (const bad of HOSTILE) {
        // An empty target means "no target" (the whole app), as on migrate's command line.
        for (const args of bad
          ? [
              { app: bad, target: 'zero' },
              { app: 'store', target: bad },
            ]
          : [{ app: bad, target: 'zero' }]) {
          assert.throws(() => manageArgs.migrate(args), InvalidArgumentError, JSON.stringify(args));
        }
        assert.throws(() => manageArgs.makemigrations({ apps: [bad], merge: true }), InvalidArgumentError, JSON.stringify(bad));
        // Passed straight to runManage (as a caller that skipped manageArgs would): one argv element, no shell.
        if (bad.startsWith('-')) continue;
        const r = await runManage(['migrate', 'store', bad || 'x', '--noinput'], { python: rt.python, projectRoot: shop.root, env: { ...process.env, ...rt.env, ...shop.env } });
        assert.notStrictEqual(r.code, 0, `migrate store ${JSON.stringify(bad)} did something`);
        assert.match(r.stderr, /Cannot find a migration matching|does not have migrations|CommandError/, r.stderr);
      }
      assert.deepStrictEqual(shop.recorded(), [], 'nothing was applied');
    } finally {
      shop.dispose();
    }
  });

  it('the bridge answers hostile names as unknown migrations and runs nothing', async () => {
    const shop = shopCopy({ DB_ENGINE: 'sqlite' });
    shop.manage('migrate', 'store', '0001', '--noinput');
    const before = shop.recorded();
    const bridge = new Bridge({ python: rt.python, projectRoot: shop.root, script: BRIDGE_SCRIPT, env: { ...process.env, ...rt.env, ...shop.env } });
    try {
      for (const bad of HOSTILE) {
        for (const params of [
          { app: 'store', name: bad },
          { app: bad, name: '0001_initial' },
        ]) {
          await assert.rejects(bridge.request('sql', params), (e: BridgeError) => ['not-found', 'ambiguous'].includes(e.kind), JSON.stringify(params));
        }
        if (bad) await assert.rejects(bridge.request('plan', { app: 'store', target: bad }), BridgeError, JSON.stringify(bad));
      }
      assert.ok((await bridge.request('ping')).pid > 0, 'the bridge still answers');
      assert.deepStrictEqual(shop.recorded(), before);
    } finally {
      bridge.dispose();
      shop.dispose();
    }
  });

  it('a password given through .env, DB_PASSWORD or the secret store never shows in logs, output, errors or outcomes', async function () {
    const maria = SERVERS.find((s) => s.engine === 'mysql')!;
    requireServer(this, maria);
    const secret = `Pw-${process.pid}-$(touch ${MARKER});\`id\``;
    const shop = shopCopy({});
    fs.writeFileSync(path.join(shop.root, '.env'), `DB_ENGINE=mysql\nDB_HOST=127.0.0.1\nDB_PORT=3306\nDB_USER=root\nDB_NAME=test\nDB_PASSWORD='${secret}'\n`);
    const seen: string[] = [];
    try {
      // manage.py with the .env's wrong password (MariaDB's root has none): output and the classified outcome.
      const env = { ...process.env, ...rt.env, ...djangoEnv(shop.root, undefined, {}) };
      const r = await runManage(manageArgs.migrate({}), { python: rt.python, projectRoot: shop.root, env, onOutput: (t) => seen.push(t) });
      const outcome = classify(r);
      assert.strictEqual(outcome.kind, 'auth', outcome.message);
      seen.push(r.stdout, r.stderr, outcome.message, outcome.cause ?? '');
      // The bridge: its log lines and its errors.
      const bridge = new Bridge({ python: rt.python, projectRoot: shop.root, script: BRIDGE_SCRIPT, env, log: (l) => seen.push(l) });
      try {
        const state = await bridge.request('state');
        seen.push(JSON.stringify(state.appliedError));
        const dbs = await bridge.request('databases');
        assert.strictEqual(dbs.databases.default.password, secret, 'the bridge hands the password to the extension only');
      } catch (e) {
        seen.push(String(e), (e as BridgeError).detail ?? '');
      } finally {
        bridge.dispose();
      }
      // The extension's own reader, from .env and from the secret store.
      const project = new ProjectDatabase(shop.root);
      for (const inputs of [
        { projectRoot: shop.root, env: {} },
        { projectRoot: shop.root, env: {}, storedPassword: secret },
      ]) {
        const report = await project.readApplied(inputs);
        assert.ok(report.problem, 'the wrong password is reported');
        seen.push(report.description, report.problem!.message);
      }
      await project.close();
      const leaked = seen.filter((t) => t.includes(secret) || t.includes(`Pw-${process.pid}`));
      assert.deepStrictEqual(leaked, []);
      assert.ok(seen.join('\n').length > 100, 'there was output to check');
    } finally {
      shop.dispose();
    }
  });
});
