#!/usr/bin/env node
// `npm run bench`: the sync and search benchmark of issue 3 (see
// test/bench/sync/main.ts). Needs Node 24, which npm scripts put first on
// PATH from node_modules/.bin: the benchmark imports the engine's .ts files.
import { fileURLToPath } from 'node:url';

const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(`the benchmark needs Node 24 (this is ${process.version}); run it with "npm run bench"\n`);
  process.exit(1);
}
const { bundleLikeEngineWorker } = await import('../../electron/build.mjs');
const { main } = await import('./sync/main.ts');
// Postern's engine process runs from a bundle built like the app's engine
// worker (electron/build.mjs): the app never type-strips .ts at run time,
// which costs the process about 25 MB (README.md, "Memory: what the RSS row runs").
const posternRun = await bundleLikeEngineWorker(
  fileURLToPath(new URL('./sync/postern-run.ts', import.meta.url)),
  fileURLToPath(new URL('../../test-output/bench/engine-bundle/postern-run.cjs', import.meta.url)),
);
process.exitCode = await main({ posternRunBundle: posternRun });
