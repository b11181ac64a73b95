/**
 * Sends what waits in the outbox, exactly once as far as a client can make
 * it so: the state is committed before and after every step, the server's
 * 250 is recorded before anything else happens, and a send found half-way
 * after a crash is reconciled by its Message-ID in Sent before it is retried.
 * (The one window no client can close: a crash between the server's 250 and
 * our commit of it, microseconds wide; then the message is sent again.)
 */
import { PosternError } from '../common/errors.ts';
import { failpoint } from '../common/failpoints.ts';
import type { Logger } from '../common/log.ts';
import type { OutboxRow, OutboxStore } from '../store/outbox-store.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { SubmitResult } from '../smtp/smtp-submit.ts';
import type { OutboxItem } from '../contract/schemas.ts';
import { settleWithin } from '../common/settle-within.ts';

export interface OutboxDeps {
  outbox: OutboxStore;
  blobs: BlobStore;
  submit: (accountId: string, envelope: OutboxRow['envelope'], raw: Buffer) => Promise<SubmitResult>;
  /** Whether Sent already holds this Message-ID (a copy made before a crash). */
  inSent: (accountId: string, messageId: string) => Promise<boolean>;
  saveToSent: (accountId: string, raw: Buffer) => Promise<boolean>;
  /** Awaited: work it starts (such as marking the original answered) finishes within the run. */
  onChange: (item: OutboxItem) => void | Promise<void>;
  logger: Logger;
}

/** Failures a retry cannot fix: the person must change something first. */
const PERMANENT = new Set(['SEND_REJECTED', 'AUTH_FAILED', 'TLS_UNTRUSTED', 'BAD_INPUT', 'CREDENTIAL_MISSING']);

export function outboxItem(r: OutboxRow): OutboxItem {
  return {
    id: r.id, account_id: r.account_id, message_id: r.message_id, subject: r.draft.subject,
    to: [...r.draft.to, ...r.draft.cc, ...r.draft.bcc], state: r.state, send_at_iso: new Date(r.send_at_ms).toISOString(),
    attempts: r.attempts, last_error: r.last_error, last_error_code: r.last_error_code, accepted: r.accepted, rejected: r.rejected, sent_copy: r.sent_copy,
  };
}

export class OutboxRunner {
  readonly #d: OutboxDeps;
  readonly #running = new Map<string, Promise<void>>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #closed = false;

  constructor(deps: OutboxDeps) {
    this.#d = deps;
  }

  /** Processes the account's outbox in the background (one run at a time). */
  kick(accountId: string): void {
    void this.process(accountId).catch((err: unknown) => this.#d.logger.info('outbox waits', { account: accountId, err }));
  }

  /** Processes now; resolves when this run is over (a run already going is joined, then repeated). */
  async process(accountId: string): Promise<void> {
    if (this.#closed) return;
    const current = this.#running.get(accountId);
    if (current) await current.catch(() => {});
    const run = this.#run(accountId).finally(() => {
      this.#running.delete(accountId);
      this.#schedule(accountId);
    });
    this.#running.set(accountId, run);
    await run;
  }

  async close(timeoutMs = 15_000): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    await settleWithin(this.#running.values(), timeoutMs);
  }

  async #run(accountId: string): Promise<void> {
    const { outbox } = this.#d;
    for (let row of outbox.work(accountId)) {
      if (row.state === 'sending') {
        // Left mid-SMTP by a crash: did it go? Sent is the only witness we have.
        if (await this.#d.inSent(accountId, row.message_id)) {
          outbox.setState(row.id, 'sent', { sent_copy: true, last_error: null });
          await this.#changed(row.id);
          continue;
        }
        outbox.setState(row.id, 'queued');
        row = outbox.get(row.id) as OutboxRow;
      }
      if (row.state === 'queued') {
        const raw = await this.#d.blobs.get(row.blob_sha256);
        outbox.setState(row.id, 'sending');
        failpoint('send:before-submit');
        let result: SubmitResult;
        try {
          result = await this.#d.submit(accountId, row.envelope, raw);
        } catch (err) {
          const e = err instanceof PosternError ? err : new PosternError('INTERNAL', String(err));
          if (PERMANENT.has(e.code)) outbox.setState(row.id, 'failed', { last_error: e.message, last_error_code: e.code });
          else outbox.retryLater(row.id, e.message, e.code);
          await this.#changed(row.id);
          // A connection problem will hit the next message too: stop here.
          if (!PERMANENT.has(e.code)) throw e;
          continue;
        }
        // Recorded before anything else: from here on it is never sent again.
        outbox.setState(row.id, 'submitted', { accepted: result.accepted, rejected: result.rejected, last_error: null });
        failpoint('send:after-submit');
        await this.#changed(row.id);
        row = outbox.get(row.id) as OutboxRow;
      }
      if (row.state === 'submitted') {
        failpoint('send:before-sent-copy');
        let copied = await this.#d.inSent(accountId, row.message_id).catch(() => false);
        if (!copied) copied = await this.#d.saveToSent(accountId, await this.#d.blobs.get(row.blob_sha256));
        outbox.setState(row.id, 'sent', { sent_copy: copied });
        await this.#changed(row.id);
      }
    }
  }

  async #changed(id: number): Promise<void> {
    const row = this.#d.outbox.get(id);
    if (!row) return;
    try {
      await this.#d.onChange(outboxItem(row));
    } catch (err) {
      this.#d.logger.info('outbox listener failed', { err });
    }
  }

  #schedule(accountId: string): void {
    if (this.#closed) return;
    const old = this.#timers.get(accountId);
    if (old) clearTimeout(old);
    this.#timers.delete(accountId);
    const due = this.#d.outbox.nextDue(accountId);
    if (due === null) return;
    const timer = setTimeout(() => {
      this.#timers.delete(accountId);
      this.kick(accountId);
    }, Math.max(0, due - Date.now()));
    timer.unref();
    this.#timers.set(accountId, timer);
  }
}
