/**
 * A Dispatcher that stands in for one still starting. The window opens at
 * once while the engine worker boots (and perhaps upgrades the database);
 * calls made meanwhile wait for it, `app:startup.get` is answered at once
 * from the start's progress, and if the engine cannot start every call
 * answers with the reason, so the person sees it in the window instead of a
 * silent blank app. Electron's main process and `postern serve` both use it.
 */
import { toErrorPayload } from '../common/errors.ts';
import { callSchemas, type EventName } from '../contract/contract.ts';
import type { Envelope } from '../contract/envelope.ts';
import type { Dispatcher } from './dispatcher-types.ts';
import { EngineStartupState } from './engine-startup.ts';

type Started = { ok: true; dispatcher: Dispatcher } | { ok: false; error: unknown };

export function deferredDispatcher(starting: Promise<Dispatcher>, startup = new EngineStartupState()): Dispatcher {
  const started: Promise<Started> = starting.then(
    (dispatcher) => ({ ok: true, dispatcher }),
    (error: unknown) => ({ ok: false, error }),
  );
  void started.then((state) => (state.ok ? startup.ready() : startup.failed(toErrorPayload(state.error).message)));

  return {
    async call(name: string, input: unknown, signal?: AbortSignal): Promise<Envelope<unknown>> {
      if (name === 'app:startup.get') {
        const parsed = callSchemas('app:startup.get').input.safeParse(input ?? {});
        if (!parsed.success) return { ok: false, error: { code: 'BAD_INPUT', message: `Invalid input for app:startup.get: ${parsed.error.issues[0]?.message ?? 'invalid'}` } };
        return { ok: true, value: startup.current };
      }
      const state = await started;
      if (!state.ok) return { ok: false, error: toErrorPayload(state.error) };
      return state.dispatcher.call(name, input, signal);
    },

    onEvent(listener: (name: EventName, payload: unknown) => void): () => void {
      let stopped = false;
      let stop: (() => void) | undefined;
      const stopStartup = startup.onChange((s) => listener('app:startup', s));
      void started.then((state) => {
        if (state.ok && !stopped) stop = state.dispatcher.onEvent(listener);
      });
      return () => {
        stopped = true;
        stopStartup();
        stop?.();
        stop = undefined;
      };
    },

    async close(): Promise<void> {
      const state = await started;
      if (state.ok) await state.dispatcher.close();
    },
  };
}
