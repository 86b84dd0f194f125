// The base branch's blobs of migration files, read with git (argument arrays, never a shell). Used
// by the extension's client to answer the server's baseline request and by `check --baseline`.
// The comparison point is the merge base of HEAD and the base ref: what this branch added or
// changed since it left the base is new work, whatever the base did after.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { FIRST_RELEASE } from '../../../shared/src/constants';
import type { BaselineRepoData, RetiredModels } from '../../../shared/src/protocol';

/** Refs tried, in order, when no base ref is configured (after the upstream's default branch). */
const FALLBACK_REFS = ['main', 'master', 'origin/main', 'origin/master'];

export class GitError extends Error {}

function git(cwd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: timeoutMs, windowsHide: true }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const e = err as NodeJS.ErrnoException & { killed?: boolean };
      if (e.code === 'ENOENT') return reject(new GitError('git is not on the PATH'));
      if (e.killed) return reject(new GitError(`git ${args[0]} took longer than ${timeoutMs} ms`));
      reject(new GitError(`git ${args.join(' ')}: ${(stderr || String(err)).trim().split('\n')[0]}`));
    });
  });
}

const quiet = <T>(p: Promise<T>): Promise<T | undefined> => p.catch(() => undefined);

/** Which of `<rev>:<path>` objects exist, asked of one `git cat-file --batch-check`. */
function existing(cwd: string, objects: readonly string[], timeoutMs: number): Promise<Set<string>> {
  if (!objects.length) return Promise.resolve(new Set());
  return new Promise((resolve) => {
    const child = execFile('git', ['cat-file', '--batch-check'], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs, windowsHide: true }, (err, stdout) => {
      if (err) return resolve(new Set());
      // One line an object, in order: `<sha> blob <size>`, or `<object> missing`.
      const lines = stdout.split('\n');
      resolve(new Set(objects.filter((o, i) => lines[i] !== undefined && !lines[i].endsWith(' missing') && !lines[i].endsWith(' ambiguous'))));
    });
    child.stdin?.end(objects.map((o) => `${o}\n`).join(''));
  });
}

export interface BaselineOptions {
  /** A ref to compare against; empty or undefined: the upstream's default branch, else main/master. */
  ref?: string;
  timeoutMs?: number;
  /** Read which release tag first shipped each file (default true). */
  releases?: boolean;
  /** Only the releases: no base branch is needed, and every file counts as new (no blobs). */
  releasesOnly?: boolean;
}

/**
 * The top folder of the repository holding `dir` (the nearest folder above with a `.git`), as the
 * caller names it (paths stay comparable), or undefined outside one. Read from the file system:
 * one spawn per app would cost seconds.
 */
export function repositoryRoot(dir: string): string | undefined {
  for (let d = dir; ;) {
    if (fs.existsSync(path.join(d, '.git'))) return d;
    const up = path.dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

/** The base ref to compare against: the configured one (which must exist), else the first that does. */
export async function baseRef(top: string, configured: string | undefined, timeoutMs = 5000): Promise<string | undefined> {
  const exists = async (ref: string) => !!(await quiet(git(top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], timeoutMs)));
  if (configured) {
    if (!(await exists(configured))) throw new GitError(`the baseline ref ${configured} does not exist in ${top}`);
    return configured;
  }
  // The upstream's default branch: the remote of the current branch's upstream, else origin.
  const upstream = (await quiet(git(top, ['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}'], timeoutMs)))?.trim();
  const remotes = [...new Set([upstream?.split('/')[0], 'origin'].filter((r): r is string => !!r))];
  for (const remote of remotes) {
    const head = (await quiet(git(top, ['symbolic-ref', '--quiet', '--short', `refs/remotes/${remote}/HEAD`], timeoutMs)))?.trim();
    if (head && (await exists(head))) return head;
  }
  for (const ref of FALLBACK_REFS) if (await exists(ref)) return ref;
  return undefined;
}

/**
 * The blobs, at the merge base of HEAD and the base ref, of the given files of one repository.
 * Undefined when the repository has no base to compare against (no commit yet, no such branch):
 * then every migration is new work.
 */
export async function readBaseline(top: string, files: readonly string[], opts: BaselineOptions = {}): Promise<BaselineRepoData | undefined> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const ref = (await baseRef(top, opts.ref, timeoutMs)) ?? (opts.releasesOnly ? 'HEAD' : undefined);
  if (!ref) return undefined;
  const head = await quiet(git(top, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], timeoutMs));
  // Without a commit on HEAD (a new repository) or a common ancestor, compare with the ref itself.
  const base = (head && (await quiet(git(top, ['merge-base', 'HEAD', ref], timeoutMs)))?.trim()) || ref;
  const wanted = relativePaths(top, files);
  const blobs: Record<string, string> = {};
  if (wanted.size && !opts.releasesOnly) {
    const dirs = [...new Set([...wanted.keys()].map((r) => path.posix.dirname(r)))];
    // One ls-tree per batch of folders keeps the argument list short on huge workspaces.
    for (let i = 0; i < dirs.length; i += 200) {
      const out = await git(top, ['ls-tree', '-z', '--full-tree', base, '--', ...dirs.slice(i, i + 200).map((d) => `${d}/`)], timeoutMs);
      for (const line of out.split('\0')) {
        // "<mode> <type> <id>\t<path>"
        const tab = line.indexOf('\t');
        if (tab < 0) continue;
        const [, type, id] = line.slice(0, tab).split(' ');
        const abs = wanted.get(line.slice(tab + 1));
        if (type === 'blob' && abs) blobs[abs] = id;
      }
    }
  }
  const facts = opts.releases === false ? undefined : await releaseFacts(top, wanted, timeoutMs);
  return { root: top, ref, blobs, ...facts };
}

/** The files inside `top`, by their path relative to it with `/` (as git names them) -> as given. */
function relativePaths(top: string, files: readonly string[]): Map<string, string> {
  const wanted = new Map<string, string>();
  for (const f of files) {
    const rel = path.relative(top, f);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) wanted.set(rel.split(path.sep).join('/'), f);
  }
  return wanted;
}

/** readReleases and readRetiredModels for files given by absolute path; undefined when the releases cannot be told. */
export function readRepoReleases(top: string, files: readonly string[], timeoutMs = 20_000): Promise<ReleaseFacts | undefined> {
  return releaseFacts(top, relativePaths(top, files), timeoutMs);
}

type ReleaseFacts = Required<Pick<BaselineRepoData, 'releases' | 'retired'>>;

/** The releases of the files (relative path -> as given) and the models they drop that the release before no longer uses; the tags read once. */
async function releaseFacts(top: string, wanted: ReadonlyMap<string, string>, timeoutMs: number): Promise<ReleaseFacts | undefined> {
  const tags = await releaseTags(top, timeoutMs);
  const releases = await readReleases(top, [...wanted.keys()], wanted, timeoutMs, tags);
  return releases && { releases, retired: await readRetiredModels(top, releases, wanted, tags, timeoutMs) };
}

/** A release tag: a version number, optionally with a `v` and a pre-release suffix (`3.1.0`, `v2.0`, `4.6.0-rc1`). */
const RELEASE_TAG = /^v?(\d+(?:\.\d+)+)/;
/** Tags name-rev may name a commit after (a `.` keeps out dates and words such as `3-23-11-refresh`). */
const TAG_REFS = ['refs/tags/[0-9]*.[0-9]*', 'refs/tags/v[0-9]*.[0-9]*'];
/** The release of a file whose release cannot be told (before the first tag, or a tag that is no version). */
export const RELEASE_UNKNOWN = '';

/** The release a tag names, in three parts at least: `1.0` and `1.0.0` are one release. */
const releaseOf = (tag: string): string | undefined => {
  const v = RELEASE_TAG.exec(tag)?.[1].split('.');
  return v && [...v, '0', '0'].slice(0, Math.max(3, v.length)).join('.');
};

const versionOf = (t: string) => RELEASE_TAG.exec(t)![1].split('.').map(Number);
const byVersion = (a: number[], b: number[]) => a.map((n, i) => n - (b[i] ?? 0)).find((d) => d !== 0) ?? a.length - b.length;
/** `a` is an older release than `b`: `2.3` and `2.3.0` are one release. */
const olderRelease = (a: number[], b: number[]) => {
  const n = Math.max(a.length, b.length);
  const pad = (v: number[]) => [...v, ...Array(n - v.length).fill(0)];
  return byVersion(pad(a), pad(b)) < 0;
};
/** A final release tag (`3.1.0`, `v2.4`), not a pre-release. */
const FINAL_TAG = /^v?\d+(\.\d+)+$/;
/** CalVer (v2018.09) and SemVer (2.0.0) numbers are not one order: compare within one scheme. */
const calendar = (n: number[]) => n[0] >= 1000;

/** The repository's release tags, oldest first: by date, then (tags of one commit or one second) by version. */
async function releaseTags(top: string, timeoutMs: number): Promise<Array<{ at: number; name: string }>> {
  return ((await quiet(git(top, ['for-each-ref', '--format=%(creatordate:unix) %(refname:short)', ...TAG_REFS], timeoutMs))) ?? '')
    .split('\n')
    .map((line) => ({ at: Number(line.slice(0, line.indexOf(' '))), name: line.slice(line.indexOf(' ') + 1) }))
    .filter((t) => RELEASE_TAG.test(t.name))
    .sort((a, b) => a.at - b.at || byVersion(versionOf(a.name), versionOf(b.name)));
}

/**
 * The release that first shipped each file: the version of the oldest release tag holding it, found
 * from the commit where it first reached the mainline and the one that first added it on any
 * branch (renames followed, so a migrations folder moved with its app keeps its age; pre-releases
 * count as their release: `4.6.0-rc1` -> `4.6.0`). A file in no release is left out (it ships with
 * the next one). A file first in the repository's oldest version tag: FIRST_RELEASE and the version
 * when that tag is numbered as a first release (0.x, 1.0) or by the calendar (v2016.07.0), else
 * RELEASE_UNKNOWN (releases were made before tagging began). RELEASE_UNKNOWN too for a committed file whose arrival was not found. Undefined when the repository cannot say at all: no version tags,
 * or a shallow clone (its history and tags are cut, so everything would look new).
 */
export async function readReleases(
  top: string,
  rels: readonly string[],
  abs: ReadonlyMap<string, string>,
  timeoutMs = 5000,
  tags?: Array<{ at: number; name: string }>,
): Promise<Record<string, string> | undefined> {
  if (!rels.length) return undefined;
  if ((await quiet(git(top, ['rev-parse', '--is-shallow-repository'], timeoutMs)))?.trim() !== 'false') return undefined;
  tags ??= await releaseTags(top, timeoutMs);
  if (!tags.length) return undefined;
  const oldest = releaseOf(tags[0].name);
  // An oldest tag numbered as a first release (0.x, 1.0) had none before it; a later number
  // (3.8.17) counts releases made before tagging began: what it holds is of unknown release. A
  // calendar number (v2016.07.0) counts none, like a first number. (Older history squashed into
  // the first release is told by the squash, in the engine.)
  const [major, minor] = (oldest ?? '').split('.').map(Number);
  const firstIsRelease = major === 0 || (major === 1 && minor === 0) || calendar([major]);
  const tagDate = new Map(tags.map((t) => [t.name, t.at]));
  // When each file came: its first arrival on the mainline (HEAD's first-parent history, a merge
  // counting for what it brought in), and the commit that first added it on whatever branch (a
  // release tagged on a branch, or a branch that became the mainline, has it before its merge).
  // The older release of the two wins. A file deleted and added again keeps its first age: the
  // table was there. Renames are followed back to the path the file was first added under.
  const dirs = [...new Set(rels.map((r) => `${path.posix.dirname(r)}/`))];
  const specs = [':(glob)**/migrations/**', ':(glob)**/db_migrations/**', ...dirs];
  const walk = async (firstParent: boolean): Promise<Map<string, string> | undefined> => {
    const addedBy = new Map<string, string>();
    const follow = new Map<string, string>(rels.map((r) => [r, r]));
    for (let i = 0; i < specs.length; i += 200) {
      const args = (renames: string) => [
        'log',
        ...(firstParent ? ['--first-parent', '--diff-merges=first-parent'] : []),
        renames,
        '--diff-filter=AR',
        '--name-status',
        '--format=%x00%H',
        'HEAD',
        '--',
        ...specs.slice(i, i + 200),
      ];
      // Following renames reads the files' contents; where some are missing (a partial clone), without.
      const out = (await quiet(git(top, args('-M'), timeoutMs))) ?? (await quiet(git(top, args('--no-renames'), timeoutMs)));
      if (out === undefined) return undefined;
      // Newest first: a rename points back to the older path; an add seen later is older and wins.
      for (const record of out.split('\0')) {
        const [commit, ...lines] = record.split('\n').filter(Boolean);
        for (const line of lines) {
          const [status, from, to] = line.split('\t');
          if (status.startsWith('R') && to !== undefined) {
            const wanted = follow.get(to);
            if (wanted !== undefined) follow.set(from, wanted);
          } else if (status === 'A') {
            const wanted = follow.get(from);
            if (wanted !== undefined) addedBy.set(wanted, commit);
          }
        }
      }
    }
    return addedBy;
  };
  const [mainline, anywhere] = [await walk(true), await walk(false)];
  if (!mainline || !anywhere) return undefined;
  const commits = [...new Set([...mainline.values(), ...anywhere.values()])];
  // Commit -> the tag name-rev names it after (the nearest release tag holding it).
  const tagOf = new Map<string, string>();
  for (let i = 0; i < commits.length; i += 500) {
    const batch = commits.slice(i, i + 500);
    const out = await quiet(git(top, ['name-rev', '--name-only', ...TAG_REFS.map((r) => `--refs=${r}`), ...batch], timeoutMs));
    if (out === undefined) return undefined;
    out.split('\n').forEach((line, j) => {
      if (batch[j] && line !== 'undefined' && line) tagOf.set(batch[j], line.replace(/^tags\//, '').replace(/[~^].*$/, ''));
    });
  }
  /** The file's release: the older of its two arrivals' tags; undefined when neither is in a tag. */
  const release = (rel: string): string | undefined => {
    const found = [mainline.get(rel), anywhere.get(rel)].flatMap((c) => (c && tagOf.has(c) ? [tagOf.get(c)!] : []));
    if (!found.length) return undefined;
    const tag = found.sort((a, b) => (tagDate.get(a) ?? 0) - (tagDate.get(b) ?? 0))[0];
    const v = releaseOf(tag);
    if (v && v !== oldest) return v;
    return v && firstIsRelease ? FIRST_RELEASE + v : RELEASE_UNKNOWN;
  };
  // A file HEAD does not have yet (new in the work tree) is in no release; a committed one whose
  // arrival was not found (merges that git shows no diff for) is of unknown release.
  const tracked = new Set<string>();
  for (let i = 0; i < dirs.length; i += 200) {
    const out = await quiet(git(top, ['ls-tree', '-r', '--name-only', '--full-tree', 'HEAD', '--', ...dirs.slice(i, i + 200)], timeoutMs));
    for (const line of (out ?? '').split('\n')) if (line) tracked.add(line);
  }
  const found = new Map<string, string>();
  const releases: Record<string, string> = {};
  for (const rel of rels) {
    if (!mainline.has(rel) && !anywhere.has(rel)) {
      if (tracked.has(rel)) releases[abs.get(rel)!] = RELEASE_UNKNOWN;
      continue;
    }
    const r = release(rel);
    if (r !== undefined) found.set(rel, r);
  }
  const earlier = await earlierLine(tags, found, (objects) => existing(top, objects, timeoutMs));
  for (const [rel, r] of found) releases[abs.get(rel)!] = earlier.get(rel) ?? r;
  return releases;
}

/**
 * Release lines tagged side by side: Saleor tags 3.1.0 alphas on the mainline while 3.0 is still
 * finished and patched on a branch, so a migration that first reached a tag as `3.1.0-a.5` may be in
 * 3.0.0 too, and the release running before 3.1.0 has it. For a file of release `r`: when the newest
 * final release before `r` was tagged after `r`'s first tag and holds the file, the file is of the
 * first release of that line that holds it. Two batches of `git cat-file --batch-check`.
 */
async function earlierLine(tags: Array<{ at: number; name: string }>, found: ReadonlyMap<string, string>, exist: (objects: string[]) => Promise<Set<string>>): Promise<Map<string, string>> {
  const parsed = new Map(tags.map((t) => [t.name, versionOf(t.name)]));
  const v = (t: string) => parsed.get(t)!;
  const final = tags.filter((t) => FINAL_TAG.test(t.name)).sort((a, b) => byVersion(v(b.name), v(a.name)));
  const firstAt = new Map<string, number>();
  for (const t of tags) {
    const r = releaseOf(t.name);
    if (r && !firstAt.has(r)) firstAt.set(r, t.at);
  }
  const previous = new Map<string, { at: number; name: string } | undefined>();
  const before = (r: string) => {
    if (!previous.has(r)) {
      const n = r.split('.').map(Number);
      const at = firstAt.get(r);
      const p = at === undefined || !n.every(Number.isFinite) ? undefined : final.find((t) => calendar(v(t.name)) === calendar(n) && olderRelease(v(t.name), n));
      previous.set(r, p && at !== undefined && p.at > at ? p : undefined);
    }
    return previous.get(r);
  };
  const candidates = [...found].flatMap(([rel, r]) => {
    const p = before(r);
    return p ? [{ rel, p }] : [];
  });
  const held = await exist(candidates.map((c) => `${c.p.name}:${c.rel}`));
  const holding = candidates.filter((c) => held.has(`${c.p.name}:${c.rel}`));
  // The tags of that line up to the newest final one, in version order.
  const lines = new Map<string, Array<{ at: number; name: string }>>();
  const lineOf = (p: { name: string }) => {
    let l = lines.get(p.name);
    if (!l) {
      const line = v(p.name).slice(0, 2).join('.');
      l = tags.filter((t) => v(t.name).slice(0, 2).join('.') === line && byVersion(v(t.name), v(p.name)) <= 0).sort((a, b) => byVersion(v(a.name), v(b.name)) || a.at - b.at);
      lines.set(p.name, l);
    }
    return l;
  };
  const asked = holding.flatMap((c) => lineOf(c.p).map((t) => `${t.name}:${c.rel}`));
  const inTags = await exist(asked);
  const out = new Map<string, string>();
  for (const c of holding) {
    const first = lineOf(c.p).find((t) => inTags.has(`${t.name}:${c.rel}`)) ?? c.p;
    const r = releaseOf(first.name);
    if (r) out.set(c.rel, r);
  }
  return out;
}

/**
 * What a release's Python code (migrations and tests aside) does with the named classes: defined (a `class
 * Name` in a models module, `*models*.py`) and the other lines naming them as a word (imports,
 * queries, foreign keys, `get_model`, a same-named class elsewhere). Undefined when git fails.
 */
function classUses(cwd: string, release: string, names: readonly string[], timeoutMs: number): Promise<Map<string, { defined: boolean; uses: number }> | undefined> {
  const args = ['grep', '-I', '-o', '-w', '-E', '-e', `(class[[:space:]]+)?(${names.join('|')})`, release, '--', '*.py', ':(exclude)*migrations/*', ':(exclude)*/tests/*', ':(exclude)*test_*.py'];
  return new Promise((resolve) => {
    execFile('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: timeoutMs, windowsHide: true }, (err, stdout) => {
      // Exit 1 is "no line matched": none of the classes is named.
      if (err && (err as { code?: unknown }).code !== 1) return resolve(undefined);
      const out = new Map(names.map((n) => [n, { defined: false, uses: 0 }]));
      for (const line of stdout.split('\n')) {
        // `<release>:<path>:<match>`
        const at = line.indexOf(':', release.length + 1);
        if (at < 0) continue;
        const file = line.slice(release.length + 1, at);
        const match = line.slice(at + 1);
        const name = match.replace(/^class\s+/, '');
        const seen = out.get(name);
        if (!seen) continue;
        if (match !== name && /models[^/]*\.py$|\/models\//.test(file)) seen.defined = true;
        else seen.uses++;
      }
      resolve(out);
    });
  });
}

/** `work` over the items, at most `width` at once; the answers in the items' order. */
async function inTurn<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return out;
}

/** `DeleteModel("Name")` / `DeleteModel(name="Name")` in a migration's text: the models it may drop. */
const DELETE_MODEL = /\bDeleteModel\(\s*(?:name\s*=\s*)?(['"])([A-Za-z_]\w*)\1/g;

/**
 * The models each file deletes that the release running before the file's release no longer
 * defines: its models modules (`*models*.py` outside migrations, anywhere in the tree) have no
 * `class Name`, while the app's own models module is there. The model's code went a release
 * earlier, and dropping the table is the second step of the safe way. A class of that name
 * anywhere in those modules counts as the model (when unsure, it is still in use). `releases` as
 * readReleases gives them; a file it leaves out ships with the next release, after the newest.
 * One `git cat-file --batch-check` and one `git grep` per release asked about.
 */
async function readRetiredModels(
  top: string,
  releases: Readonly<Record<string, string>>,
  abs: ReadonlyMap<string, string>,
  tags: Array<{ at: number; name: string }>,
  timeoutMs: number,
): Promise<Record<string, RetiredModels>> {
  const deleting: Array<{ rel: string; file: string; models: string[] }> = [];
  for (const [rel, file] of abs) {
    let text: string;
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch {
      continue;
    }
    if (!text.includes('DeleteModel(')) continue;
    const models = [...new Set([...text.matchAll(DELETE_MODEL)].map((m) => m[2]))];
    if (models.length) deleting.push({ rel, file, models });
  }
  if (!deleting.length) return {};
  const final = tags.filter((t) => FINAL_TAG.test(t.name)).sort((a, b) => byVersion(versionOf(b.name), versionOf(a.name)));
  if (!final.length) return {};
  // The newest release by date sets the scheme a release not yet made continues.
  const newest = final.reduce((a, b) => (b.at > a.at ? b : a));
  const previousOf = (release: string | undefined): string | undefined => {
    if (release === undefined) return final.find((t) => calendar(versionOf(t.name)) === calendar(versionOf(newest.name)))?.name;
    if (!release || release.startsWith(FIRST_RELEASE)) return undefined;
    const n = release.split('.').map(Number);
    if (!n.every(Number.isFinite)) return undefined;
    return final.find((t) => calendar(versionOf(t.name)) === calendar(n) && olderRelease(versionOf(t.name), n))?.name;
  };
  const asked = deleting.flatMap((d) => {
    const previous = previousOf(releases[d.file]);
    // The app's models module at that release: without it (the app was moved or is new) nothing is said.
    const appDir = path.posix.dirname(path.posix.dirname(d.rel));
    return previous ? [{ ...d, previous, self: `${previous}:${d.rel}`, modules: [`${previous}:${appDir}/models.py`, `${previous}:${appDir}/models`] }] : [];
  });
  const present = await existing(
    top,
    asked.flatMap((a) => [a.self, ...a.modules]),
    timeoutMs,
  );
  const byRelease = new Map<string, Array<(typeof asked)[number]>>();
  // The release running before must not hold the migration itself (else it is not the one before).
  for (const a of asked) if (!present.has(a.self) && a.modules.some((m) => present.has(m))) byRelease.set(a.previous, [...(byRelease.get(a.previous) ?? []), a]);
  const out: Record<string, RetiredModels> = {};
  const releasesAsked = [...byRelease];
  // Two releases at a time: git grep reads every Python file of the release.
  const answers = await inTurn(releasesAsked, 2, ([release, files]) => classUses(top, release, [...new Set(files.flatMap((f) => f.models))], timeoutMs));
  for (const [i, [release, files]] of releasesAsked.entries()) {
    const uses = answers[i];
    if (!uses) continue;
    for (const f of files) {
      const models = f.models.filter((m) => !uses.get(m)?.defined);
      const unused = f.models.filter((m) => uses.get(m)?.defined && uses.get(m)?.uses === 0);
      if (models.length || unused.length) out[f.file] = { release, models, unused };
    }
  }
  return out;
}

/**
 * The baseline of files spread over any number of repositories. Files outside a repository, and
 * repositories with nothing to compare against, are left out (their migrations are new work).
 */
export async function readBaselines(files: readonly string[], opts: BaselineOptions = {}): Promise<BaselineRepoData[]> {
  const tops = new Map<string, string | undefined>();
  const byRepo = new Map<string, string[]>();
  for (const f of files) {
    const dir = path.dirname(f);
    if (!tops.has(dir)) tops.set(dir, repositoryRoot(dir));
    const top = tops.get(dir);
    if (!top) continue;
    const list = byRepo.get(top) ?? [];
    list.push(f);
    byRepo.set(top, list);
  }
  const out: BaselineRepoData[] = [];
  for (const [top, list] of byRepo) {
    const repo = await readBaseline(top, list, opts);
    if (repo) out.push(repo);
  }
  return out;
}
