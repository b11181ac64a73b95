/**
 * Builds the renderer into dist/renderer with relative URLs, so the same
 * files load from Electron (file:// or a custom protocol) and from the web
 * bridge (`postern serve`).
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // The strict CSP forbids inline scripts; never inline the module preload helper.
    modulePreload: { polyfill: false },
    sourcemap: true,
    target: 'chrome130',
  },
});
