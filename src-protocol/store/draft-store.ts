/** Drafts as the composer had them, plus the bytes last composed from them. */
import type { DatabaseSync } from 'node:sqlite';

export interface DraftContent {
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text: string;
  /** Attachments are stored as blobs; only their names and hashes live here. */
  attachments: { filename: string; content_type: string | null; blob_sha256: string; size: number; content_id?: string }[];
  html?: string;
  from?: string;
  in_reply_to_id?: number;
  forward_of_id?: number;
  forward_as_attachment?: boolean;
}

export interface DraftRow {
  id: number;
  account_id: string;
  draft_key: string;
  content: DraftContent;
  blob_sha256: string;
  updated_ms: number;
}

interface RawDraft extends Omit<DraftRow, 'content'> {
  content_json: string;
}

export class DraftStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  insert(accountId: string, key: string, content: DraftContent, blobSha: string, now = Date.now()): number {
    return (this.#db.prepare('INSERT INTO drafts (account_id, draft_key, content_json, blob_sha256, updated_ms) VALUES (?, ?, ?, ?, ?) RETURNING id')
      .get(accountId, key, JSON.stringify(content), blobSha, now) as { id: number }).id;
  }

  update(id: number, content: DraftContent, blobSha: string, now = Date.now()): void {
    this.#db.prepare('UPDATE drafts SET content_json = ?, blob_sha256 = ?, updated_ms = ? WHERE id = ?').run(JSON.stringify(content), blobSha, now, id);
  }

  get(id: number): DraftRow | undefined {
    const r = this.#db.prepare('SELECT * FROM drafts WHERE id = ?').get(id) as unknown as RawDraft | undefined;
    return r ? decode(r) : undefined;
  }

  byKey(key: string): DraftRow | undefined {
    const r = this.#db.prepare('SELECT * FROM drafts WHERE draft_key = ?').get(key) as unknown as RawDraft | undefined;
    return r ? decode(r) : undefined;
  }

  list(accountId: string | undefined): DraftRow[] {
    const rows = (accountId === undefined
      ? this.#db.prepare('SELECT * FROM drafts ORDER BY updated_ms DESC').all()
      : this.#db.prepare('SELECT * FROM drafts WHERE account_id = ? ORDER BY updated_ms DESC').all(accountId)) as unknown as RawDraft[];
    return rows.map(decode);
  }

  remove(id: number): void {
    this.#db.prepare('DELETE FROM drafts WHERE id = ?').run(id);
  }
}

function decode(r: RawDraft): DraftRow {
  const { content_json, ...rest } = r;
  return { ...rest, content: JSON.parse(content_json) as DraftContent };
}
