// `--changed-since <ref>`: the files git sees as added or changed since a ref, committed or not,
// plus untracked ones. git is run with an argument array, never through a shell.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { GitError } from './git-baseline';

function git(cwd: string, args: string[]): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const err = e as { stderr?: string; code?: string };
    if (err.code === 'ENOENT') throw new GitError('git is not on the PATH');
    throw new GitError(`git ${args.join(' ')}: ${(err.stderr ?? String(e)).trim().split('\n')[0]}`);
  }
}

/** Absolute real paths of files added, copied, modified or renamed since `ref`, and untracked files. */
export function changedSince(ref: string, cwd: string): Set<string> {
  const top = git(cwd, ['rev-parse', '--show-toplevel']).trim();
  git(top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  const changed = git(top, ['diff', '--name-only', '-z', '--diff-filter=ACMR', ref, '--']).split('\0');
  const untracked = git(top, ['ls-files', '--others', '--exclude-standard', '-z']).split('\0');
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return p;
    }
  };
  return new Set([...changed, ...untracked].filter(Boolean).map((p) => real(path.resolve(top, p))));
}
