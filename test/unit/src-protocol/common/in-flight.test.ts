import { describe, expect, it } from 'vitest';
import { InFlight } from '../../../../src-protocol/common/in-flight.ts';

/** A promise settled from outside, and whether it has been. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

describe('InFlight', () => {
  it('waits for the oldest until fewer than the bound are under way', async () => {
    const writes = new InFlight();
    const [a, b, c] = [deferred(), deferred(), deferred()];
    writes.add(a.promise);
    writes.add(b.promise);
    writes.add(c.promise);
    let passed = false;
    const waiting = writes.below(2).then(() => { passed = true; });
    await new Promise((r) => setImmediate(r));
    expect(passed).toBe(false);
    b.resolve(); // Not the oldest: still waiting for a.
    await new Promise((r) => setImmediate(r));
    expect(passed).toBe(false);
    a.resolve();
    await waiting;
    expect(passed).toBe(true);
    c.resolve();
    await writes.all();
  });

  it('throws the first failure, and settle() waits for the rest without throwing', async () => {
    const writes = new InFlight();
    const [a, b] = [deferred(), deferred()];
    writes.add(a.promise);
    writes.add(b.promise);
    a.reject(new Error('disk full'));
    await expect(writes.all()).rejects.toThrow('disk full');
    let settled = false;
    const rest = writes.settle().then(() => { settled = true; });
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    b.reject(new Error('also failed'));
    await rest;
    expect(settled).toBe(true);
  });
});
