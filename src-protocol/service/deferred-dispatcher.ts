/**
 * A Dispatcher that stands in for one still starting. The window opens at
 * once while the engine worker boots; calls made meanwhile wait for it, and
 * if the engine cannot start every call answers with the reason, so the
 * person sees it in the window instead of a silent blank app.
 */
import { toErrorPayload } from '../src-protocol/common/errors.ts';
import type { Envelope } from '../src-protocol/contract/envelope.ts';
import type { EventName } from '../src-protocol/contract/contract.ts';
import type { Dispatcher } from '../src-protocol/service/dispatcher-types.ts';

type Started = { ok: true; dispatcher: Dispatcher } | { ok: false; error: unknown };

export function deferredDispatcher(starting: Promise<Dispatcher>): Dispatcher {
  const started: Promise<Started> = starting.then(
    (dispatcher) => ({ ok: true, dispatcher }),
    (error: unknown) => ({ ok: false, error }),
  );

  return {
    async call(name: string, input: unknown, signal?: AbortSignal): Promise<Envelope<unknown>> {
      const state = await started;
      if (!state.ok) return { ok: false, error: toErrorPayload(state.error) };
      return state.dispatcher.call(name, input, signal);
    },

    onEvent(listener: (name: EventName, payload: unknown) => void): () => void {
      let stopped = false;
      let stop: (() => void) | undefined;
      void started.then((state) => {
        if (state.ok && !stopped) stop = state.dispatcher.onEvent(listener);
      });
      return () => {
        stopped = true;
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
