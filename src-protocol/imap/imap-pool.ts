/**
 * An account's IMAP connection, kept for a short while after a call is
 * done, so the next call (the next sync, opening a message that is not
 * downloaded yet, a folder action) skips TCP, TLS and signing in: a TLS
 * handshake and four round trips, 25-50 ms to Dovecot on loopback here and
 * several times that to a server across the internet.
 *
 * A connection is kept only after a call that succeeded, and only with no
 * folder open: UNSELECT where the server has it, CLOSE of a folder opened
 * read-only (which expunges nothing), otherwise it is logged out. A call
 * that failed or was cancelled logs its connection out as before. At most
 * one connection per account waits; it is logged out after
 * LIMITS.imapReuseIdleMs, and before it is used again a NOOP (bounded by
 * LIMITS.imapReuseProbeMs) proves the server still answers on it; if not,
 * a new connection is made. The pool owns its timers; `close()` clears
 * them and logs out whatever waits.
 */
import type { ImapFlow } from 'imapflow';
import { LIMITS } from '../common/limits.ts';
import { PosternError } from '../common/errors.ts';
import { classifyNetworkError } from '../net/classify-error.ts';
import { closeImap, connectImap, type ImapSettings } from './imap-connection.ts';

interface Waiting {
  client: ImapFlow;
  /** The server and user it is signed in to (see identityOf). */
  identity: string;
  timer: NodeJS.Timeout;
}

/** imapflow's own command runner: its CLOSE takes `unselect` (commands/close.js), the public mailboxClose does not. */
interface ImapFlowRun {
  run?: (command: string, options?: { unselect?: boolean }) => Promise<unknown>;
}

export interface ImapPoolOptions {
  idleMs?: number;
  probeTimeoutMs?: number;
  connect?: (settings: ImapSettings) => Promise<ImapFlow>;
}

/** Which signed-in connection this is: a connection is only reused for the same server, user and trust. */
function identityOf(s: ImapSettings): string {
  return JSON.stringify([s.host, s.port, s.security, s.user, s.caPem ?? null]);
}

export class ImapPool {
  readonly #waiting = new Map<string, Waiting>();
  readonly #idleMs: number;
  readonly #probeTimeoutMs: number;
  readonly #connect: (settings: ImapSettings) => Promise<ImapFlow>;
  #closed = false;

  constructor(options: ImapPoolOptions = {}) {
    this.#idleMs = options.idleMs ?? LIMITS.imapReuseIdleMs;
    this.#probeTimeoutMs = options.probeTimeoutMs ?? LIMITS.imapReuseProbeMs;
    this.#connect = options.connect ?? connectImap;
  }

  /**
   * Runs `fn` on a connection of account `key` (a waiting one when it is
   * alive, else a new one), like withImap: errors are classified, a
   * cancelled call drops its connection and fails as CANCELLED.
   */
  async use<T>(key: string, settings: ImapSettings, fn: (client: ImapFlow) => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    const identity = identityOf(settings);
    const client = (await this.#take(key, identity)) ?? await this.#connect(settings);
    const drop = () => client.close();
    signal?.addEventListener('abort', drop, { once: true });
    let done = false;
    try {
      const value = await fn(client);
      done = true;
      return value;
    } catch (err) {
      if (signal?.aborted) throw new PosternError('CANCELLED', 'Stopped before it finished; what was already stored is kept.', { cause: err });
      throw classifyNetworkError(err, `The IMAP server ${settings.host}`);
    } finally {
      signal?.removeEventListener('abort', drop);
      if (done && !signal?.aborted) await this.#giveBack(key, identity, client);
      else await closeImap(client);
    }
  }

  /** Logs out the connection waiting for this account (it was removed, or signed in again). */
  async drop(key: string): Promise<void> {
    const waiting = this.#waiting.get(key);
    if (!waiting) return;
    this.#waiting.delete(key);
    clearTimeout(waiting.timer);
    await closeImap(waiting.client);
  }

  /** Logs out every waiting connection; later calls still work but keep nothing. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#waiting.keys()].map((key) => this.drop(key)));
  }

  /** How many connections wait (tests). */
  get size(): number {
    return this.#waiting.size;
  }

  async #take(key: string, identity: string): Promise<ImapFlow | null> {
    const waiting = this.#waiting.get(key);
    if (!waiting) return null;
    this.#waiting.delete(key);
    clearTimeout(waiting.timer);
    const { client } = waiting;
    if (waiting.identity !== identity || !client.usable || !(await this.#answers(client))) {
      await closeImap(client);
      return null;
    }
    return client;
  }

  /** A NOOP answered in time: the server still holds the session (it may have dropped it, or the network under it). */
  async #answers(client: ImapFlow): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        client.noop().then(() => client.usable, () => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), this.#probeTimeoutMs))),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #giveBack(key: string, identity: string, client: ImapFlow): Promise<void> {
    if (this.#closed || this.#waiting.has(key) || !client.usable || !(await this.#closeFolder(client))) {
      await closeImap(client);
      return;
    }
    // Another call may have given one back while the folder closed.
    if (this.#closed || this.#waiting.has(key)) {
      await closeImap(client);
      return;
    }
    const timer = setTimeout(() => void this.drop(key), this.#idleMs);
    // A waiting connection never keeps the process alive.
    timer.unref();
    this.#waiting.set(key, { client, identity, timer });
  }

  /** Leaves no folder open, without expunging anything; false when that cannot be done safely. */
  async #closeFolder(client: ImapFlow): Promise<boolean> {
    const mailbox = client.mailbox;
    if (!mailbox) return true;
    const run = (client as unknown as ImapFlowRun).run;
    // CLOSE expunges \Deleted messages of a folder opened read-write: only UNSELECT, or CLOSE after EXAMINE.
    const safe = client.capabilities.has('UNSELECT') || mailbox.readOnly === true;
    if (!safe || typeof run !== 'function') return false;
    try {
      await run.call(client, 'CLOSE', { unselect: true });
    } catch {
      return false;
    }
    return !client.mailbox && client.usable;
  }
}
