/**
 * Push for one folder: a connection of its own sits in IDLE on the folder
 * and reports any change the server announces (EXISTS, EXPUNGE, FETCH
 * FLAGS). imapflow never reconnects by itself, so this rebuilds the
 * connection with backoff after a network loss, a server restart or sleep,
 * and reports a change after every reconnect (what happened meanwhile is
 * caught up by the sync that follows). Owns its timers and listeners.
 */
import type { ImapFlow } from 'imapflow';
import type { Logger } from '../common/log.ts';
import { LIMITS } from '../common/limits.ts';

export interface PushWatcherOptions {
  /** A connected, authenticated client with IDLE enabled. */
  connect: () => Promise<ImapFlow>;
  folder: string;
  /** Something changed (or may have, after a reconnect): sync now. */
  onChange: () => void;
  logger: Logger;
}

export class PushWatcher {
  readonly #o: PushWatcherOptions;
  #client: ImapFlow | null = null;
  #stopped = false;
  #attempt = 0;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #debounceTimer: NodeJS.Timeout | null = null;
  #connectedAt = 0;

  constructor(options: PushWatcherOptions) {
    this.#o = options;
  }

  get connected(): boolean {
    return this.#client?.usable === true;
  }

  start(): void {
    void this.#open();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of [this.#reconnectTimer, this.#debounceTimer]) if (t) clearTimeout(t);
    this.#reconnectTimer = this.#debounceTimer = null;
    const client = this.#client;
    this.#client = null;
    if (client) {
      client.removeAllListeners();
      client.on('error', () => {});
      try {
        await client.logout();
      } catch {
        // going away either way
      }
      client.close();
    }
  }

  async #open(): Promise<void> {
    if (this.#stopped) return;
    let client: ImapFlow;
    try {
      client = await this.#o.connect();
      await client.mailboxOpen(this.#o.folder, { readOnly: true });
    } catch (err) {
      this.#o.logger.info('push connection failed; will retry', { folder: this.#o.folder, err });
      this.#retry();
      return;
    }
    if (this.#stopped) {
      client.close();
      return;
    }
    this.#client = client;
    this.#connectedAt = Date.now();
    const changed = () => this.#changed();
    client.on('exists', changed);
    client.on('expunge', changed);
    client.on('flags', changed);
    client.on('mailboxOpen', changed);
    client.on('error', (err: Error) => this.#o.logger.info('push connection error', { folder: this.#o.folder, err }));
    client.on('close', () => {
      client.removeAllListeners();
      client.on('error', () => {});
      if (this.#client === client) this.#client = null;
      // A connection that lived a while resets the backoff.
      if (Date.now() - this.#connectedAt > LIMITS.pushStableAfterMs) this.#attempt = 0;
      this.#retry();
    });
    // Catch up on whatever happened while we were not listening.
    this.#changed();
  }

  #changed(): void {
    if (this.#stopped || this.#debounceTimer) return;
    // Several notifications in a burst make one sync.
    this.#debounceTimer = setTimeout(() => {
      this.#debounceTimer = null;
      if (!this.#stopped) this.#o.onChange();
    }, LIMITS.pushDebounceMs);
  }

  #retry(): void {
    if (this.#stopped || this.#reconnectTimer) return;
    const delay = Math.min(LIMITS.pushBackoffMaxMs, LIMITS.pushBackoffMinMs * 2 ** this.#attempt);
    this.#attempt = Math.min(this.#attempt + 1, 20);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      void this.#open();
    }, delay);
  }
}
