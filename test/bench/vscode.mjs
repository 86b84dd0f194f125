// Figures of the VS Code layer in the real host (code-server + Chromium, or MIGRATION_LENS_VSCODE):
// activation to the first tree, rows on screen, refresh after a migrate, lens resolution against
// sqlmigrate. Runs test/e2e/suite/bench.test.ts on SQLite and PostgreSQL copies of examples/shop.
// Usage: npm run bench:vscode
import { spawnSync } from 'node:child_process';

const r = spawnSync(process.execPath, ['out/test/e2e/run.js'], {
  stdio: 'inherit',
  env: { ...process.env, MIGRATION_LENS_UI_BENCH: '1', MIGRATION_LENS_UI_ONLY: process.env.MIGRATION_LENS_UI_ONLY ?? 'sqlite,postgres' },
});
process.exit(r.status ?? 1);
