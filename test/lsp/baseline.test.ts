import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { URI } from 'vscode-uri';
import { migration, writeProject } from '../helpers/project';
import { initializeFolder, startServer } from '../helpers/lsp';
import { commitAll, git, initRepo } from '../helpers/git';
import { readBaselines, readRepoReleases } from '../../core/src/git/git-baseline';

const CREATE = 'migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("note", models.TextField()), ("total", models.IntegerField())])';
const remove = (name: string) => `migrations.RemoveField(model_name="order", name="${name}")`;

describe('the baseline in the language server', () => {
  it('publishes risk in migrations unchanged on main as hints, new work at full severity, and follows a merge', async () => {
    const root = writeProject({
      'orders/migrations/__init__.py': '',
      'orders/migrations/0001_initial.py': migration([], [CREATE]),
      'orders/migrations/0002_old.py': migration([['orders', '0001_initial']], [remove('note'), 'migrations.RunPython(forwards)']),
    });
    initRepo(root);
    git(root, 'checkout', '--quiet', '-b', 'feature');
    fs.writeFileSync(path.join(root, 'orders/migrations/0003_new.py'), migration([['orders', '0002_old']], [remove('total')]));
    const server = startServer({});
    let asked = 0;
    // The client's side of the request, as the extension answers it: git through readBaselines.
    server.connection.onRequest('migrationLens/baseline', async (p: { paths: string[] }) => {
      asked++;
      return { repos: await readBaselines(p.paths) };
    });
    try {
      await initializeFolder(server, root, { baseline: true });
      const uri = (rel: string) => URI.file(path.join(root, 'orders/migrations', rel)).toString();
      const severityOf = (rel: string, code: string) => server.diagnostics.get(uri(rel))?.diagnostics.find((d) => d.code === code)?.severity;
      await server.waitFor((d) => d.has(uri('0002_old.py')) && d.has(uri('0003_new.py')), 'both files to be published');
      assert.strictEqual(asked, 1, 'asked before the first diagnostics');
      assert.strictEqual(severityOf('0002_old.py', 'ML101'), 4, 'history: a hint');
      assert.strictEqual(severityOf('0002_old.py', 'ML401'), 4, 'every finding of history is quiet, not only risk');
      assert.strictEqual(severityOf('0003_new.py', 'ML101'), 2, 'new work: a warning');

      // The tree learns the same from the projects request.
      const projects = (await server.connection.sendRequest('migrationLens/projects', {})) as Array<{ baselineRef?: string; apps: Array<{ migrations: Array<{ name: string; baseline?: string }> }> }>;
      assert.strictEqual(projects[0].baselineRef, 'main');
      assert.deepStrictEqual(
        projects[0].apps[0].migrations.map((m) => [m.name, m.baseline]),
        [
          ['0001_initial', 'unchanged'],
          ['0002_old', 'unchanged'],
          ['0003_new', 'new'],
        ],
      );

      // Merged and checked out on main: the client says HEAD moved, and the new work is history.
      commitAll(root, 'feature');
      git(root, 'checkout', '--quiet', 'main');
      git(root, 'merge', '--quiet', '--ff-only', 'feature');
      await server.connection.sendNotification('migrationLens/baselineChanged');
      await server.waitFor(() => severityOf('0003_new.py', 'ML101') === 4, 'the merged migration to become history');
    } finally {
      await server.stop();
    }
  });

  it('re-judges when the release tags arrive after the first answer', async () => {
    // main: 0001 shipped in 1.0.0, 0002 adds `code` after it (on main, in no release yet); the branch drops `code`.
    const root = writeProject({
      'orders/migrations/__init__.py': '',
      'orders/migrations/0001_initial.py': migration([], [CREATE]),
    });
    initRepo(root);
    git(root, 'tag', '1.0.0');
    fs.writeFileSync(path.join(root, 'orders/migrations/0002_code.py'), migration([['orders', '0001_initial']], ['migrations.AddField("order", "code", models.TextField(null=True))']));
    commitAll(root, 'code');
    git(root, 'checkout', '--quiet', '-b', 'feature');
    fs.writeFileSync(path.join(root, 'orders/migrations/0003_drop.py'), migration([['orders', '0002_code']], [remove('code')]));
    const server = startServer({});
    let withReleases = false;
    // As the extension answers: the blobs at once, the releases once read in the background.
    server.connection.onRequest('migrationLens/baseline', async (p: { paths: string[] }) => {
      const repos = await readBaselines(p.paths, { releases: false });
      if (withReleases) for (const r of repos) Object.assign(r, await readRepoReleases(r.root, p.paths));
      return { repos };
    });
    try {
      await initializeFolder(server, root, { baseline: true });
      const uri = URI.file(path.join(root, 'orders/migrations/0003_drop.py')).toString();
      const drop = () => server.diagnostics.get(uri)?.diagnostics.find((d) => d.code === 'ML101');
      await server.waitFor((d) => d.has(uri), 'the new migration to be published');
      // 0002 is on main: without the tags, nothing says it never shipped.
      assert.strictEqual(drop()?.severity, 2);
      withReleases = true;
      await server.connection.sendNotification('migrationLens/baselineChanged');
      await server.waitFor(() => drop()?.severity === 3, 'the drop to be said as information');
      assert.match(drop()!.message, /^Not a risk for the running release: the field order\.code comes from orders\.0002_code/);
    } finally {
      await server.stop();
    }
  });

  it('without a client that answers, every migration is new work', async () => {
    const root = writeProject({ 'orders/migrations/0001_initial.py': migration([], [CREATE]), 'orders/migrations/0002_old.py': migration([['orders', '0001_initial']], [remove('note')]) });
    initRepo(root);
    const server = startServer({});
    try {
      await initializeFolder(server, root, { baseline: true }, {});
      const uri = URI.file(path.join(root, 'orders/migrations/0002_old.py')).toString();
      await server.waitFor((d) => d.has(uri), 'the file to be published');
      assert.strictEqual(server.diagnostics.get(uri)!.diagnostics.find((d) => d.code === 'ML101')?.severity, 2);
    } finally {
      await server.stop();
    }
  });
});
