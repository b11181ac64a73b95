/**
 * What every call answers across a transport. Electron strips Error objects
 * in transit, so errors travel as {code, message}.
 */
import type { ErrorCode } from '../common/error-codes.ts';

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: { code: ErrorCode; message: string } };

/** Messages of the web bridge's WebSocket protocol (JSON). */
export type BridgeClientMessage =
  | { type: 'call'; id: number; name: string; input: unknown }
  | { type: 'cancel'; id: number };

export type BridgeServerMessage =
  | { type: 'result'; id: number; envelope: Envelope<unknown> }
  | { type: 'event'; name: string; payload: unknown };
