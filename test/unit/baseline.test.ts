import * as assert from 'assert';
import * as cp from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, migration, REPO, writeProject } from '../helpers/project';
import { commitAll, git, initRepo } from '../helpers/git';
import { baselineRepo, gitBlobId } from '../../server/src/analysis/baseline';
import { baseRef, GitError, readBaselines } from '../../core/src/git/git-baseline';
import type { Workspace } from '../../server/src/analysis/workspace';

const CLI = path.join(REPO, 'dist', 'cli.js');
const CREATE = 'migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("note", models.TextField()), ("total", models.IntegerField())])';
const remove = (name: string) => `migrations.RemoveField(model_name="order", name="${name}")`;

/**
 * A project on main (0001 creates a table, 0002 removes a column), then a branch `feature` that
 * edits 0001 and adds 0003, which removes another column.
 */
function project(): string {
  const root = writeProject({
    'orders/migrations/__init__.py': '',
    'orders/migrations/0001_initial.py': migration([], [CREATE]),
    'orders/migrations/0002_old.py': migration([['orders', '0001_initial']], [remove('note')]),
  });
  initRepo(root);
  git(root, 'checkout', '--quiet', '-b', 'feature');
  fs.appendFileSync(path.join(root, 'orders/migrations/0001_initial.py'), '# reviewed\n');
  fs.writeFileSync(path.join(root, 'orders/migrations/0003_new.py'), migration([['orders', '0002_old']], [remove('total')]));
  return root;
}

async function withBaseline(root: string, ref?: string): Promise<Workspace> {
  const ws = await analyze(root);
  const repos = await readBaselines(ws.paths(), { ref });
  ws.setBaseline(repos.map(baselineRepo));
  return ws;
}

describe('baseline: migrations unchanged on the base branch are history', () => {
  it('computes the blob id git computes', () => {
    const root = writeProject({ 'a.py': 'x = "é"\r\n' }, false);
    const fromGit = cp.spawnSync('git', ['hash-object', path.join(root, 'a.py')], { encoding: 'utf8' }).stdout.trim();
    assert.strictEqual(gitBlobId(fs.readFileSync(path.join(root, 'a.py'), 'utf8')), fromGit);
  });

  it('tells unchanged, modified and new migrations apart at the merge base with main', async () => {
    const root = project();
    const ws = await withBaseline(root);
    const at = (rel: string) => path.join(root, rel);
    assert.strictEqual(ws.baselineOf(at('orders/migrations/0001_initial.py')), 'modified');
    assert.strictEqual(ws.baselineOf(at('orders/migrations/0002_old.py')), 'unchanged');
    assert.strictEqual(ws.baselineOf(at('orders/migrations/0003_new.py')), 'new');
    assert.strictEqual(ws.baselineRef(at('orders/migrations/0001_initial.py')), 'main');
    assert.deepStrictEqual(
      ws.paths().filter((p) => ws.isHistory(p)),
      [at('orders/migrations/0002_old.py')],
    );
    // Committing on the branch does not make its work history: the merge base stays.
    commitAll(root, 'feature work');
    const again = await withBaseline(root);
    assert.strictEqual(again.baselineOf(at('orders/migrations/0003_new.py')), 'new');
    // Once merged into main and checked out there, it is.
    git(root, 'checkout', '--quiet', 'main');
    git(root, 'merge', '--quiet', '--ff-only', 'feature');
    const merged = await withBaseline(root);
    assert.strictEqual(merged.baselineOf(at('orders/migrations/0003_new.py')), 'unchanged');
  });

  it('lets the database decide once it is read, and is nothing without git', async () => {
    const root = project();
    const ws = await withBaseline(root);
    const first = path.join(root, 'orders/migrations/0002_old.py');
    ws.setApplied(root, []);
    assert.strictEqual(ws.isHistory(first), false, 'the database has applied nothing: it is pending, not history');
    ws.setApplied(root, undefined);
    assert.strictEqual(ws.isHistory(first), true);

    const plain = writeProject({ 'orders/migrations/0001_initial.py': migration([], [CREATE]) });
    const none = await withBaseline(plain);
    assert.strictEqual(none.baselineOf(path.join(plain, 'orders/migrations/0001_initial.py')), undefined);
    assert.strictEqual(none.isHistory(path.join(plain, 'orders/migrations/0001_initial.py')), false);
    // An unsaved edit in the editor is new work until it matches the base again.
    const text = fs.readFileSync(first, 'utf8');
    ws.update(first, text + '\n# edited\n');
    assert.strictEqual(ws.baselineOf(first), 'modified');
    ws.update(first, text);
    assert.strictEqual(ws.baselineOf(first), 'unchanged');
  });

  it('counts a new squash of history as history: it runs only on an empty database', async () => {
    const root = writeProject({
      'orders/migrations/0001_initial.py': migration([], [CREATE]),
      'orders/migrations/0002_old.py': migration([['orders', '0001_initial']], [remove('note')]),
    });
    initRepo(root);
    const squash = path.join(root, 'orders/migrations/0001_squashed_0002_old.py');
    fs.writeFileSync(squash, migration([], [CREATE, remove('note')], 'replaces = [("orders", "0001_initial"), ("orders", "0002_old")]'));
    const ws = await withBaseline(root);
    assert.strictEqual(ws.baselineOf(squash), 'unchanged');
    assert.strictEqual(ws.isHistory(squash), true);
    // Once a migration it replaces is this branch's work, so is the squash.
    fs.appendFileSync(path.join(root, 'orders/migrations/0002_old.py'), '# edited\n');
    assert.strictEqual((await withBaseline(root)).baselineOf(squash), 'new');
  });

  it("finds the upstream's default branch, falls back to main or master, and refuses a missing ref", async () => {
    const upstream = project();
    commitAll(upstream, 'feature work');
    git(upstream, 'checkout', '--quiet', '-b', 'trunk', 'main');
    git(upstream, 'branch', '--quiet', '-D', 'main');
    const clone = writeProject({}, false);
    git(clone, 'clone', '--quiet', upstream, '.');
    assert.strictEqual(await baseRef(clone, undefined), 'origin/trunk');
    assert.strictEqual(await baseRef(upstream, undefined), undefined, 'no origin, no main, no master');
    git(upstream, 'branch', '--quiet', 'master', 'trunk');
    assert.strictEqual(await baseRef(upstream, undefined), 'master');
    await assert.rejects(baseRef(upstream, 'release/9'), (e: Error) => e instanceof GitError && /release\/9 does not exist/.test(e.message));
  });

  it('check --baseline: history becomes hints and no longer fails the check; new work does', () => {
    const root = project();
    const run = (...args: string[]) => cp.spawnSync(process.execPath, [CLI, 'check', '--fail-on', 'high', ...args], { cwd: root, encoding: 'utf8' });
    const without = run();
    assert.strictEqual(without.status, 1, without.stdout);
    assert.match(without.stdout, /^orders\/migrations\/0002_old\.py\n.* warning .*ML101/m);
    const withBase = run('--baseline', 'main');
    assert.match(withBase.stdout, /^orders\/migrations\/0002_old\.py\n.* hint .*ML101/m);
    assert.match(withBase.stdout, /^orders\/migrations\/0003_new\.py\n.* warning .*ML101/m);
    assert.strictEqual(withBase.status, 1, 'the new migration still removes a column');
    assert.match(withBase.stderr, /1 of 3 migrations unchanged since main \(history\); 2 new or modified/);
    fs.rmSync(path.join(root, 'orders/migrations/0003_new.py'));
    const clean = run('--baseline', 'auto');
    assert.strictEqual(clean.status, 0, clean.stdout + clean.stderr);
    const missing = run('--baseline', 'nope');
    assert.strictEqual(missing.status, 2);
    assert.match(missing.stderr, /--baseline: the baseline ref nope does not exist/);
  });
});
