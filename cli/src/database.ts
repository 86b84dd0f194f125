// What `check --database` needs from the database layer (core): the applied rows of a project and
// the probe counts. The layer (and its drivers) is imported only when asked, so the plain check
// never loads it.
import type { Engine } from '../../server/src/engine';
import type { ProjectDatabase } from '../../core/src/database/session';
import { declaredDatabase } from '../../shared/src/settings-file';

export type ProjectDatabaseLike = Pick<ProjectDatabase, 'readApplied' | 'probe' | 'close'>;

/**
 * The engine a project's settings name statically (`django.db.backends.postgresql`), and the file
 * that names it; undefined when they name none or read it from a URL at run time.
 */
export function declaredEngine(projectRoot: string): { engine: Engine; file: string } | undefined {
  const d = declaredDatabase(projectRoot);
  const name = d?.engine === 'postgres' ? 'postgresql' : d?.engine === 'mysql' || d?.engine === 'sqlite' ? d.engine : undefined;
  return name && d ? { engine: { name }, file: d.file } : undefined;
}

export async function openProjectDatabase(projectRoot: string, statementTimeoutMs: number): Promise<ProjectDatabaseLike> {
  const { ProjectDatabase } = await import('../../core/src/database/session');
  return new ProjectDatabase(projectRoot, { statementTimeoutMs });
}
