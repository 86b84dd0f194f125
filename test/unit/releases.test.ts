// Releases from git: which version tag first shipped each migration. A table or field introduced
// earlier in the same release is unknown to the release still running, so the risks that need the
// running release to know it are moot. Real repositories, real git.
import * as assert from 'assert';
import * as cp from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, findingsOf, migration, REPO, tempDir, writeProject } from '../helpers/project';
import { commitAll, git, initRepo } from '../helpers/git';
import { baselineRepo } from '../../server/src/analysis/baseline';
import { readBaselines } from '../../core/src/git/git-baseline';
import type { Workspace } from '../../server/src/analysis/workspace';

const CLI = path.join(REPO, 'dist', 'cli.js');
const CREATE = 'migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("total", models.IntegerField())])';
const dep = (name: string): Array<[string, string]> => [['orders', name]];
const write = (root: string, rel: string, text: string) => fs.writeFileSync(path.join(root, 'orders/migrations', rel), text);

/** A repository whose 0001 (Order) is tagged 1.0.0: what comes after is in no release yet. */
function released(): string {
  const root = writeProject({ 'orders/migrations/__init__.py': '', 'orders/migrations/0001_initial.py': migration([], [CREATE]) });
  initRepo(root);
  git(root, 'tag', '1.0.0');
  return root;
}

/**
 * 0001 (tag v1.0.0) creates Order; 0002 (tag 1.1.0-rc1, so release 1.1.0) adds `note`; then, in no
 * release yet: 0003 drops `note` and adds `code`, 0004 drops `code` and creates Item, 0005 adds a
 * NOT NULL column to Item and one to Order.
 */
function tagged(): string {
  const root = writeProject({ 'orders/migrations/__init__.py': '', 'orders/migrations/0001_initial.py': migration([], [CREATE]) });
  initRepo(root);
  git(root, 'tag', 'v1.0.0');
  write(root, '0002_note.py', migration(dep('0001_initial'), ['migrations.AddField("order", "note", models.TextField(null=True))']));
  commitAll(root, 'note');
  git(root, 'tag', '1.1.0-rc1');
  write(root, '0003_code.py', migration(dep('0002_note'), ['migrations.RemoveField("order", "note")', 'migrations.AddField("order", "code", models.CharField(max_length=10, null=True))']));
  commitAll(root, 'code');
  write(root, '0004_item.py', migration(dep('0003_code'), ['migrations.RemoveField("order", "code")', 'migrations.CreateModel(name="Item", fields=[("id", models.AutoField(primary_key=True))])']));
  commitAll(root, 'item');
  write(
    root,
    '0005_flags.py',
    migration(dep('0004_item'), ['migrations.AddField("item", "flag", models.BooleanField(default=False))', 'migrations.AddField("order", "flag", models.BooleanField(default=False))']),
  );
  commitAll(root, 'flags');
  return root;
}

async function withReleases(root: string, opts: { releasesOnly?: boolean } = {}): Promise<Workspace> {
  const ws = await analyze(root);
  ws.setBaseline((await readBaselines(ws.paths(), { releasesOnly: opts.releasesOnly })).map(baselineRepo));
  return ws;
}

const mootOf = (ws: Workspace, root: string, rel: string, code: string) => findingsOf(ws, root, `orders/migrations/${rel}`, code).map((f) => f.moot);

describe('releases: what the release still running knows', () => {
  it('reads the release that first shipped each migration from version tags', async () => {
    const root = tagged();
    const [repo] = await readBaselines([path.join(root, 'orders/migrations/0001_initial.py'), path.join(root, 'orders/migrations/0003_code.py'), path.join(root, 'orders/migrations/0002_note.py')], {
      releasesOnly: true,
    });
    assert.deepStrictEqual(repo.releases, {
      // The oldest version tag, numbered as a first release (1.0): nothing ran before it.
      [path.join(root, 'orders/migrations/0001_initial.py')]: 'first:1.0.0',
      // A pre-release tag counts as its release.
      [path.join(root, 'orders/migrations/0002_note.py')]: '1.1.0',
    });
  });

  it('takes an oldest tag numbered as a first release for one, unless it ships a squash of older migrations', async () => {
    const shelf = 'migrations.CreateModel(name="Shelf", fields=[("id", models.AutoField(primary_key=True))])';
    const add = 'migrations.AddField("shelf", "updated", models.DateTimeField(default=django.utils.timezone.now))';
    const repo = (tag: string, first: string, extra = '') => {
      const root = writeProject({ 'orders/migrations/__init__.py': '', [`orders/migrations/${first}.py`]: migration([], [shelf], extra) });
      write(root, '0002_updated.py', migration(dep(first), [add]));
      initRepo(root);
      git(root, 'tag', tag);
      return root;
    };
    const ml204 = async (root: string) => findingsOf(await withReleases(root, { releasesOnly: true }), root, 'orders/migrations/0002_updated.py', 'ML204').map((f) => !!f.moot);
    assert.deepStrictEqual(await ml204(repo('v0.0.1', '0001_initial')), [true], 'the table and the column both came with the first release');
    assert.deepStrictEqual(await ml204(repo('1.0', '0001_initial')), [true]);
    assert.deepStrictEqual(await ml204(repo('v2016.07.0', '0001_initial')), [true], 'a calendar number counts no release before it');
    assert.deepStrictEqual(await ml204(repo('3.8.17', '0001_initial')), [false], 'tagging began after releases were made');
    // Older releases squashed into the first tag: a table created after the squash is still of unknown age.
    const squashed = repo('v0.0.2', '0001_initial');
    write(squashed, '0000_squashed_0009_old.py', migration([], [], 'replaces = [("orders", "0001_old")]'));
    commitAll(squashed, 'squash');
    git(squashed, 'tag', '-f', 'v0.0.2');
    assert.deepStrictEqual(await ml204(squashed), [false], 'older releases were squashed into it');
    // A migration that stands in for one of a renamed app (one `replaces` entry) folds in no history.
    const renamedApp = repo('v0.0.2', '0001_initial', 'replaces = [("oldorders", "0001_initial")]');
    assert.deepStrictEqual(await ml204(renamedApp), [true], 'an app renamed: one migration for one');
    // A squash settled before the first tag (its `replaces` gone) is an ordinary migration: no older release.
    const settled = repo('v0.0.2', '0001_initial');
    write(settled, '0000_squashed_0009_old.py', migration([], []));
    commitAll(settled, 'settled squash');
    git(settled, 'tag', '-f', 'v0.0.2');
    assert.deepStrictEqual(await ml204(settled), [true], 'a squash without replaces tells of no older release');
  });

  it('follows a migrations folder moved with its app, and ignores tags that are no version', async () => {
    const root = tagged();
    // 2.0.0 ships 0003-0005; then the app moves to `sales` (git sees renames) and a dated tag is made.
    git(root, 'tag', '2.0.0');
    git(root, 'mv', 'orders', 'sales');
    commitAll(root, 'rename the app');
    git(root, 'tag', '2024-05-refresh');
    fs.writeFileSync(path.join(root, 'sales/migrations/0006_more.py'), migration([['orders', '0005_flags']], ['migrations.AddField("order", "more", models.IntegerField(null=True))']));
    commitAll(root, 'more');
    const at = (name: string) => path.join(root, 'sales/migrations', name);
    const [repo] = await readBaselines([at('0002_note.py'), at('0004_item.py'), at('0006_more.py')], { releasesOnly: true });
    assert.deepStrictEqual(repo.releases, { [at('0002_note.py')]: '1.1.0', [at('0004_item.py')]: '2.0.0' });
  });

  it('judges a field or table introduced earlier in the same release as unknown to the running release', async () => {
    const ws = await withReleases(tagged(), { releasesOnly: true });
    const root = path.dirname(path.dirname(path.dirname(ws.paths()[0])));
    // `note` shipped in 1.1.0: dropping it breaks 1.1.0 while 0003 runs. Positive stays a warning.
    assert.deepStrictEqual(mootOf(ws, root, '0003_code.py', 'ML101'), [undefined]);
    // `code` came with 0003, in no release yet like 0004: no deployed code has it.
    const [drop] = findingsOf(ws, root, 'orders/migrations/0004_item.py', 'ML101');
    assert.match(drop.moot ?? '', /the field order\.code comes from orders\.0003_code, which, like this migration, no release has shipped yet/);
    assert.match(drop.message, /^Not a risk for the running release/);
    assert.doesNotMatch(drop.message, /Safe way/);
    // A NOT NULL column on a table of this release: the running release never inserts into it.
    const flags = findingsOf(ws, root, 'orders/migrations/0005_flags.py', 'ML204');
    assert.deepStrictEqual(
      flags.map((f) => [f.data?.model, !!f.moot]),
      [
        ['item', true],
        ['order', false],
      ],
    );
  });

  it('judges a name a RenameField of this release gave the field as unknown to the running release, unless db_column kept the column', async () => {
    const root = released();
    write(
      root,
      '0002_note.py',
      migration(dep('0001_initial'), ['migrations.AddField("order", "note", models.TextField(null=True))', 'migrations.AddField("order", "memo", models.TextField(null=True, db_column="memo"))']),
    );
    commitAll(root, 'note');
    git(root, 'tag', '1.1.0');
    // Unreleased: the columns are renamed (memo's stays: db_column pins it), then both fields dropped.
    write(root, '0003_rename.py', migration(dep('0002_note'), ['migrations.RenameField("order", "note", "remark")', 'migrations.RenameField("order", "memo", "aside")']));
    write(root, '0004_drop.py', migration(dep('0003_rename'), ['migrations.RemoveField("order", "remark")', 'migrations.RemoveField("order", "aside")']));
    commitAll(root, 'rename and drop');
    const ws = await withReleases(root, { releasesOnly: true });
    // 1.1.0 knows `note`: it broke at the rename (ML201 there); the drop of `remark` breaks nothing more.
    assert.strictEqual(findingsOf(ws, root, 'orders/migrations/0003_rename.py', 'ML201').length, 1);
    const [remark, aside] = findingsOf(ws, root, 'orders/migrations/0004_drop.py', 'ML101');
    assert.match(remark.moot ?? '', /the name order\.remark \(its column renamed\) comes from orders\.0003_rename, which, like this migration, no release has shipped yet/);
    // `aside` still reads column memo, which 1.1.0 selects: dropping it breaks the running release.
    assert.strictEqual(aside.moot, undefined);
    assert.match(aside.message, /drops column "memo"/);
  });

  it('judges a type change of a field of this release moot, unless a data step of the release filled it', async () => {
    const root = released();
    // Unreleased: `rir` and `grade` come as text; a data step fills `grade`; then both become numbers.
    write(
      root,
      '0002_rir.py',
      migration(dep('0001_initial'), [
        'migrations.AddField("order", "rir", models.CharField(max_length=3, null=True))',
        'migrations.AddField("order", "grade", models.CharField(max_length=3, null=True))',
      ]),
    );
    write(root, '0003_fill.py', migration(dep('0002_rir'), ['migrations.RunSQL("UPDATE orders_order SET grade = \'1\'", migrations.RunSQL.noop)']));
    write(
      root,
      '0004_numbers.py',
      migration(dep('0003_fill'), [
        'migrations.AlterField("order", "rir", models.DecimalField(max_digits=2, decimal_places=1, null=True))',
        'migrations.AlterField("order", "grade", models.DecimalField(max_digits=2, decimal_places=1, null=True))',
        'migrations.AlterField("order", "total", models.UUIDField())',
      ]),
    );
    commitAll(root, 'rir');
    const ws = await withReleases(root, { releasesOnly: true });
    const byField = Object.fromEntries(findingsOf(ws, root, 'orders/migrations/0004_numbers.py', 'ML103').map((f) => [f.data?.field, f.moot]));
    assert.match(byField.rir ?? '', /the field order\.rir comes from orders\.0002_rir, which, like this migration, no release has shipped yet/);
    assert.strictEqual(byField.grade, undefined, 'a data step of the release wrote values that may not convert');
    assert.strictEqual(byField.total, undefined, '1.0.0 wrote `total`');
    assert.deepStrictEqual(Object.keys(byField).sort(), ['grade', 'rir', 'total']);
  });

  it('ML204 on a column added again in this release under a name the running release has: its inserts name it', async () => {
    const root = released();
    // Unreleased: `total` (1.0.0 has it) is dropped and added again as JSON; `tmp` comes and goes within the release.
    write(root, '0002_drop.py', migration(dep('0001_initial'), ['migrations.RemoveField("order", "total")', 'migrations.AddField("order", "tmp", models.TextField(null=True))']));
    write(root, '0003_drop_tmp.py', migration(dep('0002_drop'), ['migrations.RemoveField("order", "tmp")']));
    write(
      root,
      '0004_again.py',
      migration(dep('0003_drop_tmp'), ['migrations.AddField("order", "total", models.JSONField(default=dict))', 'migrations.AddField("order", "tmp", models.JSONField(default=dict))']),
    );
    commitAll(root, 'again');
    const ws = await withReleases(root, { releasesOnly: true });
    const byField = Object.fromEntries(findingsOf(ws, root, 'orders/migrations/0004_again.py', 'ML204').map((f) => [f.data?.field, f.message]));
    assert.match(byField.total, /in place of the one of that name orders\.0002_drop took out of the model: the release still running has the field, so its inserts pass/);
    assert.match(byField.tmp, /inserts from the release still running during the deploy do not name the column and fail/);
    // Without the releases only this migration counts: `total` is then an ordinary new column.
    ws.setBaseline(undefined);
    assert.match(findingsOf(ws, root, 'orders/migrations/0004_again.py', 'ML204')[0].message, /do not name the column and fail/);
  });

  it('ML202 leaves a column swap of this release to ML101, and keeps a primary key swap (the running release omits the key)', async () => {
    const root = released();
    write(
      root,
      '0002_new.py',
      migration(dep('0001_initial'), ['migrations.AddField("order", "total_new", models.BigIntegerField(null=True))', 'migrations.AddField("order", "uuid", models.UUIDField(null=True))']),
    );
    write(
      root,
      '0003_swap.py',
      migration(dep('0002_new'), [
        'migrations.AlterField("order", "total_new", models.BigIntegerField())',
        'migrations.RemoveField("order", "total")',
        'migrations.RenameField("order", "total_new", "total")',
        'migrations.AlterField("order", "uuid", models.UUIDField())',
        'migrations.RemoveField("order", "id")',
        'migrations.RenameField("order", "uuid", "id")',
      ]),
    );
    commitAll(root, 'swap');
    const ws = await withReleases(root, { releasesOnly: true });
    assert.deepStrictEqual(
      findingsOf(ws, root, 'orders/migrations/0003_swap.py', 'ML202').map((f) => f.data?.field),
      ['uuid'],
    );
    assert.ok(findingsOf(ws, root, 'orders/migrations/0003_swap.py', 'ML101').some((f) => f.data?.field === 'total' && f.data?.swap === 'total_new'));
  });

  it('ML202 on a field of this release of a one-row settings table: the running release inserts no row; a filled field is quiet', async () => {
    const settings = 'migrations.CreateModel(name="SiteSettings", fields=[("id", models.AutoField(primary_key=True))])';
    const root = writeProject({ 'orders/migrations/__init__.py': '', 'orders/migrations/0001_initial.py': migration([], [CREATE, settings]) });
    initRepo(root);
    git(root, 'tag', '1.0.0');
    write(
      root,
      '0002_site.py',
      migration(dep('0001_initial'), [
        'migrations.AddField("sitesettings", "domain", models.CharField(max_length=50, null=True))',
        'migrations.AddField("order", "site", models.CharField(max_length=50, null=True))',
      ]),
    );
    write(
      root,
      '0003_fill.py',
      migration(dep('0002_site'), [
        'migrations.RunSQL("UPDATE orders_sitesettings SET domain = \'x\'", migrations.RunSQL.noop)',
        'migrations.RunSQL("UPDATE orders_order SET site = \'x\'", migrations.RunSQL.noop)',
        'migrations.AlterField("sitesettings", "domain", models.CharField(max_length=50))',
        'migrations.AlterField("order", "site", models.CharField(max_length=50))',
      ]),
    );
    commitAll(root, 'site');
    const ws = await withReleases(root, { releasesOnly: true });
    assert.deepStrictEqual(
      findingsOf(ws, root, 'orders/migrations/0003_fill.py', 'ML202').map((f) => f.data?.model),
      ['order'],
    );
  });

  it("takes a migration shipped by the previous release line too (tagged beside the next one) for that line's", async () => {
    // main: 1.0.0, then 0002 in 1.1.0-a1; the 1.0 branch gets 0002 too and ships it as 1.0.1, after
    // 1.1.0-a1; 0003 (1.1.0) makes the field NOT NULL. The release running before 1.1.0 is 1.0.1.
    const root = writeProject({ 'orders/migrations/__init__.py': '', 'orders/migrations/0001_initial.py': migration([], [CREATE]) });
    git(root, 'init', '--quiet', '--initial-branch=main');
    commitAll(root, 'initial', '2024-01-01T00:00:00Z');
    git(root, 'tag', '1.0.0');
    const note = migration(dep('0001_initial'), ['migrations.AddField("order", "note", models.TextField(null=True))']);
    write(root, '0002_note.py', note);
    commitAll(root, 'note', '2024-02-01T00:00:00Z');
    git(root, 'tag', '1.1.0-a1');
    git(root, 'checkout', '--quiet', '-b', 'stable-1.0', '1.0.0');
    write(root, '0002_note.py', note);
    commitAll(root, 'backport note', '2024-03-01T00:00:00Z');
    git(root, 'tag', '1.0.1');
    git(root, 'checkout', '--quiet', 'main');
    write(root, '0003_required.py', migration(dep('0002_note'), ['migrations.AlterField("order", "note", models.TextField())']));
    commitAll(root, 'required', '2024-04-01T00:00:00Z');
    git(root, 'tag', '1.1.0');
    const [repo] = await readBaselines([path.join(root, 'orders/migrations/0002_note.py'), path.join(root, 'orders/migrations/0003_required.py')], { releasesOnly: true });
    assert.deepStrictEqual(repo.releases, {
      [path.join(root, 'orders/migrations/0002_note.py')]: '1.0.1',
      [path.join(root, 'orders/migrations/0003_required.py')]: '1.1.0',
    });
    // 1.0.1 knows `note`: the NOT NULL is the classic risk (existing NULLs), not an unknown column.
    const ws = await withReleases(root, { releasesOnly: true });
    const [f] = findingsOf(ws, root, 'orders/migrations/0003_required.py', 'ML202');
    assert.match(f.message, /fails if any row still holds NULL/);
    assert.doesNotMatch(f.message, /comes with this release/);
  });

  it('falls back to the baseline without tags: two migrations new on this branch ship together', async () => {
    const root = writeProject({ 'orders/migrations/__init__.py': '', 'orders/migrations/0001_initial.py': migration([], [CREATE]) });
    initRepo(root);
    git(root, 'checkout', '--quiet', '-b', 'feature');
    write(root, '0002_code.py', migration(dep('0001_initial'), ['migrations.AddField("order", "code", models.CharField(max_length=10, null=True))']));
    write(root, '0003_drop.py', migration(dep('0002_code'), ['migrations.RemoveField("order", "code")', 'migrations.RemoveField("order", "total")']));
    const ws = await withReleases(root);
    const drops = findingsOf(ws, root, 'orders/migrations/0003_drop.py', 'ML101');
    assert.deepStrictEqual(
      drops.map((f) => [f.data?.field, !!f.moot]),
      [
        ['code', true],
        ['total', false],
      ],
    );
    // Without the baseline nothing is known: both are warnings again (the negative).
    ws.setBaseline(undefined);
    assert.deepStrictEqual(
      findingsOf(ws, root, 'orders/migrations/0003_drop.py', 'ML101').map((f) => !!f.moot),
      [false, false],
    );
  });

  it('says nothing about releases without version tags, or in a shallow clone', async () => {
    const plain = writeProject({ 'orders/migrations/__init__.py': '', 'orders/migrations/0001_initial.py': migration([], [CREATE]) });
    initRepo(plain);
    git(plain, 'tag', 'stable');
    const [repo] = await readBaselines([path.join(plain, 'orders/migrations/0001_initial.py')], { releasesOnly: true });
    assert.strictEqual(repo.releases, undefined);
    // A shallow clone cuts the history and the tags: everything would look unreleased.
    const source = tagged();
    const shallow = path.join(tempDir('ml-shallow-'), 'clone');
    git(path.dirname(shallow), 'clone', '--quiet', '--depth', '1', `file://${source}`, shallow);
    const [cut] = await readBaselines([path.join(shallow, 'orders/migrations/0004_item.py')], { releasesOnly: true });
    assert.strictEqual(cut.releases, undefined);
  });

  it('is honoured by a rule suppression like any finding', async () => {
    const root = tagged();
    const file = path.join(root, 'orders/migrations/0004_item.py');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('migrations.RemoveField("order", "code")', 'migrations.RemoveField("order", "code"),  # migration-lens: ignore ML101'));
    const ws = await withReleases(root, { releasesOnly: true });
    assert.deepStrictEqual(findingsOf(ws, root, 'orders/migrations/0004_item.py', 'ML101'), []);
  });

  it('keeps NOT NULL on a field of this release (the running release inserts without it); a type change of it converts only its default', async () => {
    const root = tagged();
    // `code` is new in this release, but the running release inserts rows without it: NOT NULL fails them.
    write(root, '0006_code_required.py', migration(dep('0005_flags'), ['migrations.AddField("order", "code", models.CharField(max_length=10, null=True))']));
    write(
      root,
      '0007_required.py',
      migration(dep('0006_code_required'), [
        'migrations.AlterField("order", "code", models.CharField(max_length=10, default="x"))',
        'migrations.AlterField("order", "flag", models.CharField(max_length=5, default="f"))',
      ]),
    );
    commitAll(root, 'required');
    const ws = await withReleases(root, { releasesOnly: true });
    const notNull = findingsOf(ws, root, 'orders/migrations/0007_required.py', 'ML202');
    assert.ok(notNull.length && notNull.every((f) => !f.moot), 'ML202 is not moot');
    const code = notNull.find((f) => f.data?.field === 'code')!;
    assert.match(code.message, /the field comes with this release \(orders\.0006_code_required\): the release still running does not know the column, so its inserts leave it out and fail/);
    assert.match(code.help ?? '', /db_default="x"/);
    const [convert] = findingsOf(ws, root, 'orders/migrations/0007_required.py', 'ML103');
    assert.match(convert.moot ?? '', /the field order\.flag comes from orders\.0005_flags/);
  });

  it('judges less room in a field of this release, and NOT NULL on a table of this release, as unknown to the running release', async () => {
    const root = tagged();
    write(
      root,
      '0006_more.py',
      migration(dep('0005_flags'), [
        'migrations.AddField("item", "label", models.CharField(max_length=50, null=True))',
        'migrations.AddField("order", "ref", models.CharField(max_length=40, null=True))',
        // A field of this release that a data step fills from existing data holds real values.
        'migrations.AddField("order", "copy", models.CharField(max_length=40, null=True))',
        'migrations.RunSQL("UPDATE orders_order SET copy = CAST(total AS varchar(40))", migrations.RunSQL.noop)',
      ]),
    );
    write(
      root,
      '0007_tighter.py',
      migration(dep('0006_more'), [
        'migrations.AlterField("item", "label", models.CharField(max_length=50))',
        'migrations.AlterField("order", "ref", models.CharField(max_length=20, null=True))',
        'migrations.AlterField("order", "total", models.SmallIntegerField())',
        'migrations.AlterField("order", "copy", models.CharField(max_length=20, null=True))',
      ]),
    );
    commitAll(root, 'tighter');
    const ws = await withReleases(root, { releasesOnly: true });
    const moot = (code: string) => findingsOf(ws, root, 'orders/migrations/0007_tighter.py', code).map((f) => [f.data?.field, f.moot ?? '']);
    assert.deepStrictEqual(moot('ML202'), [
      ['label', 'Not a risk for the running release: the table orders_item comes from orders.0004_item, which, like this migration, no release has shipped yet; no deployed code uses it.'],
    ]);
    const ml106 = moot('ML106');
    assert.deepStrictEqual(
      ml106.map(([f, m]) => [f, !!m]),
      [
        ['ref', true],
        ['total', false],
        ['copy', false],
      ],
      'total shipped in 1.0.0, copy was filled from it',
    );
    assert.match(String(ml106[0][1]), /the field order\.ref comes from orders\.0006_more/);
  });

  it('does not take a squash for the migration that introduced a table', async () => {
    const root = released();
    write(root, '0002_more.py', migration(dep('0001_initial'), ['migrations.AddField("order", "more", models.IntegerField(null=True))']));
    commitAll(root, 'more');
    git(root, 'tag', '1.1.0');
    // 2.0: the history is squashed (the squash is the newest file), and a migration drops the table.
    write(
      root,
      '0001_squashed_0002.py',
      migration([], [CREATE, 'migrations.AddField("order", "more", models.IntegerField(null=True))'], 'replaces = [("orders", "0001_initial"), ("orders", "0002_more")]'),
    );
    write(root, '0003_drop.py', migration(dep('0001_squashed_0002'), ['migrations.DeleteModel("Order")']));
    commitAll(root, 'squash and drop');
    const ws = await withReleases(root, { releasesOnly: true });
    assert.deepStrictEqual(
      findingsOf(ws, root, 'orders/migrations/0003_drop.py', 'ML102').map((f) => !!f.moot),
      [false],
    );
  });

  it('dates a file by its arrival on the mainline: a merge brings it, a file added again keeps its first age', async () => {
    const root = released();
    const at = (name: string) => path.join(root, 'orders/migrations', name);
    // A branch started before 1.1.0 and merged after it: its migration ships in 2.0.0.
    git(root, 'checkout', '--quiet', '-b', 'feature');
    write(root, '0002_feature.py', migration(dep('0001_initial'), ['migrations.AddField("order", "f", models.IntegerField(null=True))']));
    commitAll(root, 'feature');
    git(root, 'checkout', '--quiet', 'main');
    write(root, '0002_main.py', migration(dep('0001_initial'), ['migrations.AddField("order", "m", models.IntegerField(null=True))']));
    commitAll(root, 'main work');
    git(root, 'tag', '1.1.0');
    git(root, 'merge', '--quiet', '--no-ff', '-m', 'merge feature', 'feature');
    git(root, 'tag', '2.0.0');
    // 0002_main is deleted and added back later: the table it made was there all along.
    fs.rmSync(at('0002_main.py'));
    commitAll(root, 'drop');
    write(root, '0002_main.py', migration(dep('0001_initial'), ['migrations.AddField("order", "m", models.IntegerField(null=True))']));
    commitAll(root, 'back');
    const [repo] = await readBaselines([at('0002_feature.py'), at('0002_main.py')], { releasesOnly: true });
    assert.deepStrictEqual(repo.releases, { [at('0002_feature.py')]: '2.0.0', [at('0002_main.py')]: '1.1.0' });
  });

  it('says nothing for a table that only entered the state, or a field of a parallel branch of the graph', async () => {
    const root = writeProject({
      'orders/migrations/__init__.py': '',
      'orders/migrations/0001_initial.py': migration([], ['migrations.CreateModel(name="Keep", fields=[("id", models.AutoField(primary_key=True))])']),
    });
    initRepo(root);
    git(root, 'tag', '1.0.0');
    git(root, 'tag', '1.1.0');
    // Unreleased: a model moved in from another app (state only: its table exists), then dropped;
    // and two branches of the app's graph, one adding `b`, the other dropping a `b` it never saw.
    const moved =
      'migrations.SeparateDatabaseAndState(state_operations=[migrations.CreateModel(name="Moved", fields=[("id", models.AutoField(primary_key=True))], options={"db_table": "old_moved"})])';
    write(root, '0002_moved.py', migration(dep('0001_initial'), [moved]));
    write(root, '0003_drop_moved.py', migration(dep('0002_moved'), ['migrations.DeleteModel("Moved")']));
    write(root, '0004_a.py', migration(dep('0001_initial'), ['migrations.AddField("keep", "b", models.IntegerField(null=True))']));
    write(root, '0004_b.py', migration(dep('0003_drop_moved'), ['migrations.RemoveField("keep", "b")']));
    commitAll(root, 'work');
    const ws = await withReleases(root, { releasesOnly: true });
    assert.deepStrictEqual(
      findingsOf(ws, root, 'orders/migrations/0003_drop_moved.py', 'ML102').map((f) => !!f.moot),
      [false],
    );
    assert.deepStrictEqual(
      findingsOf(ws, root, 'orders/migrations/0004_b.py', 'ML101').map((f) => !!f.moot),
      [false],
    );
  });

  it("judges the running release moot for every migration of the project's first release, whoever introduced the name", async () => {
    const repo = (tag: string, squashed: boolean) => {
      // The field comes from a settled squash (no replaces left), then a rename and a removal in the same tag.
      const first = squashed ? '0001_squashed_0009_old' : '0001_initial';
      const root = writeProject({
        'orders/migrations/__init__.py': '',
        [`orders/migrations/${first}.py`]: migration(
          [],
          ['migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("ref", models.TextField()), ("note", models.TextField())])'],
        ),
      });
      write(root, '0002_more.py', migration(dep(first), ['migrations.RenameField("order", "ref", "code")', 'migrations.RemoveField("order", "note")']));
      initRepo(root);
      git(root, 'tag', tag);
      return root;
    };
    for (const squashed of [false, true]) {
      const first = repo('v0.1.0', squashed);
      const ws = await withReleases(first, { releasesOnly: true });
      const [f] = findingsOf(ws, first, 'orders/migrations/0002_more.py', 'ML101');
      assert.match(f.moot ?? '', /first shipped in release 0\.1\.0, the project's first; no release ran before it/, `squashed: ${squashed}`);
      assert.doesNotMatch(f.message, /the release still running during the deploy/);
      // The rename: quiet where the table came in the same release; after a squash (whose release
      // says nothing of what it folded in) said as information.
      const renames = findingsOf(ws, first, 'orders/migrations/0002_more.py', 'ML201');
      assert.strictEqual(renames.length, squashed ? 1 : 0);
      for (const r of renames) assert.match(r.moot ?? '', /the project's first; no release ran before it/);
    }
    // Tagging began after releases were made: the same migrations warn.
    const later = repo('3.8.17', false);
    const ws = await withReleases(later, { releasesOnly: true });
    assert.deepStrictEqual(
      ['ML201', 'ML101'].map((c) => findingsOf(ws, later, 'orders/migrations/0002_more.py', c).map((f) => f.moot)),
      [[undefined], [undefined]],
    );
  });

  it('judges a rename on a model created earlier in the same release, and NOT NULL on a column made nullable in it, as unknown to the running release', async () => {
    const root = tagged();
    // 0004 (no release yet) created Item; Order.total is NOT NULL since 1.0.0.
    write(root, '0006_item_name.py', migration(dep('0005_flags'), ['migrations.AddField("item", "name", models.TextField(default=""))']));
    // Item renamed first: the state follows it to the migration that created it.
    write(
      root,
      '0007_rename.py',
      migration(dep('0006_item_name'), ['migrations.RenameModel("Item", "Thing")', 'migrations.RenameField("thing", "name", "title")', 'migrations.RenameField("order", "total", "amount")']),
    );
    write(root, '0008_nullable.py', migration(dep('0007_rename'), ['migrations.AlterField("order", "amount", models.IntegerField(null=True))']));
    write(root, '0009_not_null.py', migration(dep('0008_nullable'), ['migrations.AlterField("order", "amount", models.IntegerField(default=0))']));
    commitAll(root, 'more');
    const ws = await withReleases(root, { releasesOnly: true });
    const renames = findingsOf(ws, root, 'orders/migrations/0007_rename.py', 'ML201');
    assert.deepStrictEqual(
      renames.map((f) => f.message.slice(0, 30)),
      ['RenameField order.total -> amo'],
      'Item is new in this release; Order shipped in 1.0.0',
    );
    const [notNull] = findingsOf(ws, root, 'orders/migrations/0009_not_null.py', 'ML202');
    assert.match(notNull.moot ?? '', /the nullable column order\.amount \(NOT NULL before it\) comes from orders\.0008_nullable/);
  });

  it('judges ML204 on a column a later migration of the same release makes nullable again as a risk only while migrate runs', async () => {
    const root = tagged();
    write(root, '0006_ref.py', migration(dep('0005_flags'), ['migrations.AddField("order", "ref", models.IntegerField(default=0))']));
    write(root, '0007_ref_null.py', migration(dep('0006_ref'), ['migrations.AlterField("order", "ref", models.IntegerField(null=True))']));
    commitAll(root, 'ref');
    const moot = async () => findingsOf(await withReleases(root, { releasesOnly: true }), root, 'orders/migrations/0006_ref.py', 'ML204').map((f) => f.moot);
    const [relaxed] = await moot();
    assert.match(relaxed ?? '', /orders\.0007_ref_null, of the same release, makes order\.ref nullable again or drops it/);
    // Made nullable a release later: the running release meets the NOT NULL column for a whole release.
    git(root, 'rm', '-q', 'orders/migrations/0007_ref_null.py');
    commitAll(root, 'not yet');
    git(root, 'tag', '2.0.0');
    write(root, '0007_ref_nullable.py', migration(dep('0006_ref'), ['migrations.AlterField("order", "ref", models.IntegerField(null=True))']));
    assert.deepStrictEqual(await moot(), [undefined]);
  });

  it('takes a DeleteModel of a model the running release no longer defines, or defines and never names, for the second step of the safe way', async () => {
    const model = (name: string, fields = '') => `migrations.CreateModel(name="${name}", fields=[("id", models.AutoField(primary_key=True))${fields}])`;
    const root = writeProject({
      'orders/migrations/__init__.py': '',
      'orders/migrations/0001_initial.py': migration(
        [],
        [CREATE, model('Note'), model('Tag'), model('Line', ', ("order", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="orders.order"))'), model('Item')],
      ),
      'orders/models.py': [
        'class Order(models.Model): pass',
        'class Note(models.Model): pass',
        'class Tag(models.Model): pass',
        'class Line(models.Model): pass',
        'class Item(models.Model): pass',
        '',
      ].join('\n'),
      'orders/views.py': 'from .models import Item\n',
    });
    initRepo(root);
    git(root, 'tag', '1.0.0');
    // 1.1 (two parts, the release 1.1.0): Note's code is gone; Tag and Line stay defined, named nowhere
    // else (a test does not count); Item is still imported by a view.
    fs.writeFileSync(
      path.join(root, 'orders/models.py'),
      ['class Order(models.Model): pass', 'class Tag(models.Model): pass', 'class Line(models.Model): pass', 'class Item(models.Model): pass', ''].join('\n'),
    );
    fs.mkdirSync(path.join(root, 'orders/tests'));
    fs.writeFileSync(path.join(root, 'orders/tests/test_tags.py'), 'from orders.models import Tag\n');
    commitAll(root, 'retire Note');
    git(root, 'tag', '1.1');
    const drop = (names: string[]) =>
      migration(
        dep('0001_initial'),
        names.map((n) => `migrations.DeleteModel(name="${n}")`),
      );
    write(root, '0002_drop.py', drop(['Note', 'Tag', 'Line', 'Item']));
    const ws = await withReleases(root, { releasesOnly: true });
    const [note, tag, line, item] = findingsOf(ws, root, 'orders/migrations/0002_drop.py', 'ML102');
    assert.match(note.moot ?? '', /release 1\.1, which runs during the deploy, no longer defines the model Note/);
    assert.match(tag.moot ?? '', /defines the model Tag but names it on no other line of its code/);
    // Deleting an Order carries into Line's table: the running release still reaches it.
    assert.strictEqual(line.moot, undefined);
    assert.match(line.message, /deleting an Order, which Django carries into orders_line/);
    assert.strictEqual(item.moot, undefined, 'a view of the running release imports Item');

    // The same drop shipped in 1.2.0: the release before it is 1.1 (not 1.2 itself, written in two parts).
    commitAll(root, 'drop');
    git(root, 'tag', '1.2');
    write(root, '0003_more.py', migration(dep('0002_drop'), []));
    const [repo] = await readBaselines(ws.paths(), { releasesOnly: true });
    assert.deepStrictEqual(repo.retired, { [path.join(root, 'orders/migrations/0002_drop.py')]: { release: '1.1', models: ['Note'], unused: ['Tag', 'Line'] } });
  });

  it('check --releases reads the tags; without it the same findings are warnings', () => {
    const root = tagged();
    const run = (...args: string[]) => cp.spawnSync(process.execPath, [CLI, 'check', root, '--format', 'json', ...args], { encoding: 'utf8' });
    const severity = (out: string) =>
      JSON.parse(out)
        .files.find((f: { path: string }) => f.path.endsWith('0004_item.py'))
        .diagnostics.find((d: { code: string }) => d.code === 'ML101');
    const plain = run();
    assert.strictEqual(severity(plain.stdout).severity, 'warning');
    const withTags = run('--releases');
    assert.strictEqual(severity(withTags.stdout).severity, 'information');
    assert.match(severity(withTags.stdout).moot, /no release has shipped yet/);
    assert.match(withTags.stderr, /1 migrations shipped in the oldest tag \(numbered as a first release\), 1 in later release tags/);
  });
});
