/**
 * Builds an outgoing message with nodemailer's MailComposer. The message is
 * built once: the same bytes go to the SMTP server and into the Sent folder,
 * so what was sent is what is kept. Bcc recipients are in the envelope only,
 * never in the headers.
 */
import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { attachmentType } from './attachment-type.ts';
import { LIMITS } from '../common/limits.ts';
import { PosternError } from '../common/errors.ts';
import { isValidAddress, parseAddressInputs, type Mailbox } from './addresses.ts';

export interface ComposeInput {
  from: { name?: string; address: string };
  /** Address strings as typed: 'bob@example.test', 'Bob <bob@example.test>', '"Doe, Jane" <j@x>'; one may list several. */
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text: string;
  /** Rich text: the message becomes multipart/alternative (text + html); inline images (cid) make it multipart/related. */
  html?: string;
  attachments: { filename: string; contentType?: string; content: Buffer; cid?: string }[];
  /** The right-hand side of the Message-ID, usually the sender's domain. */
  messageIdDomain: string;
  /** The Date header; now when absent. */
  date?: Date;
  /**
   * A draft, not a message to send: recipients may be missing, Bcc is kept
   * in the headers (the draft must come back whole), and the draft's id goes
   * into X-Postern-Draft so every saved version can be found again.
   */
  draftId?: string;
  /** Threading: the Message-ID this answers, and the References chain (RFC 5322 3.6.4). */
  inReplyTo?: string;
  references?: string[];
  /** Extra parts given whole, such as a forwarded message (message/rfc822). */
  rawAttachments?: { filename: string; contentType: string; content: Buffer }[];
}

export interface ComposedMessage {
  /** The whole message, CRLF line ends. */
  raw: Buffer;
  /** With angle brackets: '<uuid@domain>'. */
  messageId: string;
  /** For SMTP: MAIL FROM and every RCPT TO (To, Cc and Bcc, each once). */
  envelope: { from: string; to: string[] };
}

// CR or LF would end the header and let the value write headers of its own; NUL is
// refused by most servers and cuts strings in some clients.
const HEADER_BREAKERS = /[\r\n\u0000]/;
const DOMAIN = /^[^\s@<>()[\]\\,;:"]+$/;

export async function composeMessage(input: ComposeInput): Promise<ComposedMessage> {
  checkHeaderValue('From name', input.from.name ?? '');
  checkHeaderValue('From address', input.from.address);
  for (const value of [...input.to, ...input.cc, ...input.bcc]) checkHeaderValue('recipient', value);
  checkHeaderValue('subject', input.subject);
  for (const id of [input.inReplyTo ?? '', ...(input.references ?? [])]) checkHeaderValue('message reference', id);
  checkHeaderValue('Message-ID domain', input.messageIdDomain);
  for (const attachment of input.attachments) {
    checkHeaderValue('attachment file name', attachment.filename);
    checkHeaderValue('attachment content type', attachment.contentType ?? '');
  }

  const fromAddress = input.from.address.trim();
  if (!isValidAddress(fromAddress)) {
    throw new PosternError('BAD_INPUT', `The From address "${fromAddress}" is not a valid e-mail address.`);
  }
  const to = parseAddressInputs(input.to, 'To');
  const cc = parseAddressInputs(input.cc, 'Cc');
  const bcc = parseAddressInputs(input.bcc, 'Bcc');
  const recipients = uniqueAddresses([...to, ...cc, ...bcc]);
  if (recipients.length === 0 && input.draftId === undefined) throw new PosternError('BAD_INPUT', 'The message has no recipients.');
  if (input.draftId !== undefined) checkHeaderValue('draft id', input.draftId);
  if (recipients.length > LIMITS.maxRecipients) {
    throw new PosternError('BAD_INPUT', `The message has ${recipients.length} recipients; at most ${LIMITS.maxRecipients} are allowed.`);
  }
  if (!DOMAIN.test(input.messageIdDomain)) {
    throw new PosternError('BAD_INPUT', `"${input.messageIdDomain}" cannot be used as a Message-ID domain.`);
  }

  const messageId = `<${randomUUID()}@${input.messageIdDomain}>`;
  const composer = new MailComposer({
    from: { name: input.from.name ?? '', address: fromAddress },
    to,
    cc,
    bcc,
    subject: input.subject,
    text: input.text,
    ...(input.html !== undefined ? { html: input.html } : {}),
    attachments: [
      ...input.attachments.map((a) => ({
        filename: a.filename,
        content: a.content,
        contentType: attachmentType(a.filename, a.content, a.contentType),
        ...(a.cid === undefined ? {} : { cid: a.cid }),
      })),
      // nodemailer makes message/rfc822 inline by default; a forwarded message is an attachment.
      ...(input.rawAttachments ?? []).map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType, contentDisposition: 'attachment' as const })),
    ],
    ...(input.inReplyTo ? { inReplyTo: input.inReplyTo } : {}),
    ...(input.references?.length ? { references: input.references } : {}),
    messageId,
    date: input.date ?? new Date(),
    ...(input.draftId === undefined ? {} : { headers: { 'X-Postern-Draft': input.draftId } }),
    newline: 'win',
    // Content comes only from the buffers above, never from a path or URL named in the input.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const node = composer.compile();
  if (input.draftId !== undefined) node.keepBcc = true;
  const raw = await node.build();
  return { raw, messageId, envelope: { from: fromAddress, to: recipients } };
}

function checkHeaderValue(what: string, value: string): void {
  if (HEADER_BREAKERS.test(value)) {
    throw new PosternError('BAD_INPUT', `The ${what} contains a line break, which is not allowed in a mail header.`);
  }
}

/** Addresses in first-seen order, each once (compared case-insensitively). */
function uniqueAddresses(mailboxes: readonly Mailbox[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const { address } of mailboxes) {
    const key = address.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(address);
    }
  }
  return out;
}
