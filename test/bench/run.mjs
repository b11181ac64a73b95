#!/usr/bin/env node
// `npm run bench`: the sync and search benchmark of issue 3 (see
// test/bench/sync/main.ts). Needs Node 24, which npm scripts put first on
// PATH from node_modules/.bin: the benchmark imports the engine's .ts files.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(`the benchmark needs Node 24 (this is ${process.version}); run it with "npm run bench"\n`);
  process.exit(1);
}
const { main } = await import('./sync/main.ts');
process.exitCode = await main();
