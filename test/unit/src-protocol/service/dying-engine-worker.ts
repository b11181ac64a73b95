// The real engine worker, plus one way to make it die on purpose: a call
// named `test:exit` ends the worker thread at once, as a crash would.
// Used by engine-host.test.ts to see what callers get from a dead engine.
import { parentPort } from 'node:worker_threads';
import '../../../../src-protocol/service/engine-worker.ts';

parentPort?.on('message', (msg: { type?: unknown; name?: unknown }) => {
  if (msg.type === 'call' && msg.name === 'test:exit') process.exit(3);
});
