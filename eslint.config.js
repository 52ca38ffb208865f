// Lint: eslint's and typescript-eslint's recommended rules over the TS sources.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'helm/**', 'e2e/support/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Tests read loosely typed JSON from REST responses.
    files: ['e2e/**/*.ts', '**/*.test.ts', '**/*.test-support.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
