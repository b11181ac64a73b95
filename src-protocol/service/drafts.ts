/**
 * Drafts: every save is committed here first (a crash or a lost connection
 * never costs more than the typing since the last save), then sent to the
 * server's Drafts folder as a task that appends the new version and removes
 * the older ones, found by their X-Postern-Draft header.
 */
import { randomUUID } from 'node:crypto';
import { PosternError } from '../common/errors.ts';
import { failpoint } from '../common/failpoints.ts';
import { composeMessage } from '../mime/compose.ts';
import { getAttachmentContent, parseMessage } from '../mime/parse.ts';
import type { StoredAccount } from '../accounts/account-config.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { DraftContent, DraftRow, DraftStore } from '../store/draft-store.ts';
import type { MailStore, MessageRow } from '../store/mail-store.ts';
import type { TaskStore } from '../store/task-store.ts';
import type { Draft, DraftSummary, OutgoingAttachment } from '../contract/schemas.ts';
import { identitiesOf } from '../accounts/account-config.ts';
import { sanitizeHtml } from '../mime/sanitize-html.ts';

export interface DraftDeps {
  drafts: DraftStore;
  store: MailStore;
  blobs: BlobStore;
  tasks: TaskStore;
  /** Sends pending tasks of the account in the background. */
  kick: (accountId: string) => void;
}

export interface DraftFields {
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text: string;
  attachments: OutgoingAttachment[];
  html?: string | undefined;
  from?: string | undefined;
  in_reply_to_id?: number | undefined;
  forward_of_id?: number | undefined;
  forward_as_attachment?: boolean | undefined;
}

export class Drafts {
  readonly #d: DraftDeps;

  constructor(deps: DraftDeps) {
    this.#d = deps;
  }

  async save(account: StoredAccount, draftId: number | undefined, fields: DraftFields): Promise<{ draft_id: number; saved_iso: string }> {
    const existing = draftId === undefined ? undefined : this.#own(draftId, account.id);
    const key = existing?.draft_key ?? randomUUID();
    const attachments: DraftContent['attachments'] = [];
    const forCompose: { filename: string; contentType?: string; content: Buffer }[] = [];
    for (const a of fields.attachments) {
      const content = Buffer.from(a.data_base64, 'base64');
      attachments.push({ filename: a.filename, content_type: a.content_type ?? null, blob_sha256: await this.#d.blobs.put(content), size: content.length, ...(a.content_id ? { content_id: a.content_id } : {}) });
      forCompose.push({ filename: a.filename, content, ...(a.content_type ? { contentType: a.content_type } : {}), ...(a.content_id ? { cid: a.content_id } : {}) });
    }
    const identity = identitiesOf(account).find((i) => i.address.toLowerCase() === (fields.from ?? account.email).toLowerCase()) ?? identitiesOf(account)[0];
    const built = await composeMessage({
      from: { name: identity?.name ?? account.name, address: identity?.address ?? account.email }, to: fields.to, cc: fields.cc, bcc: fields.bcc,
      subject: fields.subject, text: fields.text, ...(fields.html !== undefined ? { html: sanitizeHtml(fields.html) } : {}),
      attachments: forCompose, messageIdDomain: account.email.split('@')[1] ?? 'localhost', draftId: key,
    });
    const sha = await this.#d.blobs.put(built.raw);
    const content: DraftContent = {
      to: fields.to, cc: fields.cc, bcc: fields.bcc, subject: fields.subject, text: fields.text, attachments,
      ...(fields.html !== undefined ? { html: fields.html } : {}), ...(fields.from ? { from: fields.from } : {}),
      ...(fields.in_reply_to_id ? { in_reply_to_id: fields.in_reply_to_id } : {}), ...(fields.forward_of_id ? { forward_of_id: fields.forward_of_id } : {}),
      ...(fields.forward_as_attachment ? { forward_as_attachment: true } : {}),
    };
    const drafts = this.#d.store.listFolders(account.id).find((f) => f.special_use === 'drafts');
    const now = Date.now();
    const id = this.#d.store.transaction(() => {
      const saved = existing ? (this.#d.drafts.update(existing.id, content, sha, now), existing.id) : this.#d.drafts.insert(account.id, key, content, sha, now);
      if (!account.pop3 && drafts) {
        this.#d.tasks.dropPendingDraftPuts(account.id, key);
        this.#d.tasks.add(account.id, { kind: 'draft-put', folder: drafts.path, draft_key: key, blob_sha256: sha });
      }
      return saved;
    });
    failpoint('draft:after-save');
    if (!account.pop3) this.#d.kick(account.id);
    return { draft_id: id, saved_iso: new Date(now).toISOString() };
  }

  list(accountId: string | undefined): DraftSummary[] {
    return this.#d.drafts.list(accountId).map(summary);
  }

  async get(draftId: number): Promise<Draft> {
    const row = this.#row(draftId);
    const attachments = await Promise.all(row.content.attachments.map(async (a) => ({
      filename: a.filename, data_base64: (await this.#d.blobs.get(a.blob_sha256)).toString('base64'), ...(a.content_type ? { content_type: a.content_type } : {}),
      ...(a.content_id ? { content_id: a.content_id } : {}),
    })));
    const c = row.content;
    return {
      ...summary(row), cc: c.cc, bcc: c.bcc, text: c.text, attachments,
      ...(c.html !== undefined ? { html: c.html } : {}), ...(c.from ? { from: c.from } : {}), ...(c.in_reply_to_id ? { in_reply_to_id: c.in_reply_to_id } : {}),
      ...(c.forward_of_id ? { forward_of_id: c.forward_of_id } : {}), ...(c.forward_as_attachment ? { forward_as_attachment: true } : {}),
    };
  }

  /** Removes the draft here and (as a task) every version on the server. */
  remove(account: StoredAccount, draftId: number): void {
    const row = this.#own(draftId, account.id);
    const drafts = this.#d.store.listFolders(account.id).find((f) => f.special_use === 'drafts');
    this.#d.store.transaction(() => {
      this.#d.drafts.remove(row.id);
      if (!account.pop3 && drafts) {
        this.#d.tasks.dropPendingDraftPuts(account.id, row.draft_key);
        this.#d.tasks.add(account.id, { kind: 'draft-remove', folder: drafts.path, draft_key: row.draft_key });
      }
    });
    if (!account.pop3) this.#d.kick(account.id);
  }

  /** A message from the Drafts folder becomes a local draft (same X-Postern-Draft key when it has one). */
  async open(account: StoredAccount, message: MessageRow, raw: Buffer): Promise<number> {
    const model = await parseMessage(raw);
    const key = headerValue(raw, 'x-postern-draft');
    if (key) {
      const known = this.#d.drafts.byKey(key);
      if (known) return known.id;
    }
    const attachments: OutgoingAttachment[] = [];
    for (let i = 0; i < model.attachments.length; i++) {
      const a = await getAttachmentContent(raw, i);
      attachments.push({ filename: a.filename, content_type: a.content_type, data_base64: a.content.toString('base64') });
    }
    const list = (xs: { name: string; address: string }[]) => xs.map((x) => (x.name ? `${x.name} <${x.address}>` : x.address));
    const saved = await this.save(account, undefined, {
      to: list(model.to), cc: list(model.cc), bcc: list(parseBcc(raw)), subject: model.subject, text: model.text ?? '', attachments,
    });
    // The draft now lives under our key; the copy another client saved goes once ours is on the server.
    if (!key && !account.pop3 && message.uid > 0) {
      this.#d.tasks.add(account.id, { kind: 'expunge', folder: message.folder_path, uid: message.uid });
      this.#d.kick(account.id);
    }
    return saved.draft_id;
  }

  #row(draftId: number): DraftRow {
    const row = this.#d.drafts.get(draftId);
    if (!row) throw new PosternError('NOT_FOUND', `There is no draft ${draftId}.`);
    return row;
  }

  #own(draftId: number, accountId: string): DraftRow {
    const row = this.#row(draftId);
    if (row.account_id !== accountId) throw new PosternError('BAD_INPUT', `Draft ${draftId} belongs to another account.`);
    return row;
  }
}

function summary(r: DraftRow): DraftSummary {
  return { draft_id: r.id, account_id: r.account_id, subject: r.content.subject, to: r.content.to, updated_iso: new Date(r.updated_ms).toISOString() };
}

/** One unfolded header value from the raw header block (ASCII-only use). */
function headerValue(raw: Buffer, name: string): string | null {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end === -1 ? Math.min(raw.length, 65536) : end).toString('latin1').replace(/\r\n[ \t]+/g, ' ');
  const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head);
  return m?.[1]?.trim() || null;
}

function parseBcc(raw: Buffer): { name: string; address: string }[] {
  const value = headerValue(raw, 'bcc');
  return value ? value.split(',').map((a) => ({ name: '', address: a.trim().replace(/^.*<([^>]+)>.*$/, '$1') })).filter((a) => a.address) : [];
}
