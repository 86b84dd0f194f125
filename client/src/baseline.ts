// Answers the server's baseline request with git, and tells it when HEAD, a branch or the setting
// moves. git is a process: in an untrusted workspace there is no baseline (every migration is new).
import * as path from 'path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { BaselineChangedNotification, BaselineParams, BaselineRepoData, BaselineRequest, BaselineResult } from './protocol';
import { readBaselines, readRepoReleases } from '../../core/src/git/git-baseline';
import { findConfig } from '../../server/src/analysis/config';

export class BaselineProvider implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly watched = new Map<string, vscode.Disposable>();
  private timer: NodeJS.Timeout | undefined;
  /**
   * Release tags read per repository (a walk of its history, up to a second on a big one): read in
   * the background after the first answer, so the blobs never wait for them; dropped when refs move.
   */
  private readonly releases = new Map<string, Required<Pick<BaselineRepoData, 'releases' | 'retired'>> | undefined | 'reading'>();

  constructor(
    private readonly client: LanguageClient,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      client.onRequest(BaselineRequest, (params) => this.answer(params)),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('migrationLens.baseline') && this.changed()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed()),
    );
  }

  private async answer({ paths }: BaselineParams): Promise<BaselineResult> {
    if (!vscode.workspace.isTrusted) return null;
    // The setting is per folder: group the files by the ref their folder asks for.
    const byRef = new Map<string, string[]>();
    const refs = new Map<vscode.WorkspaceFolder | undefined, string>();
    for (const p of paths) {
      const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(p));
      // The folder's setting, else the project's configuration file (`baseline` in [tool.migration-lens]).
      if (!refs.has(folder))
        refs.set(folder, (vscode.workspace.getConfiguration('migrationLens', folder).get<string>('baseline') || findConfig(path.dirname(p))?.config.baseline || '').trim().replace(/^auto$/, ''));
      const ref = refs.get(folder)!;
      if (ref.toLowerCase() === 'none') continue;
      const list = byRef.get(ref) ?? [];
      list.push(p);
      byRef.set(ref, list);
    }
    const repos: NonNullable<BaselineResult>['repos'] = [];
    const started = Date.now();
    for (const [ref, files] of byRef) {
      try {
        repos.push(...(await readBaselines(files, { ref: ref || undefined, releases: false })));
      } catch (e) {
        this.output.warn(`baseline: ${(e as Error).message}; the migrations of those folders count as new work`);
      }
    }
    for (const r of repos) {
      this.watch(r.root);
      const known = this.releases.get(r.root);
      if (known === undefined && !this.releases.has(r.root)) this.readReleases(r.root, paths);
      else if (known && known !== 'reading') Object.assign(r, known);
    }
    this.output.info(
      repos.length
        ? `baseline: ${repos.map((r) => `${r.ref} in ${r.root} (${Object.keys(r.blobs).length} migrations there)`).join('; ')}, read in ${Date.now() - started} ms`
        : 'baseline: no git repository with a base branch; every migration counts as new work',
    );
    return { repos };
  }

  private readReleases(root: string, paths: readonly string[]): void {
    this.releases.set(root, 'reading');
    const started = Date.now();
    readRepoReleases(root, paths)
      .then((releases) => {
        if (this.releases.get(root) !== 'reading') return; // the refs moved meanwhile: read again on the next ask
        this.releases.set(root, releases);
        this.output.info(
          releases
            ? `releases: ${Object.keys(releases.releases).length} migrations in ${root} shipped in a release tag, read in ${Date.now() - started} ms`
            : `releases: no version tags in ${root} (or a shallow clone); migrations new on this branch ship together`,
        );
        if (releases) this.changed();
      })
      .catch((e) => {
        this.releases.set(root, undefined);
        this.output.warn(`releases: ${(e as Error).message}`);
      });
  }

  /** HEAD and the refs of a repository: a checkout, commit, merge or rebase may move the merge base. */
  private watch(root: string): void {
    if (this.watched.has(root)) return;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.join(root, '.git')), '{HEAD,packed-refs,refs/**}'));
    const fire = () => {
      this.releases.delete(root);
      this.changed();
    };
    this.watched.set(root, vscode.Disposable.from(watcher, watcher.onDidChange(fire), watcher.onDidCreate(fire), watcher.onDidDelete(fire)));
  }

  private changed(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.client.sendNotification(BaselineChangedNotification), 500);
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of [...this.disposables, ...this.watched.values()]) d.dispose();
  }
}
