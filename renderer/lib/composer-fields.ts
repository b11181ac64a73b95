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
}

/** Nothing a person would miss. */
export function isEmptyMessage(f: ComposerFields): boolean {
  return f.to.length === 0 && f.cc.length === 0 && f.bcc.length === 0 && f.subject.trim() === '' && f.text.trim() === '' && f.attachments.length === 0;
}
