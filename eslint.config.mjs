// ESLint: typescript-eslint's recommended rules without type information (fast:
// no program is built), tuned to how this code base is written.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-output/**', 'data/**', 'docs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    rules: {
      // A `let` assigned once, later, but read before by a closure (a shutdown handler set up
      // before the thing it stops exists) cannot be a `const`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // `_name` marks a parameter or binding kept on purpose (Express handler signatures, destructured omissions).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Nest modules and DTOs are classes with decorators and no members of their own.
      '@typescript-eslint/no-extraneous-class': 'off',
      // A non-null assertion follows a check the compiler cannot see (map.get after set, a spawned child's stdio).
      '@typescript-eslint/no-non-null-assertion': 'off',
      // `catch {}` with a comment saying why is how optional clean-up is written here.
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    // Plain scripts run by node directly (build, start, test, bench).
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // The dashboard's page scripts run in the browser.
    files: ['apps/stitcher/src/**/public/**/*.js', 'apps/stitcher/src/dashboard/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Tests run with vitest's globals (describe, it, expect).
    files: [
      '**/*.spec.ts',
      '**/*.spec.mjs',
      '**/*.int-spec.ts',
      '**/*.medium-spec.ts',
      '**/*.e2e-spec.ts',
      'libs/testing/**/*.ts',
      'test/**/*.ts',
    ],
    languageOptions: { globals: { ...globals.vitest } },
  },
);
