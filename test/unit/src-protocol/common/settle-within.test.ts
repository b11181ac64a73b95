// Shutting down waits for work under way, but not for ever, and never throws.
import { describe, expect, it } from 'vitest';
import { settleWithin } from '../../../../src-protocol/common/settle-within.ts';

describe('settleWithin', () => {
  it('returns once everything settled, failures included', async () => {
    const done: string[] = [];
    const ok = new Promise<void>((r) => setTimeout(() => { done.push('ok'); r(); }, 20));
    const failed = new Promise<void>((_r, reject) => setTimeout(() => { done.push('failed'); reject(new Error('x')); }, 10));
    await settleWithin([ok, failed], 10_000);
    expect(done.sort()).toEqual(['failed', 'ok']);
  });

  it('gives up after the timeout on work that never ends', async () => {
    let finished = false;
    await settleWithin([new Promise<void>(() => {})], 30).then(() => (finished = true));
    expect(finished).toBe(true);
  });
});
