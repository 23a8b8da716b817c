import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

/** Synchronous GPU readback can silently return garbage on WebGPU: always `await tensor.data()`. */
const noSyncReadback = ['dataSync', 'arraySync', 'bufferSync'].map((property) => ({
  property,
  message: `${property}() reads the GPU synchronously (wrong on WebGPU); use await tensor.data() / array().`,
}));

export default ts.config(
  { ignores: ['dist/', 'node_modules/', 'dev-dist/', 'test-results/', 'playwright-report/', '.bench-out/', '.gpukit/', '.gl/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node, ...globals.worker } },
    rules: {
      'no-restricted-properties': ['error', ...noSyncReadback],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser } },
  },
);
