// The baseline: each migration as the base branch has it, by git blob id. A migration whose text is
// the base branch's is history (it has run wherever that branch is deployed), so its risk is said
// quietly even when no database can be read; new and modified migrations are this branch's work.
// The ids come from the client (or the CLI), which runs git; here they are only compared.
import { createHash } from 'crypto';
import type { BaselineRepoData, RetiredModels } from '../protocol';

/** A git repository's base-branch blobs of the files asked about. */
export interface BaselineRepo {
  /** The repository's top folder (absolute). */
  root: string;
  /** The ref compared against, as the user would name it (`origin/main`). */
  ref: string;
  /** Absolute path -> blob id at the merge base, for the files that exist there. */
  blobs: ReadonlyMap<string, string>;
  /** Absolute path -> the release whose tag first shipped it (others are in no release yet); absent: unknown. */
  releases?: ReadonlyMap<string, string>;
  /** Absolute path -> the models it deletes that the release running before its own no longer defines. */
  retired?: ReadonlyMap<string, RetiredModels>;
}

/** The engine's form of what git read (plain objects cross the protocol). */
export function baselineRepo(r: BaselineRepoData): BaselineRepo {
  return {
    root: r.root,
    ref: r.ref,
    blobs: new Map(Object.entries(r.blobs)),
    ...(r.releases ? { releases: new Map(Object.entries(r.releases)) } : {}),
    ...(r.retired ? { retired: new Map(Object.entries(r.retired)) } : {}),
  };
}

export type BaselineState = 'unchanged' | 'modified' | 'new';

/** The release of a migration no release tag holds yet (or, without tags, one new on this branch). */
export const UNRELEASED = 'unreleased';

export { FIRST_RELEASE } from '../../../shared/src/constants';

/** The id git gives a file's content (`git hash-object`), computed from the text. */
export function gitBlobId(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** The repository holding a file: the innermost one (a nested repository wins over its parent). */
export function repoOf(repos: readonly BaselineRepo[], file: string): BaselineRepo | undefined {
  let best: BaselineRepo | undefined;
  for (const r of repos) {
    if ((file.startsWith(r.root.endsWith('/') ? r.root : r.root + '/') || file.startsWith(r.root + '\\')) && (!best || r.root.length > best.root.length)) best = r;
  }
  return best;
}

/** How the file's text stands against its repository's base branch (undefined: not in a repository). */
export function baselineState(repos: readonly BaselineRepo[], file: string, text: string): BaselineState | undefined {
  const repo = repoOf(repos, file);
  if (!repo) return undefined;
  const blob = repo.blobs.get(file);
  if (!blob) return 'new';
  if (gitBlobId(text) === blob) return 'unchanged';
  // A checkout with CRLF line ends stores LF in git.
  return text.includes('\r\n') && gitBlobId(text.replace(/\r\n/g, '\n')) === blob ? 'unchanged' : 'modified';
}
