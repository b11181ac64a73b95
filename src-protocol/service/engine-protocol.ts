/**
 * Messages between the engine host (the thread serving the UI) and the
 * engine worker. Credentials stay in the host — Electron's safeStorage only
 * exists there — and the worker asks for them when it needs one.
 */
import type { CredentialRef } from '../accounts/credentials.ts';
import type { Envelope } from '../contract/envelope.ts';
import type { MigrationStep } from '../store/database.ts';

export type HostToWorker =
  | { type: 'call'; id: number; name: string; input: unknown }
  | { type: 'cancel'; id: number }
  | { type: 'credential-result'; id: number; ok: true; value: unknown }
  | { type: 'credential-result'; id: number; ok: false; error: { code: string; message: string } }
  | { type: 'close' };

export type CredentialOp =
  | { op: 'save'; accountId: string; secret: string; hint?: { envVariable?: string } }
  | { op: 'load'; accountId: string; ref: CredentialRef }
  | { op: 'remove'; accountId: string; ref: CredentialRef };

export type WorkerToHost =
  /** Before 'ready': a step of upgrading the database has begun (or, done = total, the last has ended). */
  | { type: 'migrating'; step: MigrationStep }
  | { type: 'ready' }
  | { type: 'result'; id: number; envelope: Envelope<unknown> }
  | { type: 'event'; name: string; payload: unknown }
  | { type: 'credential'; id: number; request: CredentialOp }
  | { type: 'closed' };

export interface WorkerInit {
  profileDir: string;
  downloadsDir?: string | undefined;
}
