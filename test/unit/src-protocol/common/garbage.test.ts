/**
 * common/garbage.ts: a big download ends with a GC, even in a process
 * started without --expose-gc (as the app's engine worker is). An object
 * reachable only through a WeakRef tells whether a GC ran.
 */
import { describe, expect, it } from 'vitest';
import { GarbageReleaser } from '../../../../src-protocol/common/garbage.ts';

/** A WeakRef is kept alive until the current job ends; a macrotask later it can be collected. */
async function weaklyHeld(): Promise<WeakRef<object>> {
  const ref = new WeakRef({ payload: new Array(1000).fill('x') });
  await new Promise((resolve) => setTimeout(resolve, 0));
  return ref;
}

describe('GarbageReleaser', () => {
  it('runs a GC at the end of a big download', async () => {
    const ref = await weaklyHeld();
    const garbage = new GarbageReleaser(100_000);
    garbage.released(60_000);
    garbage.released(60_000);
    garbage.finish();
    expect(ref.deref()).toBeUndefined();
  });

  it('leaves the global scope without gc()', () => {
    const garbage = new GarbageReleaser(1);
    garbage.released(1);
    garbage.finish();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});
