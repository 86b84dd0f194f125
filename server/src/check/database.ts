// What `check --database` needs from the database layer (client/src/database, bundled beside the
// CLI as database.js): the applied rows of a project and the probe counts. Loaded only on demand,
// so the plain check never loads a driver.
import * as path from 'path';
import type { AppliedRow, ProbeResult, ProbeSpec } from '../protocol';
import type { Engine } from '../analysis/impact';
import { declaredDatabase } from '../../../shared/src/settings-file';

export interface ProjectDatabaseLike {
  readApplied(inputs: { projectRoot: string; env: NodeJS.ProcessEnv }): Promise<{
    description: string;
    rows?: AppliedRow[];
    problem?: { kind: string; message: string };
    notes: string[];
    engine?: Engine;
  }>;
  probe(specs: readonly ProbeSpec[]): Promise<ProbeResult[]>;
  close(): Promise<void>;
}

/** The database layer's bundle (dist/database.js), beside the CLI. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const databaseModule = () => require(path.join(__dirname, 'database.js'));

/**
 * The engine a project's settings name statically (`django.db.backends.postgresql`), and the file
 * that names it; undefined when they name none or read it from a URL at run time.
 */
export function declaredEngine(projectRoot: string): { engine: Engine; file: string } | undefined {
  const d = declaredDatabase(projectRoot);
  const name = d?.engine === 'postgres' ? 'postgresql' : d?.engine === 'mysql' || d?.engine === 'sqlite' ? d.engine : undefined;
  return name && d ? { engine: { name }, file: d.file } : undefined;
}

export function openProjectDatabase(projectRoot: string, statementTimeoutMs: number): ProjectDatabaseLike {
  const mod = databaseModule() as { ProjectDatabase: new (root: string, o: object) => ProjectDatabaseLike };
  return new mod.ProjectDatabase(projectRoot, { statementTimeoutMs });
}
