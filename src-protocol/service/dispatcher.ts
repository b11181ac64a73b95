/**
 * The one dispatcher behind every transport: checks the name against the
 * contract, validates input with the contract's schema, runs the handler,
 * validates what it answers, and wraps it all in an envelope.
 */
import { callSchemas, isCallName, type CallName, type CallOutput, type CallParsedInput, type EventName } from '../contract/contract.ts';
import type { Envelope } from '../contract/envelope.ts';
import { PosternError, toErrorPayload } from '../common/errors.ts';
import type { Logger } from '../common/log.ts';
import type { Dispatcher } from './dispatcher-types.ts';

export interface CallContext {
  signal: AbortSignal;
}

export type Handlers = {
  [K in CallName]: (input: CallParsedInput<K>, ctx: CallContext) => Promise<CallOutput<K>>;
};

export type EventSink = (name: EventName, payload: unknown) => void;

export class EventHub {
  readonly #listeners = new Set<EventSink>();

  emit: EventSink = (name, payload) => {
    for (const l of this.#listeners) l(name, payload);
  };

  on(listener: EventSink): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  clear(): void {
    this.#listeners.clear();
  }
}

export function createDispatcher(handlers: Handlers, events: EventHub, logger?: Logger, onClose?: () => Promise<void>): Dispatcher {
  return {
    async call(name: string, input: unknown, signal?: AbortSignal): Promise<Envelope<unknown>> {
      if (!isCallName(name)) return { ok: false, error: { code: 'BAD_INPUT', message: `Unknown call "${String(name).slice(0, 80)}".` } };
      const schemas = callSchemas(name);
      const parsed = schemas.input.safeParse(input ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
        return { ok: false, error: { code: 'BAD_INPUT', message: `Invalid input for ${name}${where}: ${issue?.message ?? 'invalid'}` } };
      }
      const ctx: CallContext = { signal: signal ?? new AbortController().signal };
      try {
        if (ctx.signal.aborted) throw new PosternError('CANCELLED');
        const handler = handlers[name] as (i: unknown, c: CallContext) => Promise<unknown>;
        const value = await handler(parsed.data, ctx);
        const checked = schemas.output.safeParse(value);
        if (!checked.success) {
          logger?.error('handler answered outside the contract', { name, issue: checked.error.issues[0]?.message });
          return { ok: false, error: { code: 'INTERNAL', message: `Postern produced an invalid answer for ${name}.` } };
        }
        return { ok: true, value: checked.data };
      } catch (err) {
        if (ctx.signal.aborted && !(err instanceof PosternError)) return { ok: false, error: { code: 'CANCELLED', message: 'The operation was cancelled.' } };
        const payload = toErrorPayload(err);
        if (payload.code === 'INTERNAL') logger?.error('call failed', { name, err });
        return { ok: false, error: payload };
      }
    },
    onEvent(listener) {
      return events.on(listener);
    },
    async close() {
      // Work finishing during close still reports its outcome.
      await onClose?.();
      events.clear();
    },
  };
}
