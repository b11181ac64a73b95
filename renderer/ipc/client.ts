/**
 * The renderer's only way to the engine: a typed client derived from the IPC
 * contract, over whichever transport this window has (Electron's preload or
 * the web bridge's WebSocket).
 *
 * The engine is trusted less than zero here: every answer is checked against
 * the contract's output schema and a mismatch is an error, never data. Every
 * failure reaches callers as an IpcError {code, message}.
 */
import './zod-csp.ts';
import {
  CALL_NAMES,
  callSchemas,
  eventSchema,
  type CallInput,
  type CallName,
  type CallOutput,
  type EventName,
  type EventPayload,
  type PreloadApi,
} from '../../src-protocol/contract/index.ts';
import { IpcError, isErrorCode } from './ipc-error.ts';
import { electronTransport } from './transport-electron.ts';
import { websocketTransport } from './transport-websocket.ts';

export { IpcError, isIpcError, toIpcError } from './ipc-error.ts';


export interface CallOptions {
  /** Aborting cancels the call in the engine and rejects with code CANCELLED. */
  signal?: AbortSignal;
}

export type CallProxy = {
  [K in CallName]: (input: CallInput<K>, options?: CallOptions) => Promise<CallOutput<K>>;
};

export interface IpcClient {
  call<K extends CallName>(name: K, input: CallInput<K>, options?: CallOptions): Promise<CallOutput<K>>;
  /** Listens to a contract event; payloads that fail the schema are dropped. Returns the unsubscribe function. */
  on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void;
  /** The same calls as methods named after the contract: `client.calls['mail:folders.list']({...})`. */
  readonly calls: CallProxy;
}

type ZodIssueLike = { path: ReadonlyArray<PropertyKey>; message: string };

function describeIssues(issues: ReadonlyArray<ZodIssueLike>): { field: string | undefined; text: string } {
  const first = issues[0];
  const field = first && first.path.length > 0 ? first.path.map(String).join('.') : undefined;
  const text = issues
    .slice(0, 3)
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
  return { field, text };
}

function checkEnvelope(name: string, raw: unknown): { ok: true; value: unknown } | { ok: false; error: IpcError } {
  if (typeof raw !== 'object' || raw === null || !('ok' in raw)) {
    return { ok: false, error: new IpcError('PROTOCOL', `The engine sent no valid answer to ${name}.`) };
  }
  const env = raw as { ok: unknown; value?: unknown; error?: unknown };
  if (env.ok === true) return { ok: true, value: env.value };
  const e = env.error as { code?: unknown; message?: unknown } | undefined;
  const rawCode = e?.code;
  const code = isErrorCode(rawCode) ? rawCode : 'INTERNAL';
  const message = typeof e?.message === 'string' && e.message.length > 0 ? e.message : `${name} failed.`;
  return { ok: false, error: new IpcError(code, message) };
}

export function createClient(api: PreloadApi): IpcClient {
  let nextId = 1;

  async function call<K extends CallName>(name: K, input: CallInput<K>, options?: CallOptions): Promise<CallOutput<K>> {
    const schemas = callSchemas(name);
    // Checking input here gives forms an immediate, field-level answer; the
    // engine checks again, since it trusts us no more than we trust it.
    const parsedInput = schemas.input.safeParse(input);
    if (!parsedInput.success) {
      const { field, text } = describeIssues(parsedInput.error.issues);
      throw new IpcError('BAD_INPUT', text, field);
    }
    const signal = options?.signal;
    if (signal?.aborted) throw new IpcError('CANCELLED', 'The operation was cancelled.');

    const id = nextId++;
    let rejectAborted: ((e: IpcError) => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      rejectAborted = reject;
    });
    const onAbort = (): void => {
      api.cancel(id);
      rejectAborted?.(new IpcError('CANCELLED', 'The operation was cancelled.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let raw: unknown;
    try {
      const answer = api.call(id, name, input);
      raw = signal ? await Promise.race([answer, aborted]) : await answer;
    } catch (err) {
      if (err instanceof IpcError) throw err;
      throw new IpcError('CONNECT_FAILED', `Could not reach the Postern engine: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }

    const env = checkEnvelope(name, raw);
    if (!env.ok) throw env.error;
    const output = schemas.output.safeParse(env.value);
    if (!output.success) {
      const { text } = describeIssues(output.error.issues);
      throw new IpcError('PROTOCOL', `The engine's answer to ${name} did not match the contract (${text}).`);
    }
    return output.data as CallOutput<K>;
  }

  function on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void {
    const schema = eventSchema(name);
    return api.subscribe(name, (payload) => {
      const parsed = schema.safeParse(payload);
      if (parsed.success) listener(parsed.data as EventPayload<K>);
      else console.warn(`Dropped a ${name} event that did not match the contract.`);
    });
  }

  const calls = Object.fromEntries(
    CALL_NAMES.map((n) => [n, (input: unknown, options?: CallOptions) => call(n, input as never, options)]),
  ) as unknown as CallProxy;

  return { call, on, calls };
}

/** Electron's preload when present, otherwise the web bridge. */
export function pickTransport(): PreloadApi {
  return electronTransport() ?? websocketTransport();
}

let defaultClient: IpcClient | null = null;

/** The app-wide client, created on first use. */
export function getClient(): IpcClient {
  defaultClient ??= createClient(pickTransport());
  return defaultClient;
}
