/** Which POP3 messages (by UIDL) are stored here, and which are gone from the server. */
import type { DatabaseSync } from 'node:sqlite';

export interface Pop3DownloadRow {
  uidl: string;
  message_id: number | null;
  size: number;
  downloaded_ms: number;
  deleted_on_server: number;
}

export class Pop3Store {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  known(accountId: string): Map<string, Pop3DownloadRow> {
    const rows = this.#db.prepare('SELECT uidl, message_id, size, downloaded_ms, deleted_on_server FROM pop3_downloads WHERE account_id = ?')
      .all(accountId) as unknown as Pop3DownloadRow[];
    return new Map(rows.map((r) => [r.uidl, r]));
  }

  /** Call in the transaction that commits the message's header row. */
  record(accountId: string, uidl: string, messageId: number, size: number, now = Date.now()): void {
    this.#db.prepare('INSERT INTO pop3_downloads (account_id, uidl, message_id, size, downloaded_ms) VALUES (?, ?, ?, ?, ?)')
      .run(accountId, uidl, messageId, size, now);
  }

  markDeletedOnServer(accountId: string, uidls: string[]): void {
    const update = this.#db.prepare('UPDATE pop3_downloads SET deleted_on_server = 1 WHERE account_id = ? AND uidl = ?');
    for (const uidl of uidls) update.run(accountId, uidl);
  }

  uidlOf(accountId: string, messageId: number): string | null {
    const row = this.#db.prepare('SELECT uidl FROM pop3_downloads WHERE account_id = ? AND message_id = ?').get(accountId, messageId) as { uidl: string } | undefined;
    return row?.uidl ?? null;
  }

  removeAccount(accountId: string): void {
    this.#db.prepare('DELETE FROM pop3_downloads WHERE account_id = ?').run(accountId);
  }
}
