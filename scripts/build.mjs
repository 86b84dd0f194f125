// Bundles the client, the server and the CLI with esbuild, and copies the tree-sitter .wasm files.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
mkdirSync('dist', { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // The ESM build of web-tree-sitter reads import.meta.url, which a CommonJS bundle lacks.
  alias: { 'web-tree-sitter': require.resolve('web-tree-sitter') },
};

await Promise.all([
  esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] }),
  // sql.js runs in a worker thread beside the client, so a slow SQLite query can be stopped.
  esbuild.build({ ...common, entryPoints: ['client/src/database/sqljs-worker.ts'], outfile: 'dist/sqljs-worker.js' }),
  // The database layer for `migration-lens check --database`, loaded by the CLI only when asked.
  esbuild.build({ ...common, entryPoints: ['client/src/database/session.ts'], outfile: 'dist/database.js' }),
  esbuild.build({ ...common, entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js' }),
  esbuild.build({
    ...common,
    entryPoints: ['server/src/cli.ts'],
    outfile: 'dist/cli.js', // keeps the source's #! line
  }),
]);
chmodSync('dist/cli.js', 0o755);

// The bridge runs under the project's own Python, shipped as source beside the bundles.
mkdirSync(join('dist', 'python'), { recursive: true });
copyFileSync(join('client', 'python', 'migration_lens_bridge.py'), join('dist', 'python', 'migration_lens_bridge.py'));

// libpg-query (the SQL reader of RunSQL) loads its .wasm from beside the bundle that holds it.
for (const spec of ['web-tree-sitter/tree-sitter.wasm', 'tree-sitter-python/tree-sitter-python.wasm', 'sql.js/dist/sql-wasm.wasm', 'libpg-query/wasm/libpg-query.wasm']) {
  copyFileSync(require.resolve(spec), join('dist', spec.split('/').pop()));
}
