// Which interpreter runs Django, the environment manage.py gets, and settings.DATABASES as a connection.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fromDjangoSettings, resolveConnection } from '../../core/src/config/connection';
import { describeInterpreter, resolveInterpreter } from '../../core/src/config/interpreter';
import { djangoEnv } from '../../core/src/django/environment';
import { unsupportedDjango } from '../../core/src/django/bridge';

describe('interpreter resolution', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-interp-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('takes migrationLens.pythonPath first, resolving ${workspaceFolder} and relative paths', () => {
    fs.mkdirSync(path.join(dir, '.venv', 'bin'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.venv', 'bin', 'python'), '');
    assert.deepStrictEqual(resolveInterpreter({ setting: '${workspaceFolder}/env/bin/python', projectRoot: dir, pythonExtension: '/x/python' }), {
      python: path.join(dir, 'env/bin/python'),
      source: 'setting',
    });
    assert.strictEqual(resolveInterpreter({ setting: 'tools/python', projectRoot: path.join(dir, 'sub'), workspaceFolder: dir }).python, path.join(dir, 'tools/python'));
    assert.strictEqual(resolveInterpreter({ setting: 'python3.11', projectRoot: dir }).python, 'python3.11');
  });

  it("then the Python extension's interpreter, then .venv / venv, then python3", () => {
    assert.deepStrictEqual(resolveInterpreter({ projectRoot: dir, pythonExtension: '/opt/py/bin/python' }), { python: '/opt/py/bin/python', source: 'python-extension' });
    assert.deepStrictEqual(resolveInterpreter({ projectRoot: dir }), { python: 'python3', source: 'default' });
    fs.mkdirSync(path.join(dir, 'venv', 'bin'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'venv', 'bin', 'python'), '');
    assert.deepStrictEqual(resolveInterpreter({ projectRoot: dir }), { python: path.join(dir, 'venv', 'bin', 'python'), source: 'venv' });
    fs.mkdirSync(path.join(dir, '.venv', 'Scripts'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.venv', 'Scripts', 'python.exe'), '');
    assert.strictEqual(resolveInterpreter({ projectRoot: dir, platform: 'win32' }).python, path.join(dir, '.venv', 'Scripts', 'python.exe'));
    assert.match(describeInterpreter({ python: 'python3', source: 'default' }), /python3 \(the default\)/);
  });
});

describe("manage.py's environment", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-env-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('adds .env values the environment lacks, as python-dotenv does', () => {
    fs.writeFileSync(path.join(dir, '.env'), 'DB_ENGINE=postgres\nDB_NAME=from_dotenv\nSECRET=x\n');
    const env = djangoEnv(dir, undefined, { PATH: '/bin', DB_NAME: 'from_process' });
    assert.strictEqual(env.DB_ENGINE, 'postgres');
    assert.strictEqual(env.DB_NAME, 'from_process');
    assert.strictEqual(env.SECRET, 'x');
    assert.strictEqual(env.PYTHONUNBUFFERED, '1');
  });

  it('passes the database configured in the extension, with the stored password, as DB_*', () => {
    fs.writeFileSync(path.join(dir, '.env'), 'DB_PASSWORD=old\n');
    const c = resolveConnection({ projectRoot: dir, settings: { engine: 'mysql', host: 'db.local', port: 3307, name: 'shop', user: 'app' }, storedPassword: 's3cret', env: {} });
    const env = djangoEnv(dir, c, {});
    assert.deepStrictEqual([env.DB_ENGINE, env.DB_HOST, env.DB_PORT, env.DB_NAME, env.DB_USER, env.DB_PASSWORD], ['mysql', 'db.local', '3307', 'shop', 'app', 's3cret']);
    const sqlite = resolveConnection({ projectRoot: dir, settings: { engine: 'sqlite', name: 'x.db' }, env: {} });
    assert.strictEqual(djangoEnv(dir, sqlite, {}).DB_NAME, path.join(dir, 'x.db'));
    // Values Django itself reported are not fed back to it.
    const fromDjango = resolveConnection({ projectRoot: dir, env: {}, django: { engine: 'postgres', host: 'h', port: 5432, database: 'd', user: 'u', password: 'p' } });
    assert.strictEqual(djangoEnv(dir, fromDjango, {}).DB_PASSWORD, 'old');
  });
});

describe('settings.DATABASES as a connection', () => {
  const base = { user: '', password: '', host: '', port: '' };
  it('maps each backend Django names, and refuses one the readers lack', () => {
    assert.deepStrictEqual(fromDjangoSettings({ ...base, engine: 'sqlite', backend: 'django.db.backends.sqlite3', name: 'db.sqlite3' }, '/p'), { engine: 'sqlite', file: '/p/db.sqlite3' });
    assert.deepStrictEqual(fromDjangoSettings({ ...base, engine: 'postgres', backend: 'django.db.backends.postgresql', name: 'shop', host: '/var/run/postgresql' }, '/p'), {
      engine: 'postgres',
      host: '127.0.0.1',
      port: 5432,
      database: 'shop',
      user: 'postgres',
      password: undefined,
    });
    assert.deepStrictEqual(fromDjangoSettings({ ...base, engine: 'mysql', backend: 'django.db.backends.mysql', name: 'shop', host: 'db', port: '3307', user: 'u', password: 'pw' }, '/p'), {
      engine: 'mysql',
      host: 'db',
      port: 3307,
      database: 'shop',
      user: 'u',
      password: 'pw',
    });
    assert.throws(() => fromDjangoSettings({ ...base, engine: null, backend: 'django.db.backends.oracle', name: 'x' }, '/p'), /oracle, which Migration Lens cannot read/);
  });
});

describe('supported Django versions', () => {
  it('says in one sentence when the Django is older than the oldest supported, and nothing for 3.2 to 6.x', () => {
    for (const v of ['3.2.25', '4.2.28', '5.2.19', '6.1.1', '10.0']) assert.strictEqual(unsupportedDjango(v), undefined, v);
    assert.strictEqual(
      unsupportedDjango('2.2.28'),
      'Django 2.2.28 is older than 3.2, the oldest version Migration Lens supports: the analysis still works, but the SQL lenses, plans and migrate need Django 3.2 or newer in this interpreter.',
    );
    assert.match(unsupportedDjango('3.1.14')!, /^Django 3\.1\.14 is older than 3\.2/);
    assert.match(unsupportedDjango('1.11')!, /^Django 1\.11 is older/);
  });
});
