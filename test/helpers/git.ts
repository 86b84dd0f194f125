// Real git repositories for the baseline tests (git runs with argument arrays and a fixed identity).
import * as cp from 'child_process';

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

export function git(cwd: string, ...args: string[]): string {
  return gitAt(cwd, undefined, ...args);
}

/** git with the commit dates set (`2024-01-02T03:04:05Z`): a tag's date is its commit's. */
export function gitAt(cwd: string, date: string | undefined, ...args: string[]): string {
  const env = date ? { ...ENV, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : ENV;
  const r = cp.spawnSync('git', args, { cwd, encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Makes `root` a repository on `main` with everything in it committed. */
export function initRepo(root: string): void {
  git(root, 'init', '--quiet', '--initial-branch=main');
  commitAll(root, 'initial');
}

export function commitAll(root: string, message: string, date?: string): void {
  git(root, 'add', '--all');
  gitAt(root, date, 'commit', '--quiet', '--allow-empty', '-m', message);
}
