#!/usr/bin/env node
// Lays out the real-world corpus (manifest.json) from git directories of the listed repositories:
// each project at its pinned commit, with its history and tags, only the manifest's paths in the work tree.
// Usage: node test/corpus/layout.mjs <dir holding owner+name/repo git dirs> [out dir]
// Default out dir: ~/.cache/migration-lens/corpus. Prints one line per project.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fileURLToPath } from 'url';

const here = path.dirname(fileURLToPath(import.meta.url));
const manifest = JSON.parse(fs.readFileSync(path.join(here, 'manifest.json'), 'utf8'));
const [mirrors, outArg] = process.argv.slice(2);
if (!mirrors) {
  console.error('usage: layout.mjs <mirrors dir> [out dir]');
  process.exit(2);
}
const out = path.resolve(outArg ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'migration-lens', 'corpus'));
fs.mkdirSync(out, { recursive: true });

let missing = 0;
for (const p of manifest.projects) {
  const gitDir = [path.join(mirrors, p.repo.replace('/', '+'), 'repo'), path.join(mirrors, p.repo.replace('/', '+'))].find((d) => fs.existsSync(path.join(d, 'HEAD')));
  const dest = path.join(out, p.name);
  if (!gitDir) {
    console.log(`${p.name}: no git directory for ${p.repo} under ${mirrors}`);
    missing++;
    continue;
  }
  const include = new RegExp(manifest.include);
  const listing = spawnSync('git', ['--git-dir', gitDir, 'ls-tree', '-r', '-z', p.commit], { maxBuffer: 1 << 28, encoding: 'utf8' });
  if (listing.status !== 0) {
    console.log(`${p.name}: commit ${p.commit} not in ${gitDir}: ${listing.stderr.trim()}`);
    missing++;
    continue;
  }
  const blobs = listing.stdout
    .split('\0')
    .filter(Boolean)
    .map((l) => {
      const [meta, file] = l.split('\t');
      return { type: meta.split(' ')[1], oid: meta.split(' ')[2], file };
    })
    .filter((b) => b.type === 'blob' && include.test(b.file));
  // The checkout as git has it: a clone sharing the mirror's objects, its history and release tags
  // included (the baseline and --releases read them), with only the manifest's files in the work tree.
  fs.rmSync(dest, { recursive: true, force: true });
  const run = (...a) => {
    const r = spawnSync('git', a, { encoding: 'utf8', input: a.includes('--stdin') ? blobs.map((b) => `/${b.file}`).join('\n') + '\n' : undefined, maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`git ${a.join(' ')}: ${r.stderr.trim()}`);
    return r.stdout;
  };
  run('clone', '-q', '--shared', '--no-checkout', gitDir, dest);
  run('-C', dest, 'sparse-checkout', 'set', '--no-cone', '--stdin');
  run('-C', dest, 'checkout', '-q', '-B', 'main', p.commit);
  // Files in the work tree (the others are skip-worktree: 'S').
  const files = spawnSync('git', ['-C', dest, 'ls-files', '-t'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => l.startsWith('H '))
    .map((l) => l.slice(2));
  console.log(`${p.name}: ${files.length} files, ${files.filter((f) => /\/(db_)?migrations\/[^/]+\.py$/.test(f) && !f.endsWith('__init__.py')).length} migration modules`);
}
console.log(`corpus in ${out}`);
process.exit(missing ? 1 : 0);
