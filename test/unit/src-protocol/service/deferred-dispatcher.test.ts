import { describe, expect, it } from 'vitest';
import { deferredDispatcher } from '../../../electron/deferred-dispatcher.ts';
import { PosternError } from '../../../src-protocol/common/errors.ts';
import { CALL_NAMES } from '../../../src-protocol/contract/contract.ts';
import { createDispatcher, EventHub, type Handlers } from '../../../src-protocol/service/dispatcher.ts';
import type { Dispatcher } from '../../../src-protocol/service/dispatcher-types.ts';

function realDispatcher(events = new EventHub()): Dispatcher {
  const handlers = Object.fromEntries(CALL_NAMES.map((name) => [name, async () => { throw new PosternError('NOT_FOUND'); }])) as unknown as Handlers;
  handlers['mail:accounts.list'] = async () => [];
  return createDispatcher(handlers, events);
}

describe('deferredDispatcher', () => {
  it('holds calls made while the engine starts and answers them once it is up', async () => {
    let start: (d: Dispatcher) => void = () => undefined;
    const deferred = deferredDispatcher(new Promise((resolve) => (start = resolve)));
    const answer = deferred.call('mail:accounts.list', {});
    start(realDispatcher());
    expect(await answer).toEqual({ ok: true, value: [] });
  });

  it('answers every call with the reason when the engine cannot start', async () => {
    const deferred = deferredDispatcher(Promise.reject(new PosternError('STORAGE', 'The profile folder is not writable.')));
    expect(await deferred.call('mail:accounts.list', {})).toEqual({
      ok: false,
      error: { code: 'STORAGE', message: 'The profile folder is not writable.' },
    });
    await expect(deferred.close()).resolves.toBeUndefined();
  });

  it('delivers events to listeners added before start, and stops when asked', async () => {
    const events = new EventHub();
    let start: (d: Dispatcher) => void = () => undefined;
    const starting = new Promise<Dispatcher>((resolve) => (start = resolve));
    const deferred = deferredDispatcher(starting);
    const seen: unknown[] = [];
    const stop = deferred.onEvent((_name, payload) => seen.push(payload));
    const stoppedEarly = deferred.onEvent(() => seen.push('must not arrive'));
    stoppedEarly();
    start(realDispatcher(events));
    await starting;
    await Promise.resolve();
    events.emit('mail:progress', 1);
    stop();
    events.emit('mail:progress', 2);
    expect(seen).toEqual([1]);
  });
});
