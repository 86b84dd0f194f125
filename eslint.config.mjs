// ESLint for the TypeScript sources: the recommended rules, and the boundary that keeps the
// language server a pure function of text (no processes, sockets, database drivers or VS Code).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'examples/**', 'media/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  // CommonJS files (mocha's reporter) load with require.
  { files: ['**/*.js'], languageOptions: { sourceType: 'commonjs' }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
  // Scripts the VS Code host runs in its browser page.
  { files: ['test/host/**'], languageOptions: { globals: { ...globals.browser, ...globals.node } } },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Kysely over the user's tables, whose schema is not typed here: Kysely<any> on purpose.
    files: ['client/src/database/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The language server: analysis, rules, features and its LSP wiring. The CLI's own parts
    // (server/src/check, cli.ts) run git and open databases, and are outside this boundary.
    files: ['server/src/**/*.ts', 'shared/src/**/*.ts'],
    ignores: ['server/src/check/**', 'server/src/cli.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['child_process', 'node:child_process', 'net', 'node:net', 'vscode', 'pg', 'mysql2', 'mysql2/promise', 'sql.js', 'kysely'].map((name) => ({
            name,
            message: 'The language server is a pure function of text: processes, sockets, databases and VS Code belong to the client (or the CLI).',
          })),
        },
      ],
    },
  },
  // Layout is Prettier's (.prettierrc.json): no ESLint rule argues with it.
  prettier,
);
