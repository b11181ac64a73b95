/**
 * ESLint flat config for the whole repository, run from the repository root
 * as `eslint --config test/lint/eslint.config.js .` (the `lint` script).
 *
 * Every glob below is relative to the repository root, set explicitly with
 * `basePath` (computed from this file's location), so the config means the
 * same thing whatever directory ESLint is started from.
 *
 * Type-aware rules (no-floating-promises, no-misused-promises) are off by
 * default: they build the TypeScript program of every tsconfig project, which
 * made the lint about 4-5x slower (3 s -> 13-15 s on ~9,500 lines, 2 cores) and
 * grows with the code. `POSTERN_LINT_TYPED=1 npm run lint` switches them on.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'eslint/config';
import { builtinRules } from 'eslint/use-at-your-own-risk';
import tseslint from 'typescript-eslint';
import importBoundaries from './rules/import-boundaries.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/**
 * Options of the local import-boundaries rule: the one place that lists
 * which packages need Node (banned in renderer/ and src-protocol/contract)
 * and which need the DOM (banned in src-protocol/).
 */
export const importBoundaryOptions = {
  root: repoRoot,
  nodeOnlyPackages: ['imapflow', 'nodemailer', 'mailparser', 'ws', 'sanitize-html'],
  domOnlyPackages: ['react', 'react-dom', 'dompurify'],
};

/**
 * eslint:recommended, taken from ESLint's own rule metadata (the same
 * source @eslint/js builds it from; that package is not installed).
 */
const eslintRecommended = Object.fromEntries(
  [...builtinRules].filter(([, rule]) => rule.meta?.docs?.recommended).map(([name]) => [name, 'error']),
);

/** Globals of Node that plain .js/.mjs/.cjs files here use (TS files are checked by tsc instead). */
const nodeGlobals = Object.fromEntries(
  [
    'process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'setTimeout', 'clearTimeout',
    'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'queueMicrotask',
    'structuredClone', 'fetch', 'AbortController', 'AbortSignal', 'TextEncoder', 'TextDecoder',
    'performance',
  ].map((name) => [name, 'readonly']),
);

const typed = process.env.POSTERN_LINT_TYPED === '1';

export default defineConfig(
  {
    name: 'postern/ignores',
    basePath: repoRoot,
    ignores: ['**/node_modules/', '**/dist/', 'test-output/', '**/.tsbuild/'],
  },
  {
    name: 'postern/all',
    basePath: repoRoot,
    files: ['**/*.{ts,tsx,mts,cts,js,mjs,cjs}'],
    extends: [{ rules: eslintRecommended }, tseslint.configs.recommended],
    plugins: { postern: { rules: { 'import-boundaries': importBoundaries } } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'postern/import-boundaries': ['error', importBoundaryOptions],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports' },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Mail code matches control characters on purpose (header injection,
      // filename sanitising, NULs in MIME parts); the rule only flags those.
      'no-control-regex': 'off',
    },
  },
  typed
    ? {
        name: 'postern/typed',
        basePath: repoRoot,
        files: ['**/*.{ts,tsx,mts,cts}'],
        languageOptions: {
          parserOptions: {
            // vite.config.ts is left out of renderer/tsconfig.json (it runs in Node).
            projectService: { allowDefaultProject: ['renderer/vite.config.ts'] },
            tsconfigRootDir: repoRoot,
          },
        },
        rules: {
          '@typescript-eslint/no-floating-promises': 'error',
          '@typescript-eslint/no-misused-promises': 'error',
        },
      }
    : {},
  {
    name: 'postern/plain-js',
    basePath: repoRoot,
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: nodeGlobals },
  },
);
