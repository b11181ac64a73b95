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
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import importBoundaries from './rules/import-boundaries.js';
import noBoundaryDisable from './rules/no-boundary-disable.js';

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

/** Every extension we lint, as a brace list for globs. */
const SOURCE = '{ts,tsx,mts,cts,js,mjs,cjs}';

/**
 * Node's own globals, without CommonJS's `require`/`module`/`__dirname`:
 * our .js/.mjs files are ES modules (.cjs gets those below). Globals only
 * matter for plain JS: typescript-eslint turns no-undef off for TS files,
 * which tsc checks against each project's libs.
 */
const nodeGlobals = globals.nodeBuiltin;

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
    extends: [js.configs.recommended, tseslint.configs.recommended],
    plugins: {
      postern: { rules: { 'import-boundaries': importBoundaries, 'no-boundary-disable': noBoundaryDisable } },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'postern/import-boundaries': ['error', importBoundaryOptions],
      // A boundary that gets in the way is a question for the issue note, not a disable.
      'postern/no-boundary-disable': 'error',
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
    // Node: the engine, the Electron main side, the tests, and plain JS
    // (build scripts, the CLI entry, this config) outside the renderer.
    name: 'postern/node-globals',
    basePath: repoRoot,
    files: [`src-protocol/**/*.${SOURCE}`, `electron/**/*.${SOURCE}`, `test/**/*.${SOURCE}`, '**/*.{js,mjs,cjs}'],
    ignores: ['renderer/**'],
    languageOptions: { globals: nodeGlobals },
  },
  {
    // .cjs is CommonJS, with Node's module wrapper (require, module,
    // __dirname); typescript-eslint's base config sets sourceType 'module'
    // for every file.
    name: 'postern/commonjs',
    basePath: repoRoot,
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    name: 'postern/browser-globals',
    basePath: repoRoot,
    files: [`renderer/**/*.${SOURCE}`],
    ignores: ['renderer/vite.config.*'],
    languageOptions: { globals: globals.browser },
  },
  {
    // Vite's config is build tooling that runs in Node (renderer/tsconfig.json leaves it out too).
    name: 'postern/renderer-build-globals',
    basePath: repoRoot,
    files: ['renderer/vite.config.*'],
    languageOptions: { globals: nodeGlobals },
  },
);
