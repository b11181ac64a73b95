import { describe, expect, it } from 'vitest';
import { PosternError } from '../../../../src-protocol/common/errors.ts';
import { CALL_NAMES } from '../../../../src-protocol/contract/contract.ts';
import { deferredDispatcher } from '../../../../src-protocol/service/deferred-dispatcher.ts';
import { createDispatcher, EventHub, type Handlers } from '../../../../src-protocol/service/dispatcher.ts';
import type { Dispatcher } from '../../../../src-protocol/service/dispatcher-types.ts';
import { EngineStartupState } from '../../../../src-protocol/service/engine-startup.ts';

function realDispatcher(events = new EventHub()): Dispatcher {
  const handlers = Object.fromEntries(CALL_NAMES.map((name) => [name, async () => { throw new PosternError('NOT_FOUND'); }])) as unknown as Handlers;
  handlers['mail:accounts.list'] = async () => [];
  return createDispatcher(handlers, events);
}

function pending(): { starting: Promise<Dispatcher>; start: (d: Dispatcher) => void; fail: (e: Error) => void } {
  let start: (d: Dispatcher) => void = () => undefined;
  let fail: (e: Error) => void = () => undefined;
  const starting = new Promise<Dispatcher>((resolve, reject) => ((start = resolve), (fail = reject)));
  return { starting, start, fail };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('deferredDispatcher', () => {
  it('holds calls made while the engine starts and answers them once it is up', async () => {
    const { starting, start } = pending();
    const deferred = deferredDispatcher(starting);
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
    expect(await deferred.call('app:startup.get', {})).toEqual({
      ok: true,
      value: { state: 'failed', migration: null, message: 'The profile folder is not writable.' },
    });
    await expect(deferred.close()).resolves.toBeUndefined();
  });

  it('delivers events to listeners added before start, and stops when asked', async () => {
    const events = new EventHub();
    const { starting, start } = pending();
    const deferred = deferredDispatcher(starting);
    const seen: unknown[] = [];
    const stop = deferred.onEvent((name, payload) => name === 'mail:progress' && seen.push(payload));
    const stoppedEarly = deferred.onEvent(() => seen.push('must not arrive'));
    stoppedEarly();
    start(realDispatcher(events));
    await starting;
    await tick();
    events.emit('mail:progress', 1);
    stop();
    events.emit('mail:progress', 2);
    expect(seen).toEqual([1]);
  });

  it('answers app:startup.get at once while the database is upgraded, and tells listeners each step', async () => {
    const { starting, start } = pending();
    const startup = new EngineStartupState();
    const deferred = deferredDispatcher(starting, startup);
    const heard: unknown[] = [];
    deferred.onEvent((name, payload) => name === 'app:startup' && heard.push(payload));

    // Nothing reported yet: starting, no step (a new or current database).
    expect(await deferred.call('app:startup.get', {})).toEqual({ ok: true, value: { state: 'starting', migration: null, message: null } });
    startup.migrating({ done: 0, total: 2, version: 18, description: 'first step' });
    startup.migrating({ done: 1, total: 2, version: 19, description: 'second step' });
    // A window that opens now learns where the upgrade stands without waiting for the engine.
    expect(await deferred.call('app:startup.get', {})).toEqual({
      ok: true,
      value: { state: 'starting', migration: { done: 1, total: 2, description: 'second step' }, message: null },
    });
    expect(await deferred.call('app:startup.get', 'not an object')).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });

    start(realDispatcher());
    await starting;
    await tick();
    expect(await deferred.call('app:startup.get', {})).toEqual({ ok: true, value: { state: 'ready', migration: null, message: null } });
    // A report that comes after the start ended changes nothing.
    startup.migrating({ done: 2, total: 2, version: 19, description: 'second step' });
    expect(heard).toEqual([
      { state: 'starting', migration: { done: 0, total: 2, description: 'first step' }, message: null },
      { state: 'starting', migration: { done: 1, total: 2, description: 'second step' }, message: null },
      { state: 'ready', migration: null, message: null },
    ]);
  });
});
