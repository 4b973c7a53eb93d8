import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.vscode-test/**', '.cache/**', 'out/**', '*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Architecture rule: the emulator is a library; it never imports VS Code, the extension or the webview.
    files: ['src/emulator/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['vscode'], message: 'src/emulator must not import vscode.' },
            { group: ['**/extension', '**/extension/**'], message: 'src/emulator must not import src/extension.' },
            { group: ['**/webview', '**/webview/**'], message: 'src/emulator must not import webview code.' },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'test/e2e/vscode/**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', __filename: 'readonly', require: 'readonly' } },
  },
);
