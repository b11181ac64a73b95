/** What a composer holds, as the engine's drafts and the outbox's undo give it back. */
import type { OutgoingAttachment } from '../../src-protocol/contract/index.ts';

export interface ComposerFields {
  account_id: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text: string;
  attachments: OutgoingAttachment[];
  /** The identity to send as (one of the account's addresses); the account's own when absent. */
  from?: string | undefined;
  /** Rich text; its inline images are among `attachments` (with content_id). */
  html?: string | undefined;
}

/** What a reply or forward answers; passed back to mail:send as given by the prefill call. */
export interface ComposeOrigin {
  in_reply_to_id?: number | undefined;
  forward_of_id?: number | undefined;
  forward_as_attachment?: boolean | undefined;
}

/** Nothing a person would miss. */
export function isEmptyMessage(f: ComposerFields): boolean {
  return f.to.length === 0 && f.cc.length === 0 && f.bcc.length === 0 && f.subject.trim() === '' && f.text.trim() === '' && f.attachments.length === 0;
}

/** The fields mail:drafts.save keeps (it has no From, HTML or origin yet). */
export function draftFieldsOf(f: ComposerFields): Omit<ComposerFields, 'from' | 'html'> {
  return { account_id: f.account_id, to: f.to, cc: f.cc, bcc: f.bcc, subject: f.subject, text: f.text, attachments: f.attachments };
}

/** The ways to answer a message. */
export type AnswerKind = 'reply' | 'reply-all' | 'forward' | 'forward-attachment';
