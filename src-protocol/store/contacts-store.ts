/**
 * People the account has exchanged mail with, for address completion. Mail
 * the person sent counts five times what they received: who you write to
 * matters more than who writes to you.
 */
import type { DatabaseSync } from 'node:sqlite';
import { statement } from './statements.ts';

export interface ContactRow {
  address: string;
  name: string;
  received: number;
  sent: number;
}

const SENT_WEIGHT = 5;

export class ContactsStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /**
   * Many messages at once (a header batch): one write per address, not per
   * message. A batch names the same few senders again and again, and the
   * upsert per message was about a sixth of a header batch's writing.
   * Same result as noting each in turn: counts add up, the latest date
   * stays, and an empty name takes the first name given.
   */
  noteReceivedAll(messages: readonly { from: readonly { name: string; address: string }[]; dateMs: number | null }[]): void {
    const byAddress = new Map<string, { address: string; name: string; count: number; lastMs: number }>();
    for (const m of messages) {
      for (const a of m.from) {
        if (!a.address) continue;
        // The column compares with NOCASE, which folds ASCII letters only.
        const key = a.address.replace(/[A-Z]+/g, (c) => c.toLowerCase());
        const held = byAddress.get(key);
        if (!held) byAddress.set(key, { address: a.address, name: a.name, count: 1, lastMs: m.dateMs ?? 0 });
        else {
          held.count++;
          if (held.name === '') held.name = a.name;
          held.lastMs = Math.max(held.lastMs, m.dateMs ?? 0);
        }
      }
    }
    const upsert = statement(this.#db, `INSERT INTO contacts (address, name, received, last_ms) VALUES (?, ?, ?, ?)
      ON CONFLICT (address) DO UPDATE SET received = received + excluded.received, name = CASE WHEN name = '' THEN excluded.name ELSE name END,
        last_ms = max(last_ms, excluded.last_ms)`);
    for (const c of byAddress.values()) upsert.run(c.address, c.name, c.count, c.lastMs);
  }

  noteSent(to: { name: string; address: string }[], now = Date.now()): void {
    const upsert = statement(this.#db, `INSERT INTO contacts (address, name, sent, last_ms) VALUES (?, ?, 1, ?)
      ON CONFLICT (address) DO UPDATE SET sent = sent + 1, name = CASE WHEN excluded.name != '' THEN excluded.name ELSE name END, last_ms = excluded.last_ms`);
    for (const a of to) if (a.address) upsert.run(a.address, a.name, now);
  }

  /** Addresses or names starting with the typed text (any word of the name), best first. */
  search(query: string, limit: number): ContactRow[] {
    const q = query.trim().replace(/[%_\\]/g, (c) => `\\${c}`);
    if (!q) return [];
    return statement(this.#db, `SELECT address, name, received, sent FROM contacts
      WHERE address LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\'
      ORDER BY sent * ${SENT_WEIGHT} + received DESC, last_ms DESC LIMIT ?`)
      .all(`${q}%`, `${q}%`, `% ${q}%`, limit) as unknown as ContactRow[];
  }
}
