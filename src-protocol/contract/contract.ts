/**
 * THE IPC contract. One map from a namespaced name to its kind and schemas;
 * the Electron binding, the preload, the web bridge, the renderer's client
 * and the CLI are all derived from it. Add a capability here first.
 */
import { z } from 'zod';
import {
  MessageSort,
  AccountAddInput, AccountDiscovery, AccountId, AccountSummary, AccountSyncResult, ComposePrefill, Contact, Identity, SavedSearch, SpecialUse, ThreadSummary, Draft, MessageModel, MimeNode, PartContent, DraftInput, DraftSummary, FolderPath, OutboxItem, TaskInfo, AttachmentContent, EngineStartup, Folder, MessageId,
  MessageSummary, MessageView, Progress, SendInput, SendResult, SyncResult,
} from './schemas.ts';

const call = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) =>
  ({ kind: 'call', input, output }) as const;
const event = <P extends z.ZodType>(payload: P) => ({ kind: 'event', payload }) as const;

export const contract = {
  'mail:accounts.list': call(z.object({}), z.array(AccountSummary)),
  'mail:accounts.add': call(AccountAddInput, AccountSummary),
  /** Server settings for an address, to fill the add-account form (found: source not null). */
  'mail:accounts.discover': call(z.object({ email: z.email().max(254) }), AccountDiscovery),
  'mail:accounts.remove': call(z.object({ account_id: AccountId }), z.object({ removed: z.boolean() })),
  /**
   * Starts signing an OAuth account in (RFC 8252: authorization code with
   * PKCE, redirect to a loopback port the engine listens on). The caller opens
   * `url` in the system browser, then calls oauthFinish with `flow_id`.
   */
  'mail:accounts.oauthStart': call(
    z.object({ account_id: AccountId }),
    z.object({ flow_id: z.string().min(1).max(100), url: z.string().url().max(8000) }),
  ),
  /** Waits (cancellable; at most 10 minutes) for the browser's redirect, keeps the tokens, and answers the signed-in account. */
  'mail:accounts.oauthFinish': call(z.object({ flow_id: z.string().min(1).max(100) }), AccountSummary),
  'mail:folders.list': call(
    z.object({ account_id: AccountId, refresh: z.boolean().default(false) }),
    z.array(Folder),
  ),
  'mail:sync.folder': call(
    z.object({ account_id: AccountId, folder: z.string().min(1).max(1000).default('INBOX') }),
    SyncResult,
  ),
  'mail:sync.account': call(
    z.object({
      account_id: AccountId,
      all_folders: z.boolean().default(true),
      bodies: z.boolean().default(false),
      /** Prefetch bodies only for mail newer than this many days (absent: all). */
      bodies_max_age_days: z.number().int().positive().max(100_000).optional(),
    }),
    AccountSyncResult,
  ),
  'mail:search': call(
    z.object({
      query: z.string().max(1000),
      account_id: AccountId.optional(),
      limit: z.number().int().min(1).max(10_000).default(200),
      /** Also ask the servers about folders not synced yet; those results come marked from_server. */
      include_server: z.boolean().default(false),
    }),
    z.array(MessageSummary),
  ),
  'mail:messages.list': call(
    z.object({
      account_id: AccountId,
      folder: z.string().min(1).max(1000).default('INBOX'),
      limit: z.number().int().min(1).max(100_000).default(500),
      offset: z.number().int().min(0).default(0),
      /** The whole folder sorted here, so a page of a large folder is the right page. */
      sort: MessageSort.default('date'),
      descending: z.boolean().default(true),
    }),
    z.array(MessageSummary),
  ),
  'mail:messages.get': call(
    z.object({ id: MessageId, mark_read: z.boolean().default(true) }),
    MessageView,
  ),
  'mail:messages.setFlags': call(
    z.object({
      id: MessageId,
      add: z.array(z.string().regex(/^\\?[A-Za-z$][A-Za-z0-9$_-]*$/)).max(20).default([]),
      remove: z.array(z.string().regex(/^\\?[A-Za-z$][A-Za-z0-9$_-]*$/)).max(20).default([]),
    }),
    z.object({ flags: z.array(z.string()) }),
  ),
  'mail:messages.move': call(
    z.object({ ids: z.array(MessageId).min(1).max(1000), to: FolderPath }),
    z.object({ moved: z.number().int().nonnegative() }),
  ),
  /** To Trash; messages already in Trash are removed for good. */
  'mail:messages.delete': call(
    z.object({ ids: z.array(MessageId).min(1).max(1000) }),
    z.object({ to_trash: z.number().int().nonnegative(), permanently: z.number().int().nonnegative() }),
  ),
  'mail:tasks.list': call(
    z.object({ account_id: AccountId.optional(), include_done: z.boolean().default(false) }),
    z.array(TaskInfo),
  ),
  'mail:folders.create': call(z.object({ account_id: AccountId, path: FolderPath }), z.object({ path: z.string() })),
  'mail:folders.rename': call(z.object({ account_id: AccountId, path: FolderPath, new_path: FolderPath }), z.object({ path: z.string() })),
  'mail:folders.delete': call(z.object({ account_id: AccountId, path: FolderPath }), z.object({ deleted: z.boolean() })),
  /** The MIME structure of a message (types, sizes, dispositions, encodings). */
  'mail:messages.parts': call(z.object({ id: MessageId }), MimeNode),
  /** One part by IMAP part number, decoded (transfer encoding undone). */
  'mail:messages.part': call(z.object({ id: MessageId, part: z.string().regex(/^\d+(\.\d+)*$/).max(100) }), PartContent),
  /** An attached message (message/rfc822 attachment number `index`) as a message of its own. */
  'mail:messages.attached': call(z.object({ id: MessageId, index: z.number().int().min(0).max(10_000) }), MessageModel),
  'mail:attachments.get': call(
    z.object({ id: MessageId, index: z.number().int().min(0).max(10_000) }),
    AttachmentContent,
  ),
  /**
   * Saves the attachment where Postern keeps opened files (read-only) and
   * opens it with the system's application. Programs and scripts are refused
   * (FORBIDDEN): those are only saved.
   */
  'mail:attachments.open': call(z.object({ id: MessageId, index: z.number().int().min(0).max(10_000) }), z.object({ path: z.string() })),
  /** Saves every attachment of the message into the downloads folder, never replacing a file there. */
  'mail:attachments.saveAll': call(
    z.object({ id: MessageId }),
    z.object({ dir: z.string(), files: z.array(z.object({ path: z.string(), size: z.number().int().nonnegative() })) }),
  ),
  /** The raw message as text (the first maxSourceViewBytes of it), for the source view. */
  'mail:messages.source': call(
    z.object({ id: MessageId }),
    z.object({ text: z.string(), size: z.number().int().nonnegative(), truncated: z.boolean() }),
  ),
  'mail:send': call(SendInput, SendResult),
  'mail:outbox.list': call(z.object({ account_id: AccountId.optional(), include_sent: z.boolean().default(false) }), z.array(OutboxItem)),
  /** Sends now what waits (one message, or every one of an account or of all accounts). */
  'mail:outbox.retry': call(
    z.object({ id: z.number().int().positive().optional(), account_id: AccountId.optional() }),
    z.object({ retried: z.number().int().nonnegative() }),
  ),
  /** Undo send: takes a message that has not left back into the composer. */
  'mail:outbox.cancel': call(
    z.object({ id: z.number().int().positive() }),
    z.object({
      cancelled: z.boolean(),
      draft: Draft.pick({ account_id: true, to: true, cc: true, bcc: true, subject: true, text: true, attachments: true, html: true, from: true,
        in_reply_to_id: true, forward_of_id: true, forward_as_attachment: true }),
    }),
  ),
  /** Saves a draft here at once, then to the server's Drafts folder (replacing the older version). */
  'mail:drafts.save': call(DraftInput, z.object({ draft_id: z.number().int().positive(), saved_iso: z.string() })),
  'mail:drafts.list': call(z.object({ account_id: AccountId.optional() }), z.array(DraftSummary)),
  'mail:drafts.get': call(z.object({ draft_id: z.number().int().positive() }), Draft),
  'mail:drafts.delete': call(z.object({ draft_id: z.number().int().positive() }), z.object({ deleted: z.boolean() })),
  /** Sends a saved draft through the outbox and removes it from Drafts. */
  'mail:drafts.send': call(z.object({ draft_id: z.number().int().positive(), delay_seconds: z.number().int().min(0).max(3600).default(0) }), SendResult),
  /** Opens a message of the Drafts folder (saved by any client) for editing. */
  'mail:drafts.open': call(z.object({ id: MessageId }), z.object({ draft_id: z.number().int().positive() })),
  /** Push: keep this folder current too (INBOX always is, in the app). */
  'mail:watch.folder': call(z.object({ account_id: AccountId, folder: FolderPath }), z.object({ watching: z.boolean() })),
  /** Remote content (images, styles) for this sender's mail: always allowed, or blocked again. */
  'mail:remoteContent.allowSender': call(z.object({ address: z.email().max(254), allow: z.boolean() }), z.object({ allowed: z.boolean() })),
  /** What the composer starts with to answer a message (Reply-To honoured; with all: To and Cc too, not you). */
  'mail:compose.reply': call(z.object({ id: MessageId, all: z.boolean().default(false) }), ComposePrefill),
  /** What the composer starts with to forward a message (inline with its attachments, or whole as an attachment). */
  'mail:compose.forward': call(z.object({ id: MessageId, as_attachment: z.boolean().default(false) }), ComposePrefill),
  /** Conversation view: threads with a message in the folder (all folders when absent), newest activity first. */
  'mail:threads.list': call(
    z.object({ account_id: AccountId, folder: FolderPath.optional(), limit: z.number().int().min(1).max(10_000).default(500) }),
    z.array(ThreadSummary),
  ),
  /** The messages of one conversation, oldest first, from every folder. */
  'mail:threads.get': call(z.object({ thread_id: z.number().int().positive() }), z.array(MessageSummary)),
  /** Address completion as the person types: people mail was sent to or received from, most used first. */
  'mail:contacts.search': call(z.object({ query: z.string().max(254), limit: z.number().int().min(1).max(50).default(10) }), z.array(Contact)),
  /** What the account's submission server accepts (EHLO SIZE), so the composer can warn before uploading. */
  'mail:smtp.limits': call(z.object({ account_id: AccountId }), z.object({ max_size: z.number().int().positive().nullable() })),
  /** One role's folder of every account at once (the unified inbox), newest first. */
  'mail:unified.list': call(
    z.object({ role: SpecialUse.default('inbox'), limit: z.number().int().min(1).max(100_000).default(500), offset: z.number().int().min(0).default(0) }),
    z.array(MessageSummary),
  ),
  /** Saved searches, shown as virtual folders (their results come from mail:search). */
  'mail:savedSearches.list': call(z.object({}), z.array(SavedSearch)),
  'mail:savedSearches.save': call(z.object({ name: z.string().min(1).max(100), query: z.string().min(1).max(1000) }), SavedSearch),
  'mail:savedSearches.delete': call(z.object({ id: z.number().int().positive() }), z.object({ deleted: z.boolean() })),
  /** Takes back the last move, archive or delete-to-Trash (all its messages). */
  'mail:undo': call(z.object({}), z.object({ undone: z.number().int().nonnegative(), what: z.string().nullable() })),
  /** Sets the account's From addresses (aliases) and their signatures; the account's own address stays first. */
  'mail:identities.set': call(z.object({ account_id: AccountId, identities: z.array(Identity).max(50) }), AccountSummary),
  /** Answered at once, even while the engine is still starting (a database upgrade can take a while). */
  'app:startup.get': call(z.object({}), EngineStartup),
  'mail:progress': event(Progress),
  /** The store changed because the server did (push or a periodic check): refresh what is shown. */
  'mail:changed': event(z.object({
    account_id: AccountId, folder: z.string(), added: z.number().int().nonnegative(),
    removed: z.number().int().nonnegative(), flags_changed: z.number().int().nonnegative(),
  })),
  /** An outgoing message changed state (queued, sent, failed, ...). */
  'mail:outbox': event(OutboxItem),
  /** A persisted action reached the server, failed there, or is waiting to retry. */
  'mail:task': event(TaskInfo),
  /** The engine's start: each step of a database upgrade, then ready (or failed). */
  'app:startup': event(EngineStartup),
  /** From the desktop shell (the File menu's New Message and Preferences…), never from the engine. */
  'app:command': event(z.object({ command: z.enum(['new-message', 'preferences']) })),
} as const;

export type Contract = typeof contract;
export type ContractName = keyof Contract;
export type CallName = { [K in ContractName]: Contract[K]['kind'] extends 'call' ? K : never }[ContractName];
export type EventName = { [K in ContractName]: Contract[K]['kind'] extends 'event' ? K : never }[ContractName];

type CallDef<K extends CallName> = Extract<Contract[K], { kind: 'call' }>;
type EventDef<K extends EventName> = Extract<Contract[K], { kind: 'event' }>;

/** What a caller passes (defaults may be left out). */
export type CallInput<K extends CallName> = z.input<CallDef<K>['input']>;
/** What a handler receives, after validation and defaults. */
export type CallParsedInput<K extends CallName> = z.output<CallDef<K>['input']>;
export type CallOutput<K extends CallName> = z.output<CallDef<K>['output']>;
export type EventPayload<K extends EventName> = z.output<EventDef<K>['payload']>;

export const CALL_NAMES = (Object.keys(contract) as ContractName[]).filter(
  (n): n is CallName => contract[n].kind === 'call',
);
export const EVENT_NAMES = (Object.keys(contract) as ContractName[]).filter(
  (n): n is EventName => contract[n].kind === 'event',
);

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && (CALL_NAMES as string[]).includes(name);
}

export function callSchemas<K extends CallName>(name: K): CallDef<K> {
  return contract[name] as CallDef<K>;
}

export function eventSchema<K extends EventName>(name: K): EventDef<K>['payload'] {
  return (contract[name] as EventDef<K>).payload;
}
