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

/** Resolves an import matching `filter` to a bundle of its own, loaded at run time from `file` beside the importer. */
function besideAs(filter, file) {
  return { name: 'beside', setup: (build) => build.onResolve({ filter }, () => ({ path: file, external: true })) };
}

const bundles = [
  { ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] },
  // sql.js runs in a worker thread beside the client, so a slow SQLite query can be stopped.
  { ...common, entryPoints: ['core/src/database/sqljs-worker.ts'], outfile: 'dist/sqljs-worker.js' },
  { ...common, entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js' },
  // The CLI imports the database layer (core) through the compiler, only for `--database`; its
  // bundle loads it from database.js beside it, so a plain check never parses the drivers.
  { ...common, entryPoints: ['cli/src/cli.ts'], outfile: 'dist/cli.js', plugins: [besideAs(/core\/src\/database\/session$/, './database.js')] }, // keeps the source's #! line
  { ...common, entryPoints: ['core/src/database/session.ts'], outfile: 'dist/database.js' },
];
// --watch: rebuild each bundle when its sources change (type errors: `npm run typecheck`).
const watch = process.argv.includes('--watch');
if (watch) {
  for (const b of bundles) {
    const ctx = await esbuild.context(b);
    await ctx.rebuild();
    await ctx.watch();
  }
  console.log('watching the sources; bundles rebuilt on each change');
} else await Promise.all(bundles.map((b) => esbuild.build(b)));
chmodSync('dist/cli.js', 0o755);

// The bridge runs under the project's own Python, shipped as source beside the bundles.
mkdirSync(join('dist', 'python'), { recursive: true });
copyFileSync(join('core', 'python', 'migration_lens_bridge.py'), join('dist', 'python', 'migration_lens_bridge.py'));

// libpg-query (the SQL reader of RunSQL) loads its .wasm from beside the bundle that holds it.
for (const spec of ['web-tree-sitter/tree-sitter.wasm', 'tree-sitter-python/tree-sitter-python.wasm', 'sql.js/dist/sql-wasm.wasm', 'libpg-query/wasm/libpg-query.wasm']) {
  copyFileSync(require.resolve(spec), join('dist', spec.split('/').pop()));
}
