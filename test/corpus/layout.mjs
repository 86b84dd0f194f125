#!/usr/bin/env node
// Lays out the real-world corpus (manifest.json) from git directories of the listed repositories:
// each project at its pinned commit, only the manifest's paths, as its checkout has them.
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
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  const include = new RegExp(manifest.include);
  const listing = spawnSync('git', ['--git-dir', gitDir, 'ls-tree', '-r', '-z', p.commit], { maxBuffer: 1 << 28, encoding: 'utf8' });
  if (listing.status !== 0) {
    console.log(`${p.name}: commit ${p.commit} not in ${gitDir}: ${listing.stderr.trim()}`);
    missing++;
    continue;
  }
  const blobs = listing.stdout.split('\0').filter(Boolean).map((l) => {
    const [meta, file] = l.split('\t');
    return { type: meta.split(' ')[1], oid: meta.split(' ')[2], file };
  }).filter((b) => b.type === 'blob' && include.test(b.file));
  const batch = spawnSync('git', ['--git-dir', gitDir, 'cat-file', '--batch'], { input: blobs.map((b) => b.oid).join('\n') + '\n', maxBuffer: 1 << 30 });
  let at = 0;
  for (const b of blobs) {
    const nl = batch.stdout.indexOf(10, at);
    const size = Number(batch.stdout.subarray(at, nl).toString().split(' ')[2]);
    const target = path.join(dest, b.file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, batch.stdout.subarray(nl + 1, nl + 1 + size));
    at = nl + 1 + size + 1;
  }
  // The checkout as a git repository at the pinned commit, so the baseline (history vs new work) can be read.
  const git = (...a) => spawnSync('git', ['-C', dest, ...a], { encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=corpus', '-c', 'user.email=corpus@localhost', 'commit', '-q', '-m', `${p.repo}@${p.commit}`);
  const files = spawnSync('git', ['-C', dest, 'ls-files'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  console.log(`${p.name}: ${files.length} files, ${files.filter((f) => /\/(db_)?migrations\/[^/]+\.py$/.test(f) && !f.endsWith('__init__.py')).length} migration modules`);
}
console.log(`corpus in ${out}`);
process.exit(missing ? 1 : 0);
