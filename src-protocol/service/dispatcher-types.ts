/**
 * The one interface every transport (Electron IPC, web bridge, CLI) talks
 * to. A Dispatcher validates input against the contract, runs the call and
 * answers with an envelope; it never throws across the boundary.
 */
import type { Envelope } from '../contract/envelope.ts';
import type { EventName } from '../contract/contract.ts';

export interface Dispatcher {
  /** `name` and `input` are untrusted; both are validated. */
  call(name: string, input: unknown, signal?: AbortSignal): Promise<Envelope<unknown>>;
  /** Listens to contract events; returns the function that stops listening. */
  onEvent(listener: (name: EventName, payload: unknown) => void): () => void;
  close(): Promise<void>;
}
