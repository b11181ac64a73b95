/**
 * Zod schemas for everything that crosses the IPC boundary. Plain data, no
 * Node and no DOM: the renderer imports this file too.
 */
import { z } from 'zod';
import { ERROR_CODE_LIST } from '../common/error-codes.ts';

export const Security = z.enum(['tls', 'starttls']);
export type Security = z.infer<typeof Security>;

/** Host names and IP literals only: no spaces, no URL syntax. */
const Host = z.string().min(1).max(253).regex(/^[A-Za-z0-9.\-:[\]]+$/, 'not a host name');
const Port = z.number().int().min(1).max(65535);

export const ServerEndpoint = z.object({ host: Host, port: Port, security: Security });
export type ServerEndpoint = z.infer<typeof ServerEndpoint>;

/**
 * The SASL mechanism for password sign-in to the submission server; absent:
 * the best the server offers (PLAIN over TLS). CRAM-MD5 or LOGIN for servers
 * that mishandle PLAIN.
 */
/** How a folder's message list is ordered. */
export const MessageSort = z.enum(['date', 'sender', 'subject', 'size']);
export type MessageSort = z.infer<typeof MessageSort>;

export const SmtpAuthMethod = z.enum(['PLAIN', 'LOGIN', 'CRAM-MD5']);
export type SmtpAuthMethod = z.infer<typeof SmtpAuthMethod>;
export const SmtpEndpoint = ServerEndpoint.extend({ auth_method: SmtpAuthMethod.optional() });
export type SmtpEndpoint = z.infer<typeof SmtpEndpoint>;

export const AccountId = z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9-]*$/, 'not an account id');

/** What a POP3 account does with mail on the server once it is stored here. */
export const Pop3Retention = z.object({
  /** Keep messages on the server (the default); otherwise delete them once stored here. */
  leave_on_server: z.boolean().default(true),
  /** With leave_on_server: delete from the server this many days after download (absent: never). */
  delete_after_days: z.number().int().min(0).max(36_500).nullable().default(null),
  /** With leave_on_server: delete from the server what the person deletes for good here. */
  delete_when_deleted_here: z.boolean().default(false),
  /** Messages larger than this (KiB) come down as headers and a preview; the rest when opened. */
  preview_over_kib: z.number().int().positive().nullable().default(null),
});
export type Pop3Retention = z.infer<typeof Pop3Retention>;

/** A From address of an account (the account's own, or an alias), with its signature. */
export const Identity = z.object({
  name: z.string().max(200),
  address: z.email().max(254),
  signature: z.string().max(10_000).default(''),
});
export type Identity = z.infer<typeof Identity>;

/** Who issues the OAuth 2.0 tokens of an account that signs in with XOAUTH2 instead of a password. */
export const OAuthProviderName = z.enum(['google', 'microsoft', 'custom']);
export type OAuthProviderName = z.infer<typeof OAuthProviderName>;

/**
 * An http(s) URL of an OAuth endpoint. Plain http only to this machine (a
 * provider on loopback, as in tests); anything else must be https.
 */
export const OAuthEndpointUrl = z.string().max(2000).refine((value) => {
  if (!URL.canParse(value)) return false;
  const u = new URL(value);
  if (u.username !== '' || u.password !== '' || u.hash !== '') return false;
  return u.protocol === 'https:' || (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname));
}, 'must be an https URL (http only for 127.0.0.1 or localhost)');

/**
 * How an account gets its OAuth tokens. Google and Microsoft have their
 * endpoints and scopes built in (a client id is still needed: Postern has
 * none of its own); `custom` needs both URLs and the scopes.
 */
export const OAuthAddInput = z.object({
  provider: OAuthProviderName,
  client_id: z.string().min(1).max(500),
  /** Google gives installed apps a "secret" that is not one (RFC 8252 section 8.5); others need none. */
  client_secret: z.string().min(1).max(500).optional(),
  auth_url: OAuthEndpointUrl.optional(),
  token_url: OAuthEndpointUrl.optional(),
  scopes: z.array(z.string().min(1).max(500).regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'not a scope')).min(1).max(20).optional(),
}).refine((o) => o.provider !== 'custom' || (o.auth_url !== undefined && o.token_url !== undefined && o.scopes !== undefined), {
  message: 'A custom OAuth provider needs auth_url, token_url and scopes.', path: ['provider'],
});
export type OAuthAddInput = z.infer<typeof OAuthAddInput>;

/**
 * Server settings found for an address (mail:accounts.discover): from
 * Postern's list of large providers ('known'), the domain's own autoconfig
 * file ('domain'), its SRV records ('srv'), Mozilla's ISPDB ('ispdb') or its
 * mail exchanger's provider ('mx'); source null: none found.
 */
export const AccountDiscovery = z.object({
  domain: z.string(),
  source: z.enum(['known', 'domain', 'srv', 'ispdb', 'mx']).nullable(),
  /** The provider's name, for a known one. */
  provider: z.string().nullable(),
  /** The user name the server wants, when the source says. */
  user: z.string().nullable(),
  imap: ServerEndpoint.optional(),
  pop3: ServerEndpoint.optional(),
  smtp: ServerEndpoint.optional(),
  /** The provider signs in with OAuth 2.0 (a preset). */
  oauth_provider: z.enum(['google', 'microsoft']).optional(),
});
export type AccountDiscovery = z.infer<typeof AccountDiscovery>;

export const AccountSummary = z.object({
  id: AccountId,
  name: z.string(),
  email: z.string(),
  user: z.string(),
  /** How mail arrives: an IMAP mailbox, or POP3 downloads into local folders. */
  kind: z.enum(['imap', 'pop3']),
  imap: ServerEndpoint.nullable(),
  pop3: ServerEndpoint.extend({ retention: Pop3Retention }).nullable(),
  smtp: SmtpEndpoint,
  has_custom_ca: z.boolean(),
  /** From addresses; the first is the account's own. */
  identities: z.array(Identity),
  /** Present when the account signs in with OAuth 2.0 (XOAUTH2) instead of a password. */
  oauth: z.object({
    provider: OAuthProviderName,
    /** False until the first sign-in, and again once the provider revoked it: show "Sign in". */
    signed_in: z.boolean(),
  }).optional(),
});
export type AccountSummary = z.infer<typeof AccountSummary>;

export const AccountAddInput = z.object({
  name: z.string().min(1).max(100),
  email: z.email().max(254),
  user: z.string().min(1).max(254),
  /** Exactly one of password and oauth. */
  password: z.string().min(1).max(4096).optional(),
  /** Sign in with OAuth 2.0 instead; the tokens come from `mail:accounts.oauthStart`/`oauthFinish` afterwards. */
  oauth: OAuthAddInput.optional(),
  /** Exactly one of imap and pop3. */
  imap: ServerEndpoint.optional(),
  pop3: ServerEndpoint.optional(),
  pop3_retention: Pop3Retention.optional(),
  smtp: SmtpEndpoint,
  /** Extra trust anchor (PEM) for a private server; verification stays on. */
  ca_pem: z.string().max(256 * 1024).optional(),
}).refine((a) => (a.imap === undefined) !== (a.pop3 === undefined), { message: 'Give either an IMAP or a POP3 server.', path: ['imap'] })
  .refine((a) => (a.password === undefined) !== (a.oauth === undefined), { message: 'Give either a password or an OAuth provider.', path: ['password'] });
export type AccountAddInput = z.infer<typeof AccountAddInput>;

export const SpecialUse = z.enum(['inbox', 'drafts', 'sent', 'trash', 'junk', 'archive', 'all', 'flagged']);
export type SpecialUse = z.infer<typeof SpecialUse>;

export const Folder = z.object({
  account_id: AccountId,
  path: z.string(),
  name: z.string(),
  delimiter: z.string().nullable(),
  special_use: SpecialUse.nullable(),
  total: z.number().int().nonnegative(),
  unread: z.number().int().nonnegative(),
});
export type Folder = z.infer<typeof Folder>;

export const Address = z.object({ name: z.string(), address: z.string() });
export type Address = z.infer<typeof Address>;

export const MessageId = z.number().int().positive();

export const MessageSummary = z.object({
  id: MessageId,
  account_id: AccountId,
  /** The server's UID; 0 or below while a move made here waits for the server. */
  uid: z.number().int(),
  folder: z.string(),
  subject: z.string(),
  from: z.array(Address),
  date_iso: z.string().nullable(),
  flags: z.array(z.string()),
  size: z.number().int().nonnegative(),
  has_attachments: z.boolean(),
  /** Only headers and a preview are stored (a large POP3 message); opening it downloads the rest. */
  partial: z.boolean().default(false),
  /** Found by a server-side search in a folder that was not synced (search results only). */
  from_server: z.boolean().optional(),
});
export type MessageSummary = z.infer<typeof MessageSummary>;

export const AttachmentInfo = z.object({
  filename: z.string().nullable(),
  save_as: z.string(),
  content_type: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string(),
  content_id: z.string().nullable(),
  inline: z.boolean(),
});
export type AttachmentInfo = z.infer<typeof AttachmentInfo>;

/** The message model: what `postern parse` prints and the view shows. */
export const MessageModel = z.object({
  subject: z.string(),
  from: z.array(Address),
  to: z.array(Address),
  cc: z.array(Address),
  reply_to: z.array(Address),
  date_iso: z.string().nullable(),
  message_id: z.string().nullable(),
  in_reply_to: z.string().nullable(),
  references: z.array(z.string()),
  text: z.string().nullable(),
  html_present: z.boolean(),
  html_rendered: z.string().nullable(),
  attachments: z.array(AttachmentInfo),
  /** What could not be shown as sent (limits, broken structure), one sentence each; empty for a sound message. */
  notes: z.array(z.string()),
});
export type MessageModel = z.infer<typeof MessageModel>;

export const MessageView = MessageModel.extend({
  id: MessageId,
  account_id: AccountId,
  folder: z.string(),
  flags: z.array(z.string()),
  /** The person allowed remote content for this message's sender ("always for this sender"). */
  remote_content_allowed: z.boolean(),
});
export type MessageView = z.infer<typeof MessageView>;

export const OutgoingAttachment = z.object({
  filename: z.string().min(1).max(255),
  content_type: z.string().max(255).optional(),
  /** An inline image of the HTML body, referred to there as cid:<content_id> (multipart/related). */
  content_id: z.string().regex(/^[A-Za-z0-9.@_+-]{1,200}$/).optional(),
  data_base64: z.string(),
});
export type OutgoingAttachment = z.infer<typeof OutgoingAttachment>;

export const SendInput = z.object({
  account_id: AccountId,
  to: z.array(z.string().min(1).max(998)).min(1).max(500),
  cc: z.array(z.string().min(1).max(998)).max(500).default([]),
  bcc: z.array(z.string().min(1).max(998)).max(500).default([]),
  subject: z.string().max(998),
  text: z.string(),
  /** Rich text: sent as multipart/alternative with `text` as its plain part (made from the HTML when empty). */
  html: z.string().max(10 * 1024 * 1024).optional(),
  /** Send as this identity (one of the account's addresses); the account's own when absent. */
  from: z.email().max(254).optional(),
  attachments: z.array(OutgoingAttachment).max(100).default([]),
  /** Undo window: the message waits this long in the outbox before it goes. */
  delay_seconds: z.number().int().min(0).max(3600).default(0),
  /** Send later: not before this time (ISO 8601). */
  send_at: z.iso.datetime({ offset: true }).optional(),
  /** A reply to this message: In-Reply-To and References are set, and it is marked \Answered once sent. */
  in_reply_to_id: MessageId.optional(),
  /** A forward of this message: marked $Forwarded once sent; with forward_as_attachment it goes along whole (message/rfc822). */
  forward_of_id: MessageId.optional(),
  forward_as_attachment: z.boolean().default(false),
});
export type SendInput = z.input<typeof SendInput>;

export const SendResult = z.object({
  outbox_id: z.number().int().positive(),
  /** 'sent' when it left; 'queued' when it waits (undo window, send later, or the server could not be reached yet). */
  state: z.enum(['queued', 'sent']),
  last_error: z.string().nullable(),
  message_id: z.string(),
  accepted: z.array(z.string()),
  rejected: z.array(z.string()),
  sent_copy: z.boolean(),
});
export type SendResult = z.infer<typeof SendResult>;

export const SyncResult = z.object({
  account_id: AccountId,
  folder: z.string(),
  total: z.number().int().nonnegative(),
  added: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
  flags_changed: z.number().int().nonnegative(),
  /** How the folder was brought up to date: nothing changed (CONDSTORE), incrementally, or by a full diff. */
  mode: z.enum(['unchanged', 'qresync', 'condstore', 'full']).optional(),
  /** Anything the person should know about this sync (e.g. a POP3 server without UIDL). */
  notes: z.array(z.string()).optional(),
});
export type SyncResult = z.infer<typeof SyncResult>;

export const AccountSyncResult = z.object({
  account_id: AccountId,
  folders: z.array(SyncResult),
  bodies_downloaded: z.number().int().nonnegative(),
  bytes_downloaded: z.number().int().nonnegative(),
});
export type AccountSyncResult = z.infer<typeof AccountSyncResult>;

export const Progress = z.object({
  task: z.enum(['sync', 'send', 'fetch', 'index']),
  account_id: AccountId,
  folder: z.string().nullable(),
  phase: z.string(),
  done: z.number().nonnegative(),
  total: z.number().nonnegative().nullable(),
});
export type Progress = z.infer<typeof Progress>;

/**
 * The engine's start. It opens the mail database before it answers
 * anything, and upgrading a big one to a new version's schema takes a while
 * (about 14 s for one step at 100k messages): `migration` says how far that
 * has come. `failed` carries the reason the engine could not start.
 */
export const EngineStartup = z.object({
  state: z.enum(['starting', 'ready', 'failed']),
  migration: z
    .object({ done: z.number().int().nonnegative(), total: z.number().int().positive(), description: z.string().max(500) })
    .nullable(),
  message: z.string().max(2000).nullable(),
});
export type EngineStartup = z.infer<typeof EngineStartup>;

export const AttachmentContent = z.object({
  filename: z.string(),
  content_type: z.string(),
  data_base64: z.string(),
});
export type AttachmentContent = z.infer<typeof AttachmentContent>;

export const ErrorPayloadSchema = z.object({ code: z.enum(ERROR_CODE_LIST), message: z.string() });

export const TaskInfo = z.object({
  id: z.number().int().positive(),
  account_id: AccountId,
  kind: z.enum(['flags', 'move', 'expunge', 'draft-put', 'draft-remove']),
  state: z.enum(['pending', 'done', 'failed']),
  attempts: z.number().int().nonnegative(),
  last_error: z.string().nullable(),
  created_iso: z.string(),
});
export type TaskInfo = z.infer<typeof TaskInfo>;

/** A folder path as the server names it (any Unicode, no control characters). */
export const FolderPath = z.string().min(1).max(1000).regex(/^[^\u0000-\u001f\u007f]+$/, 'not a folder name');

export const OutboxItem = z.object({
  id: z.number().int().positive(),
  account_id: AccountId,
  message_id: z.string(),
  subject: z.string(),
  to: z.array(z.string()),
  state: z.enum(['queued', 'sending', 'submitted', 'sent', 'failed', 'cancelled']),
  send_at_iso: z.string(),
  attempts: z.number().int().nonnegative(),
  last_error: z.string().nullable(),
  /** What stopped the last attempt: AUTH_FAILED asks for the account to be fixed, SEND_REJECTED for the message. */
  last_error_code: z.enum(ERROR_CODE_LIST).nullable(),
  accepted: z.array(z.string()),
  rejected: z.array(z.string()),
  sent_copy: z.boolean(),
});
export type OutboxItem = z.infer<typeof OutboxItem>;

/** What a draft keeps besides its text: rich text, the identity, and what it answers or forwards. */
const DraftOrigin = {
  html: z.string().max(10 * 1024 * 1024).optional(),
  from: z.email().max(254).optional(),
  in_reply_to_id: MessageId.optional(),
  forward_of_id: MessageId.optional(),
  forward_as_attachment: z.boolean().optional(),
};

export const DraftInput = z.object({
  account_id: AccountId,
  /** Absent for a new draft; the id from an earlier save to replace it. */
  draft_id: z.number().int().positive().optional(),
  to: z.array(z.string().max(998)).max(500).default([]),
  cc: z.array(z.string().max(998)).max(500).default([]),
  bcc: z.array(z.string().max(998)).max(500).default([]),
  subject: z.string().max(998).default(''),
  text: z.string().default(''),
  attachments: z.array(OutgoingAttachment).max(100).default([]),
  ...DraftOrigin,
});
export type DraftInput = z.input<typeof DraftInput>;

export const DraftSummary = z.object({
  draft_id: z.number().int().positive(),
  account_id: AccountId,
  subject: z.string(),
  to: z.array(z.string()),
  updated_iso: z.string(),
});
export type DraftSummary = z.infer<typeof DraftSummary>;

export const Draft = DraftSummary.extend({
  cc: z.array(z.string()),
  bcc: z.array(z.string()),
  text: z.string(),
  attachments: z.array(OutgoingAttachment),
  ...DraftOrigin,
});
export type Draft = z.infer<typeof Draft>;

/** One part of a message's MIME structure (IMAP part numbers). */
export interface MimeNode {
  part_number: string;
  content_type: string;
  charset: string | null;
  disposition: string | null;
  filename: string | null;
  encoding: string | null;
  size: number;
  children: MimeNode[];
  notes?: string[] | undefined;
}
export const MimeNode: z.ZodType<MimeNode> = z.object({
  part_number: z.string(),
  content_type: z.string(),
  charset: z.string().nullable(),
  disposition: z.string().nullable(),
  filename: z.string().nullable(),
  encoding: z.string().nullable(),
  size: z.number().int().nonnegative(),
  get children() {
    return z.array(MimeNode);
  },
  notes: z.array(z.string()).optional(),
});

export const PartContent = z.object({
  content_type: z.string(),
  filename: z.string().nullable(),
  data_base64: z.string(),
});
export type PartContent = z.infer<typeof PartContent>;

/** The composer's starting point for a reply or forward; pass in_reply_to_id / forward_of_id back to mail:send. */
export const ComposePrefill = z.object({
  account_id: AccountId,
  /** The identity to answer from: the address the original was sent to, when it is one of ours. */
  from: z.string(),
  to: z.array(z.string()),
  cc: z.array(z.string()),
  bcc: z.array(z.string()),
  subject: z.string(),
  text: z.string(),
  in_reply_to_id: MessageId.optional(),
  forward_of_id: MessageId.optional(),
  forward_as_attachment: z.boolean().optional(),
});
export type ComposePrefill = z.infer<typeof ComposePrefill>;

/** A conversation: messages joined by their references, across folders (a reply in Sent included). */
export const ThreadSummary = z.object({
  thread_id: z.number().int().positive(),
  account_id: AccountId,
  subject: z.string(),
  participants: z.array(Address),
  count: z.number().int().positive(),
  unread: z.number().int().nonnegative(),
  flagged: z.boolean(),
  has_attachments: z.boolean(),
  latest_date_iso: z.string().nullable(),
  /** The newest message, to open. */
  latest_id: MessageId,
  folders: z.array(z.string()),
});
export type ThreadSummary = z.infer<typeof ThreadSummary>;

export const Contact = z.object({
  name: z.string(),
  address: z.string(),
  /** How many messages were sent to / received from this address. */
  sent: z.number().int().nonnegative(),
  received: z.number().int().nonnegative(),
});
export type Contact = z.infer<typeof Contact>;

export const SavedSearch = z.object({ id: z.number().int().positive(), name: z.string(), query: z.string() });
export type SavedSearch = z.infer<typeof SavedSearch>;
