// Packages the built extension: node scripts/package.mjs [out.vsix]. The marketplace page uses
// client/README.md (text only: vsce needs a repository URL to rewrite relative images).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const out = process.argv[2] ?? 'dist/migration-lens.vsix';
const r = spawnSync(process.execPath, [require.resolve('@vscode/vsce/vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--readme-path', 'client/README.md', '--out', out], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
process.exit(r.status ?? 1);
