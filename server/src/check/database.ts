// What `check --database` needs from the database layer (client/src/database, bundled beside the
// CLI as database.js): the applied rows of a project and the probe counts. Loaded only on demand,
// so the plain check never loads a driver.
import * as path from 'path';
import type { AppliedRow, ProbeResult, ProbeSpec } from '../protocol';
import type { Engine } from '../analysis/impact';

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

export function openProjectDatabase(projectRoot: string, statementTimeoutMs: number): ProjectDatabaseLike {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(__dirname, 'database.js')) as { ProjectDatabase: new (root: string, o: object) => ProjectDatabaseLike };
  return new mod.ProjectDatabase(projectRoot, { statementTimeoutMs });
}
