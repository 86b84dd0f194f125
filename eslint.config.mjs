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
    files: ['core/src/database/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The language server and the engine: analysis, rules, features and the LSP wiring; and what
    // both sides share. Processes, sockets and databases belong to core (the client and the CLI).
    files: ['server/src/**/*.ts', 'shared/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['child_process', 'node:child_process', 'net', 'node:net', 'vscode', 'pg', 'mysql2', 'mysql2/promise', 'sql.js', 'kysely'].map((name) => ({
            name,
            message: 'The language server is a pure function of text: processes, sockets, databases and VS Code belong to core (the client and the CLI).',
          })),
          patterns: [{ group: ['**/core/src/**', '**/client/src/**', '**/cli/src/**'], message: 'The language server depends on shared/ alone.' }],
        },
      ],
    },
  },
  {
    // core: the database, the Django runner and bridge, git; used by the extension and the CLI alike.
    files: ['core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'core runs in the CLI too: VS Code belongs to the client.' }],
          patterns: [{ group: ['**/server/src/**', '**/client/src/**', '**/cli/src/**'], message: 'core depends on shared/ alone.' }],
        },
      ],
    },
  },
  // Layout is Prettier's (.prettierrc.json): no ESLint rule argues with it.
  prettier,
);
