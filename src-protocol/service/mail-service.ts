/**
 * MailService implements every call of the contract on top of the engine:
 * accounts, folders, header sync, reading (with the raw message stored
 * durably before it is parsed), flags, attachments and sending.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { CallContext, EventHub, Handlers } from './dispatcher.ts';
import type { CallOutput, CallParsedInput } from '../contract/contract.ts';
import { Drafts } from './drafts.ts';
import { compileSearch } from '../store/search-query.ts';
import { forwardPrefill, replyPrefill } from './replies.ts';
import { DraftStore } from '../store/draft-store.ts';
import { AccountConfig, accountIdFromName, identitiesOf, toSummary, type StoredAccount } from '../accounts/account-config.ts';
import { discoverAccount, discoveryNetworkFromEnv } from '../accounts/discover.ts';
import { sanitizeHtml } from '../mime/sanitize-html.ts';
import { htmlToPlainText } from '../mime/html-to-text.ts';
import type { CredentialStore } from '../accounts/credentials.ts';
import { OAuthTokens, type AccessTokenAuth } from '../accounts/oauth-tokens.ts';
import { OAuthLogins } from '../accounts/oauth-login.ts';
import { resolveOAuth } from '../accounts/oauth-providers.ts';
import { openDatabase, type MigrationStep } from '../store/database.ts';
import { MIGRATIONS } from '../store/migrations.ts';
import { MailStore, type FolderRow, type MessageRow, type ThreadRow } from '../store/mail-store.ts';
import { BlobStore } from '../store/blob-store.ts';
import { TaskStore } from '../store/task-store.ts';
import { Pop3Store } from '../store/pop3-store.ts';
import { OutboxStore, type OutboxState } from '../store/outbox-store.ts';
import { OutboxRunner, outboxItem } from './outbox-runner.ts';
import { connectPop3 } from '../pop3/index.ts';
import { downloadPop3 } from '../sync/pop3-download.ts';
import { LOCAL_FOLDERS } from '../sync/local-folders.ts';
import { PushWatcher } from '../sync/push-watcher.ts';
import { searchFolderOnServer, toServerQuery } from '../sync/server-search.ts';
import { TaskQueue, taskInfo } from './task-queue.ts';
import { connectImap, closeImap, type ImapSettings } from '../imap/imap-connection.ts';
import { ImapPool } from '../imap/imap-pool.ts';
import { listServerFolders } from '../imap/imap-folders.ts';
import { fetchRaw } from '../imap/imap-headers.ts';
import { sinkStartedEarly, syncFolderHeaders } from '../sync/folder-sync.ts';
import { HeaderIndexer } from '../sync/header-index.ts';
import { Housekeeping } from './housekeeping.ts';
import { syncAccount } from '../sync/account-sync.ts';
import { indexPending, recordStoredMessage } from '../sync/body-index.ts';
import { parseMessage, getAttachmentContent, parseAttachedMessage, type RawSource } from '../mime/parse.ts';
import { extractPart, mimeTree } from '../mime/mime-tree.ts';
import { attachmentHandlers, defaultDownloadsDir } from './attachment-handlers.ts';
import { pruneOpened } from './attachment-files.ts';
import { composeMessage } from '../mime/compose.ts';
import { submitMessage, type SmtpSettings } from '../smtp/smtp-submit.ts';
import { probeEhlo } from '../smtp/ehlo-probe.ts';
import { parseAddressInputs } from '../mime/addresses.ts';
import { PosternError } from '../common/errors.ts';
import { LIMITS } from '../common/limits.ts';
import type { Logger } from '../common/log.ts';
import type { Folder, Identity, MessageSummary, MessageView, Progress, ThreadSummary } from '../contract/schemas.ts';

export interface MailServiceOptions {
  profileDir: string;
  credentials: CredentialStore;
  events: EventHub;
  logger: Logger;
  /** How `accounts.add` should refer to a password (CLI: an env variable). */
  credentialHint?: { envVariable?: string };
  /** Where "Save all" puts attachments (default: the person's Downloads folder). */
  downloadsDir?: string | undefined;
  /** Each step of upgrading an existing database to this version's schema, as it starts (store/database.ts). */
  onMigration?: ((step: MigrationStep) => void) | undefined;
}

export class MailService {
  readonly #accounts: AccountConfig;
  readonly #credentials: CredentialStore;
  readonly #store: MailStore;
  readonly #blobs: BlobStore;
  readonly #events: EventHub;
  readonly #logger: Logger;
  readonly #tasks: TaskStore;
  readonly #pop3: Pop3Store;
  readonly #outbox: OutboxStore;
  readonly #outboxRunner: OutboxRunner;
  readonly #drafts: Drafts;
  readonly #profileDir: string;
  readonly #downloadsDir: string;
  readonly #smtpLimits = new Map<string, number | null>();
  readonly #pop3Timers = new Map<string, NodeJS.Timeout>();
  /** The last move or delete-to-Trash, for Undo (kept for this run only). */
  #lastUndo: { what: string; items: UndoItem[] } | null = null;
  /** The app's engine: accounts get push and scheduled checks (the CLI's does not). */
  #resumed = false;
  /** Push connections: per account, INBOX and the folder on screen. */
  readonly #watchers = new Map<string, { inbox: PushWatcher; screen: PushWatcher | null; poll: NodeJS.Timeout }>();
  /** Background syncs of an account run one after another. */
  readonly #syncChains = new Map<string, Promise<unknown>>();
  readonly #queue: TaskQueue;
  /** OAuth accounts: access tokens (refreshed as needed) and sign-ins waiting for the browser. */
  readonly #oauth: OAuthTokens;
  readonly #oauthLogins = new OAuthLogins();
  /** Search-index entries of synced headers, written after the sync has answered. */
  readonly #headerIndex: HeaderIndexer;
  /** Stops background work that close() waits for. */
  readonly #closing = new AbortController();
  /** Each account's IMAP connection, kept a minute for the next call (imap/imap-pool.ts). */
  readonly #imapPool = new ImapPool();
  readonly #bodyIndexRepair: Promise<void>;
  /** Gives back the space of stored messages nothing refers to any more; forgets finished tasks. */
  readonly #housekeeping: Housekeeping;
  /** Body downloads under way, by account (the header index waits for them). */
  readonly #bodyDownloads = new Map<string, number>();
  #credentialHint: { envVariable?: string } | undefined;

  constructor(options: MailServiceOptions) {
    mkdirSync(options.profileDir, { recursive: true, mode: 0o700 });
    this.#profileDir = options.profileDir;
    this.#downloadsDir = options.downloadsDir ?? defaultDownloadsDir();
    this.#accounts = new AccountConfig(options.profileDir);
    this.#credentials = options.credentials;
    this.#oauth = new OAuthTokens({
      credentials: options.credentials,
      onCredentialChange: async (accountId, credential) => {
        await this.#accounts.update(accountId, (a) => ({ ...a, credential }));
      },
    });
    this.#store = new MailStore(openDatabase(join(options.profileDir, 'mail.sqlite'), MIGRATIONS, options.onMigration));
    this.#blobs = new BlobStore(join(options.profileDir, 'messages'), this.#store);
    this.#events = options.events;
    this.#logger = options.logger;
    this.#credentialHint = options.credentialHint;
    this.#tasks = new TaskStore(this.#store.db);
    this.#headerIndex = new HeaderIndexer({
      store: this.#store, logger: this.#logger,
      // A run that stops early says so, so the status bar does not show it as still going.
      onProgress: (p) => this.#progress({
        task: 'index', account_id: p.accountId, folder: null, phase: p.stopped === 'failed' ? 'failed' : p.stopped === 'held' ? 'paused' : p.step === 'linking' ? 'conversations' : 'searchable', done: p.done, total: p.total,
      }),
      holdOff: (accountId) => (this.#bodyDownloads.get(accountId) ?? 0) > 0,
    });
    // Stored messages an older version left out of the body index get their words, in the background.
    this.#bodyIndexRepair = indexPending(this.#store, this.#blobs, { signal: this.#closing.signal, logger: this.#logger }).then(
      (n) => { if (n > 0) this.#logger.info('stored messages added to the search index', { count: n }); },
      (err: unknown) => { if (!this.#closing.signal.aborted) this.#logger.warn('stored messages could not be added to the search index', { err }); },
    );
    this.#housekeeping = new Housekeeping({ store: this.#store, blobs: this.#blobs, tasks: this.#tasks, logger: this.#logger });
    this.#pop3 = new Pop3Store(this.#store.db);
    this.#outbox = new OutboxStore(this.#store.db);
    this.#drafts = new Drafts({
      drafts: new DraftStore(this.#store.db), store: this.#store, blobs: this.#blobs, tasks: this.#tasks,
      kick: (accountId) => this.#queue.kick(accountId),
    });
    this.#outboxRunner = new OutboxRunner({
      outbox: this.#outbox, blobs: this.#blobs, logger: this.#logger,
      submit: async (accountId, envelope, raw) => {
        const account = await this.#accounts.find(accountId);
        this.#progress({ task: 'send', account_id: accountId, folder: null, phase: 'submitting', done: 0, total: raw.length });
        const smtp: SmtpSettings = { ...account.smtp, user: account.user, ...(await this.#auth(account)), caPem: await this.#accounts.caPem(account) };
        return submitMessage(smtp, envelope, raw, (sent, total) =>
          this.#progress({ task: 'send', account_id: accountId, folder: null, phase: 'submitting', done: sent, total }),
        );
      },
      inSent: async (accountId, messageId) => this.#inSent(await this.#accounts.find(accountId), messageId),
      saveToSent: async (accountId, raw) => {
        const account = await this.#accounts.find(accountId);
        this.#progress({ task: 'send', account_id: accountId, folder: null, phase: 'saving-copy', done: 0, total: raw.length });
        return account.pop3 ? this.#keepLocalSentCopy(account, raw, '') : this.#appendToSent(account, raw);
      },
      onChange: async (item) => {
        this.#events.emit('mail:outbox', item);
        if (item.state === 'sent') {
          this.#progress({ task: 'send', account_id: item.account_id, folder: null, phase: 'done', done: 1, total: 1 });
          await this.#markOrigin(item.id);
        }
      },
    });
    this.#queue = new TaskQueue({
      tasks: this.#tasks, store: this.#store, blobs: this.#blobs, logger: this.#logger,
      withClient: async (accountId, fn) => {
        const account = await this.#accounts.find(accountId);
        return this.#imapPool.use(account.id, await this.#imapSettings(account), fn);
      },
      onTask: (info) => this.#events.emit('mail:task', info),
    });
  }

  /** The CLI names the password's environment variable per command. */
  setCredentialHint(hint: { envVariable?: string } | undefined): void {
    this.#credentialHint = hint;
  }

  /** Lets actions being sent finish (bounded), then closes the store. */
  /**
   * The app's engine (not the CLI's): resumes what a previous run left
   * (outbox, actions) and starts push for every IMAP account.
   */
  async resume(): Promise<void> {
    this.#resumed = true;
    // Copies opened long ago are cleared once per start of the app, in the background.
    void pruneOpened(join(this.#profileDir, 'opened'), LIMITS.openedAttachmentMaxAgeMs);
    for (const account of await this.#accounts.list()) {
      this.#outboxRunner.kick(account.id);
      if (!account.pop3) {
        this.#queue.kick(account.id);
        this.#watch(account.id);
      } else {
        this.#checkPop3OnSchedule(account.id);
      }
    }
  }

  /** POP3 has no push: check on start and then every few minutes. */
  #checkPop3OnSchedule(accountId: string): void {
    if (this.#pop3Timers.has(accountId)) return;
    const check = () => void this.#backgroundPop3(accountId);
    const timer = setInterval(check, LIMITS.pop3CheckMs);
    timer.unref();
    this.#pop3Timers.set(accountId, timer);
    check();
  }

  /**
   * Syncs of one account run one after another, whoever asks (the person,
   * push, a periodic check): two syncs of a folder at once would each see
   * half of the other's work.
   */
  #serialized<T>(accountId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#syncChains.get(accountId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    this.#syncChains.set(accountId, next.catch(() => undefined));
    return next;
  }

  async #backgroundPop3(accountId: string): Promise<void> {
    await this.#serialized(accountId, async () => {
      const account = await this.#accounts.find(accountId);
      const r = await this.#downloadPop3(account, new AbortController().signal);
      if (r.downloaded) this.#events.emit('mail:changed', { account_id: account.id, folder: 'INBOX', added: r.downloaded, removed: 0, flags_changed: 0 });
    }).catch((err: unknown) => {
      // A locked maildrop ([IN-USE]) or a lost connection: the next check tries again.
      this.#logger.info('POP3 check failed; will retry', { account: accountId, err });
    });
  }

  async #stopWatching(accountId: string): Promise<void> {
    const w = this.#watchers.get(accountId);
    this.#watchers.delete(accountId);
    if (w) {
      clearInterval(w.poll);
      await Promise.all([w.inbox.stop(), w.screen?.stop()]);
    }
    const t = this.#pop3Timers.get(accountId);
    if (t) clearInterval(t);
    this.#pop3Timers.delete(accountId);
  }

  #watch(accountId: string): void {
    if (this.#watchers.has(accountId)) return;
    const inbox = this.#pushWatcher(accountId, 'INBOX');
    const poll = setInterval(() => void this.#pollFolders(accountId), LIMITS.statusPollMs);
    poll.unref();
    this.#watchers.set(accountId, { inbox, screen: null, poll });
    inbox.start();
  }

  #pushWatcher(accountId: string, folder: string): PushWatcher {
    return new PushWatcher({
      folder, logger: this.#logger,
      connect: async () => connectImap({ ...(await this.#imapSettings(await this.#accounts.find(accountId))), idle: true }),
      onChange: () => void this.#backgroundSync(accountId, folder),
    });
  }

  /** Syncs one folder because the server said something changed, and tells the UI. */
  async #backgroundSync(accountId: string, folder: string): Promise<void> {
    await this.#serialized(accountId, async () => {
      const account = await this.#accounts.find(accountId);
      await this.#queue.flush(account.id).catch(() => undefined);
      const started = Date.now();
      const r = await this.#imapPool.use(account.id, await this.#imapSettings(account), (client) => syncFolderHeaders(client, this.#store, account.id, folder, undefined, undefined,
        () => this.#tasks.pendingUids(account.id, folder, started)));
      if (r.added) void this.#headerIndex.schedule(account.id);
      if (r.added || r.removed || r.flags_changed || r.uidvalidity_reset) {
        this.#events.emit('mail:changed', { account_id: account.id, folder, added: r.added, removed: r.removed, flags_changed: r.flags_changed });
      }
    }).catch((err: unknown) => this.#logger.info('background sync failed', { account: accountId, folder, err }));
  }

  /** Folders without push: STATUS now and then; a difference means a sync. */
  async #pollFolders(accountId: string): Promise<void> {
    try {
      const account = await this.#accounts.find(accountId);
      const server = await this.#imapPool.use(account.id, await this.#imapSettings(account), listServerFolders);
      for (const f of server) {
        const row = this.#store.folder(account.id, f.path);
        if (!row || row.synced_at === null || f.path === 'INBOX') continue;
        const local = this.#store.localCounts(row.id);
        if (local.total !== f.total || local.unread !== f.unread) await this.#backgroundSync(account.id, f.path);
      }
    } catch (err) {
      this.#logger.info('folder check failed', { account: accountId, err });
    }
  }

  async close(): Promise<void> {
    await this.#oauthLogins.close();
    for (const t of this.#pop3Timers.values()) clearInterval(t);
    this.#pop3Timers.clear();
    for (const w of this.#watchers.values()) {
      clearInterval(w.poll);
      await Promise.all([w.inbox.stop(), w.screen?.stop()]);
    }
    this.#watchers.clear();
    await Promise.allSettled([...this.#syncChains.values()]);
    await this.#headerIndex.close();
    this.#closing.abort();
    await this.#bodyIndexRepair;
    await this.#housekeeping.close();
    await this.#outboxRunner.close();
    await this.#queue.close();
    await this.#imapPool.close();
    this.#store.db.close();
  }

  handlers(): Handlers {
    return {
      // This service exists, so its database is open and current: the engine is up.
      'app:startup.get': async () => ({ state: 'ready', migration: null, message: null }),
      'mail:accounts.list': async () => (await this.#accounts.list()).map(toSummary),
      'mail:accounts.add': async (input, ctx) => {
        const existing = await this.#accounts.list();
        if (existing.some((a) => a.name.toLowerCase() === input.name.toLowerCase())) {
          throw new PosternError('ACCOUNT_EXISTS', `An account called "${input.name}" already exists.`);
        }
        const id = accountIdFromName(input.name, new Set(existing.map((a) => a.id)));
        // Prove the settings work before keeping them: a person learns about
        // a wrong password or an untrusted certificate while still in the form.
        // An OAuth account has no token until it is signed in (accounts.oauthStart), so nothing can be proved yet.
        if (input.oauth) {
          // Nothing to try.
        } else if (input.imap) {
          // The check's connection is kept like any other (imap/imap-pool.ts, under the new id): the
          // first sync, which the window starts right after, uses it instead of signing in again.
          await this.#imapPool.use(id, { ...input.imap, user: input.user, password: input.password, caPem: input.ca_pem || undefined, logger: this.#logger }, async () => undefined, ctx.signal);
        } else if (input.pop3) {
          const client = await connectPop3({ ...input.pop3, user: input.user, password: input.password, caPem: input.ca_pem, signal: ctx.signal });
          await client.quit();
        }
        let stored: StoredAccount;
        try {
          ctx.signal.throwIfAborted();
          const oauth = input.oauth ? resolveOAuth(input.oauth) : null;
          const credential = input.password === undefined ? { kind: 'none' as const } : await this.#credentials.save(id, input.password, this.#credentialHint);
          stored = await this.#accounts.add({
            id, name: input.name, email: input.email, user: input.user, imap: input.imap ?? null,
            pop3: input.pop3 ? { ...input.pop3, retention: input.pop3_retention ?? { leave_on_server: true, delete_after_days: null, delete_when_deleted_here: false } } : null,
            smtp: input.smtp, credential, oauth, ca_file: null,
          }, input.ca_pem);
        } catch (err) {
          // Not added after all: nothing waits under its id.
          await this.#imapPool.drop(id);
          throw err;
        }
        if (stored.pop3) this.#store.replaceFolders(stored.id, [...LOCAL_FOLDERS]);
        if (this.#resumed) {
          if (stored.pop3) this.#checkPop3OnSchedule(stored.id);
          else this.#watch(stored.id);
        }
        return toSummary(stored);
      },
      'mail:accounts.discover': async ({ email }, ctx) => discoverAccount(email, { ...discoveryNetworkFromEnv(process.env), signal: ctx.signal }),
      'mail:accounts.remove': async ({ account_id }) => {
        const account = await this.#accounts.find(account_id);
        await this.#stopWatching(account.id);
        await this.#imapPool.drop(account.id);
        await this.#credentials.remove(account.id, account.credential);
        this.#oauth.forget(account.id);
        this.#store.removeAccount(account.id);
        this.#pop3.removeAccount(account.id);
        return { removed: await this.#accounts.remove(account.id) };
      },
      'mail:accounts.oauthStart': async ({ account_id }) => {
        const account = await this.#accounts.find(account_id);
        if (!account.oauth) throw new PosternError('BAD_INPUT', `${account.name} signs in with a password, not with OAuth.`);
        const { flowId, url } = await this.#oauthLogins.start({ id: account.id, user: account.user, oauth: account.oauth });
        return { flow_id: flowId, url };
      },
      'mail:accounts.oauthFinish': async ({ flow_id }, ctx) => {
        const { accountId, tokens } = await this.#oauthLogins.finish(flow_id, ctx.signal);
        const account = await this.#accounts.find(accountId);
        if (!account.oauth) throw new PosternError('BAD_INPUT', `${account.name} no longer signs in with OAuth.`);
        await this.#oauth.signedIn({ ...account, oauth: account.oauth }, tokens);
        // Signed in afresh: the next call signs in with the new tokens too.
        await this.#imapPool.drop(account.id);
        return toSummary(await this.#accounts.find(accountId));
      },
      'mail:folders.list': async ({ account_id, refresh }) => {
        const account = await this.#accounts.find(account_id);
        if (!account.pop3 && (refresh || this.#store.listFolders(account.id).length === 0)) await this.#refreshFolders(account);
        return this.#store.listFolders(account.id).map((f) => this.#folderOut(f)).sort(folderOrder);
      },
      'mail:sync.folder': async ({ account_id, folder }, ctx) => this.#serialized((await this.#accounts.find(account_id)).id, async () => {
        const account = await this.#accounts.find(account_id);
        if (account.pop3) {
          const r = await this.#downloadPop3(account, ctx.signal);
          return {
            account_id: account.id, folder, total: this.#store.localCounts(this.#localFolder(account, folder).id).total,
            added: folder === 'INBOX' ? r.downloaded : 0, removed: 0, flags_changed: 0, ...(r.notes.length ? { notes: r.notes } : {}),
          };
        }
        // Local actions go first, so the server's state includes them.
        // Asked for now: actions still waiting go first, whatever their backoff.
        this.#tasks.makeDue(account.id);
        await this.#queue.flush(account.id);
        const started = Date.now();
        const sink = sinkStartedEarly(this.#store, account.id, folder);
        let result;
        try {
          result = await this.#imapPool.use(account.id, await this.#imapSettings(account), (client) =>
            syncFolderHeaders(client, this.#store, account.id, folder, (p) => this.#progress({
              task: 'sync', account_id: account.id, folder, phase: p.phase, done: p.done, total: p.total,
            }), ctx.signal, () => this.#tasks.pendingUids(account.id, folder, started), sink.openSink), ctx.signal);
        } finally {
          await sink.release();
        }
        // The list is ready now; its words follow (a search meanwhile waits for them).
        if (result.added) void this.#headerIndex.schedule(account.id);
        return { account_id: account.id, folder, total: result.total, added: result.added, removed: result.removed, flags_changed: result.flags_changed, mode: result.mode };
      }),
      'mail:sync.account': async ({ account_id, all_folders, bodies, bodies_max_age_days }, ctx) => this.#serialized((await this.#accounts.find(account_id)).id, async () => {
        const account = await this.#accounts.find(account_id);
        if (account.pop3) {
          const r = await this.#downloadPop3(account, ctx.signal);
          const inbox = this.#localFolder(account, 'INBOX');
          return {
            account_id: account.id, bodies_downloaded: r.downloaded, bytes_downloaded: r.bytes,
            folders: [{ account_id: account.id, folder: 'INBOX', total: this.#store.localCounts(inbox.id).total, added: r.downloaded, removed: 0, flags_changed: 0, ...(r.notes.length ? { notes: r.notes } : {}) }],
          };
        }
        // Asked for now: actions still waiting go first, whatever their backoff.
        this.#tasks.makeDue(account.id);
        await this.#queue.flush(account.id);
        await this.#outboxRunner.process(account.id).catch(() => undefined);
        const started = Date.now();
        // While bodies come, each brings its row's whole index entry: the header index waits.
        const release = bodies ? this.#holdHeaderIndex(account.id) : () => {};
        let indexed: Promise<void>;
        let result;
        try {
          result = await this.#imapPool.use(account.id, await this.#imapSettings(account), (client) => syncAccount(client, this.#store, this.#blobs, account.id, {
            allFolders: all_folders, bodies, pendingUids: (folder) => this.#tasks.pendingUids(account.id, folder, started),
            bodiesSinceMs: bodies_max_age_days === undefined ? null : Date.now() - bodies_max_age_days * 86_400_000,
            signal: ctx.signal,
            onProgress: (p) => this.#progress({ task: 'sync', account_id: account.id, folder: p.folder, phase: p.phase, done: p.done, total: p.total }),
          }), ctx.signal);
        } finally {
          release();
          // Stopped or failed too: what was stored gets its entries.
          indexed = this.#headerIndex.schedule(account.id);
        }
        // With bodies, the answer means "all offline and searchable": rows whose body came have their
        // whole entry already, the rest get theirs first. Without, the list is ready now (the app's
        // start-up sync), and the words follow, as after mail:sync.folder.
        if (bodies) await indexed;
        return {
          account_id: account.id,
          folders: result.folders.map((f) => ({ account_id: account.id, folder: f.folder, total: f.total, added: f.added, removed: f.removed, flags_changed: f.flags_changed, mode: f.mode })),
          bodies_downloaded: result.bodies_downloaded, bytes_downloaded: result.bytes_downloaded,
        };
      }),
      'mail:search': async ({ query, account_id, limit, include_server }) => {
        const accountId = account_id === undefined ? undefined : (await this.#accounts.find(account_id)).id;
        const local = this.#store.search(query, { limit, ...(accountId ? { accountId } : {}) }).map(summaryOf);
        if (!include_server) return local;
        const fromServer = await this.#searchServers(query, accountId, limit);
        const seen = new Set(local.map((m) => m.id));
        const merged = [...local, ...fromServer.filter((m) => !seen.has(m.id)).map((m) => ({ ...m, from_server: true }))];
        return merged.sort((a, b) => (b.date_iso ?? '').localeCompare(a.date_iso ?? '')).slice(0, limit);
      },
      'mail:messages.list': async ({ account_id, folder, limit, offset, sort, descending }) => {
        const account = await this.#accounts.find(account_id);
        const row = this.#store.folder(account.id, folder);
        if (!row) return [];
        return this.#store.listMessages(row.id, limit, offset, { sort, descending }).map(summaryOf);
      },
      'mail:messages.get': async ({ id, mark_read }, ctx) => this.#getMessage(id, mark_read, ctx),
      'mail:messages.setFlags': async ({ id, add, remove }) => ({ flags: await this.#setFlags(id, add, remove) }),
      'mail:messages.move': async ({ ids, to }) => {
        let moved = 0;
        const undo: UndoItem[] = [];
        for (const id of ids) {
          const row = this.#message(id);
          const dest = await this.#folderRow(row.account_id, to);
          if (dest.id === row.folder_id) continue;
          undo.push({ id: row.id, from_path: row.folder_path });
          if (await this.#isLocalOnly(row.account_id)) this.#store.moveLocally(row.id, dest.id, this.#store.nextLocalUid(dest.id));
          else this.#moveLocally(row, dest.path, dest.id);
          moved++;
        }
        for (const account of new Set(ids.map((id) => this.#store.message(id)?.account_id).filter((a): a is string => !!a))) this.#queue.kick(account);
        this.#lastUndo = undo.length ? { what: `Moved ${undo.length} to ${to}`, items: undo } : this.#lastUndo;
        return { moved };
      },
      'mail:messages.delete': async ({ ids }) => {
        let toTrash = 0;
        let permanently = 0;
        const accounts = new Set<string>();
        const undo: UndoItem[] = [];
        for (const id of ids) {
          const row = this.#message(id);
          accounts.add(row.account_id);
          const from = row.folder_path;
          const trash = this.#store.listFolders(row.account_id).find((f) => f.special_use === 'trash');
          const local = await this.#isLocalOnly(row.account_id);
          if (trash && trash.id !== row.folder_id) {
            if (local) this.#store.moveLocally(row.id, trash.id, this.#store.nextLocalUid(trash.id));
            else this.#moveLocally(row, trash.path, trash.id);
            undo.push({ id: row.id, from_path: from });
            toTrash++;
          } else if (local) {
            this.#store.removeMessage(row.id);
            permanently++;
          } else {
            this.#store.transaction(() => {
              this.#tasks.add(row.account_id, { kind: 'expunge', folder: row.folder_path, uid: row.uid });
              this.#store.removeMessage(row.id);
            });
            permanently++;
          }
        }
        for (const a of accounts) this.#queue.kick(a);
        // Deleting for good cannot be undone; moving to Trash can.
        if (undo.length) this.#lastUndo = { what: `Deleted ${undo.length}`, items: undo };
        return { to_trash: toTrash, permanently };
      },
      'mail:tasks.list': async ({ account_id, include_done }) => {
        const states: ('pending' | 'failed' | 'done')[] = include_done ? ['pending', 'failed', 'done'] : ['pending', 'failed'];
        return this.#tasks.list(account_id, states).map((t) => taskInfo(t));
      },
      'mail:folders.create': async ({ account_id, path }) => {
        const account = await this.#accounts.find(account_id);
        if (account.pop3) {
          const name = path.split('/').at(-1) ?? path;
          this.#store.ensureFolder(account.id, { path, name, delimiter: '/', special_use: null });
          return { path };
        }
        const created = await this.#imapPool.use(account.id, await this.#imapSettings(account), (client) => client.mailboxCreate(path));
        await this.#refreshFolders(account);
        return { path: created.path };
      },
      'mail:folders.rename': async ({ account_id, path, new_path }) => {
        const account = await this.#accounts.find(account_id);
        if (account.pop3) {
          this.#store.renameFolder(this.#localFolder(account, path).id, new_path, new_path.split('/').at(-1) ?? new_path);
          return { path: new_path };
        }
        // Asked for now: actions still waiting go first, whatever their backoff.
        this.#tasks.makeDue(account.id);
        await this.#queue.flush(account.id);
        const renamed = await this.#imapPool.use(account.id, await this.#imapSettings(account), (client) => client.mailboxRename(path, new_path));
        await this.#refreshFolders(account);
        return { path: renamed.newPath };
      },
      'mail:folders.delete': async ({ account_id, path }) => {
        const account = await this.#accounts.find(account_id);
        if (account.pop3) {
          const folder = this.#localFolder(account, path);
          if (folder.special_use) throw new PosternError('BAD_INPUT', `${path} is one of the account's standard folders and cannot be deleted.`);
          this.#store.deleteFolder(folder.id);
          return { deleted: true };
        }
        // Asked for now: actions still waiting go first, whatever their backoff.
        this.#tasks.makeDue(account.id);
        await this.#queue.flush(account.id);
        await this.#imapPool.use(account.id, await this.#imapSettings(account), (client) => client.mailboxDelete(path));
        await this.#refreshFolders(account);
        return { deleted: true };
      },
      'mail:attachments.get': async ({ id, index }, ctx) => {
        const row = this.#message(id);
        const part = await getAttachmentContent(await this.#rawSource(row, ctx), index, ctx.signal);
        return { filename: part.filename, content_type: part.content_type, data_base64: part.content.toString('base64') };
      },
      ...attachmentHandlers({
        rawOf: async (id, ctx) => this.#rawMessage(this.#message(id), ctx),
        sourceOf: async (id, ctx) => this.#rawSource(this.#message(id), ctx),
        openedDir: join(this.#profileDir, 'opened'),
        downloadsDir: this.#downloadsDir,
      }),
      'mail:send': async (input, ctx) => this.#send(input, ctx),
      'mail:identities.set': async ({ account_id, identities }) => {
        const account = await this.#accounts.find(account_id);
        const seen = new Set<string>();
        for (const i of identities) {
          const key = i.address.toLowerCase();
          if (seen.has(key)) throw new PosternError('BAD_INPUT', `${i.address} is listed twice.`);
          seen.add(key);
        }
        return toSummary(await this.#accounts.update(account.id, (a) => ({ ...a, identities })));
      },
      'mail:unified.list': async ({ role, limit, offset }) => this.#store.listByRole(role, limit, offset).map(summaryOf),
      'mail:savedSearches.list': async () => this.#store.savedSearches(),
      'mail:savedSearches.save': async ({ name, query }) => {
        compileSearch(query); // a query that cannot run is refused now, not when it is opened
        return { id: this.#store.saveSearch(name, query), name, query };
      },
      'mail:savedSearches.delete': async ({ id }) => ({ deleted: this.#store.deleteSavedSearch(id) }),
      'mail:undo': async () => {
        const last = this.#lastUndo;
        this.#lastUndo = null;
        if (!last) return { undone: 0, what: null };
        let undone = 0;
        for (const item of last.items) if (await this.#undoMove(item)) undone++;
        return { undone, what: last.what };
      },
      'mail:contacts.search': async ({ query, limit }) => {
        // Senders of mail a header sync just stored are noted when it is linked (MailStore.linkPendingHeaders).
        this.#store.linkAllPending();
        return this.#store.contacts.search(query, limit);
      },
      'mail:smtp.limits': async ({ account_id }) => ({ max_size: await this.#smtpLimit(await this.#accounts.find(account_id)) }),
      'mail:threads.list': async ({ account_id, folder, limit }) => {
        const account = await this.#accounts.find(account_id);
        const folderRow = folder === undefined ? null : this.#localFolder(account, folder);
        return this.#store.listThreads(account.id, folderRow?.id ?? null, limit).map((t) => threadOf(account.id, t));
      },
      'mail:threads.get': async ({ thread_id }) => {
        const rows = this.#store.threadMessages(thread_id);
        if (rows.length === 0) throw new PosternError('NOT_FOUND', `There is no conversation ${thread_id}.`);
        return rows.map(summaryOf);
      },
      'mail:compose.reply': async ({ id, all }, ctx) => {
        const row = this.#message(id);
        const account = await this.#accounts.find(row.account_id);
        const original = await parseMessage(await this.#rawSource(row, ctx));
        return { account_id: account.id, in_reply_to_id: id, ...replyPrefill(original, identitiesOf(account), all) };
      },
      'mail:compose.forward': async ({ id, as_attachment }, ctx) => {
        const row = this.#message(id);
        const account = await this.#accounts.find(row.account_id);
        const original = await parseMessage(await this.#rawMessage(row, ctx));
        const own = identitiesOf(account)[0] as Identity;
        return { account_id: row.account_id, forward_of_id: id, forward_as_attachment: as_attachment, ...forwardPrefill(original, as_attachment, own) };
      },
      'mail:remoteContent.allowSender': async ({ address, allow }) => {
        this.#store.setRemoteContentAllowed(address, allow);
        return { allowed: allow };
      },
      'mail:messages.parts': async ({ id }, ctx) => mimeTree(await this.#rawSource(this.#message(id), ctx), ctx.signal),
      'mail:messages.part': async ({ id, part }, ctx) => {
        const p = await extractPart(await this.#rawSource(this.#message(id), ctx), part, ctx.signal);
        return { content_type: p.content_type, filename: p.filename, data_base64: p.content.toString('base64') };
      },
      'mail:messages.attached': async ({ id, index }, ctx) => parseAttachedMessage(await this.#rawSource(this.#message(id), ctx), index, ctx.signal),
      'mail:watch.folder': async ({ account_id, folder }) => {
        const account = await this.#accounts.find(account_id);
        if (account.pop3) return { watching: false };
        this.#watch(account.id);
        const w = this.#watchers.get(account.id);
        if (!w) return { watching: false };
        await w.screen?.stop();
        w.screen = folder === 'INBOX' ? null : this.#pushWatcher(account.id, folder);
        w.screen?.start();
        return { watching: true };
      },
      'mail:drafts.save': async ({ account_id, draft_id, ...fields }) => this.#drafts.save(await this.#accounts.find(account_id), draft_id, fields),
      'mail:drafts.list': async ({ account_id }) => this.#drafts.list(account_id === undefined ? undefined : (await this.#accounts.find(account_id)).id),
      'mail:drafts.get': async ({ draft_id }) => this.#drafts.get(draft_id),
      'mail:drafts.delete': async ({ draft_id }) => {
        const draft = await this.#drafts.get(draft_id);
        this.#drafts.remove(await this.#accounts.find(draft.account_id), draft_id);
        return { deleted: true };
      },
      'mail:drafts.send': async ({ draft_id, delay_seconds }, ctx) => {
        const draft = await this.#drafts.get(draft_id);
        const result = await this.#send({
          account_id: draft.account_id, to: draft.to, cc: draft.cc, bcc: draft.bcc, subject: draft.subject, text: draft.text,
          attachments: draft.attachments, delay_seconds, forward_as_attachment: draft.forward_as_attachment ?? false,
          ...(draft.html !== undefined ? { html: draft.html } : {}), ...(draft.from ? { from: draft.from } : {}),
          ...(draft.in_reply_to_id ? { in_reply_to_id: draft.in_reply_to_id } : {}), ...(draft.forward_of_id ? { forward_of_id: draft.forward_of_id } : {}),
        }, ctx);
        // Stored in the outbox: the draft has done its job.
        this.#drafts.remove(await this.#accounts.find(draft.account_id), draft_id);
        return result;
      },
      'mail:drafts.open': async ({ id }, ctx) => {
        const row = this.#message(id);
        const raw = await this.#rawMessage(row, ctx);
        return { draft_id: await this.#drafts.open(await this.#accounts.find(row.account_id), row, raw) };
      },
      'mail:outbox.list': async ({ account_id, include_sent }) => {
        const states: OutboxState[] = include_sent ? ['queued', 'sending', 'submitted', 'failed', 'sent'] : ['queued', 'sending', 'submitted', 'failed'];
        return this.#outbox.list(account_id, states).map(outboxItem);
      },
      'mail:outbox.retry': async ({ id, account_id }) => {
        const retried = this.#outbox.makeDue(id, account_id);
        const accounts = id !== undefined ? [this.#outbox.get(id)?.account_id] : account_id ? [account_id] : (await this.#accounts.list()).map((a) => a.id);
        for (const a of accounts) if (a) await this.#outboxRunner.process(a).catch(() => undefined);
        return { retried };
      },
      'mail:outbox.cancel': async ({ id }) => {
        const row = this.#outbox.get(id);
        if (!row) throw new PosternError('NOT_FOUND', `There is no outgoing message ${id}.`);
        if (row.state !== 'queued' && row.state !== 'failed') {
          throw new PosternError('BAD_INPUT', row.state === 'sent' || row.state === 'submitted' ? 'The message has already been sent.' : 'The message is being sent right now.');
        }
        this.#outbox.setState(id, 'cancelled');
        const raw = await this.#blobs.get(row.blob_sha256);
        const model = await parseMessage(raw);
        const attachments = await Promise.all(model.attachments.map(async (info, i) => {
          const a = await getAttachmentContent(raw, i);
          return { filename: a.filename, content_type: a.content_type, data_base64: a.content.toString('base64'), ...(info.content_id ? { content_id: info.content_id } : {}) };
        }));
        const d = row.draft;
        // A forward's content is already among the attachments, so it goes back as a plain message.
        return {
          cancelled: true,
          draft: {
            account_id: row.account_id, to: d.to, cc: d.cc, bcc: d.bcc, subject: d.subject, text: d.text, attachments,
            ...(d.html !== undefined ? { html: d.html } : {}), ...(d.from ? { from: d.from } : {}), ...(d.reply_of ? { in_reply_to_id: d.reply_of } : {}),
          },
        };
      },
    };
  }

  async #send(input: CallParsedInput<'mail:send'>, ctx: CallContext): Promise<CallOutput<'mail:send'>> {
        const account = await this.#accounts.find(input.account_id);
        const attachments = input.attachments.map((a) => {
          const content = Buffer.from(a.data_base64, 'base64');
          if (content.length > LIMITS.maxOutgoingAttachmentBytes) {
            throw new PosternError('BAD_INPUT', `The attachment ${a.filename} is larger than ${LIMITS.maxOutgoingAttachmentBytes / 1024 / 1024} MB.`);
          }
          return { filename: a.filename, contentType: a.content_type, content, ...(a.content_id ? { cid: a.content_id } : {}) };
        });
        const identity = identitiesOf(account).find((i) => i.address.toLowerCase() === (input.from ?? account.email).toLowerCase());
        if (!identity) throw new PosternError('BAD_INPUT', `${input.from} is not one of this account's addresses; add it as an identity first.`);
        this.#progress({ task: 'send', account_id: account.id, folder: null, phase: 'building', done: 0, total: null });
        const origin = await this.#origin(input, ctx);
        // Built once: these bytes go to SMTP and to Sent.
        const built = await composeMessage({
          from: { name: identity.name, address: identity.address }, to: input.to, cc: input.cc, bcc: input.bcc, subject: input.subject,
          // A faithful plain part for rich text: made from the HTML when none is given.
          text: input.text || (input.html !== undefined ? htmlToPlainText(input.html) : ''),
          ...(input.html !== undefined ? { html: sanitizeHtml(input.html) } : {}),
          attachments, messageIdDomain: identity.address.split('@')[1] ?? 'localhost', ...origin.compose,
        });
        ctx.signal.throwIfAborted();
        // Refused before upload rather than after it.
        const limit = await this.#smtpLimit(account).catch(() => null);
        if (limit !== null && built.raw.length > limit) {
          const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
          throw new PosternError('BAD_INPUT', `The message is ${mb(built.raw.length)} with its attachments; ${account.smtp.host} accepts at most ${mb(limit)}. Remove or shrink attachments.`);
        }
        // Durable before anything goes to the network.
        const sha = await this.#blobs.put(built.raw);
        this.#store.contacts.noteSent(parseAddressInputs([...input.to, ...input.cc, ...input.bcc], 'recipients').map((m) => ({ name: m.name ?? '', address: m.address })));
        const sendAt = Math.max(Date.now() + input.delay_seconds * 1000, input.send_at ? Date.parse(input.send_at) : 0);
        const id = this.#outbox.add({
          account_id: account.id, message_id: built.messageId, blob_sha256: sha, envelope: built.envelope, send_at_ms: sendAt,
          draft: {
            to: input.to, cc: input.cc, bcc: input.bcc, subject: input.subject, text: input.text,
            ...(input.in_reply_to_id ? { reply_of: input.in_reply_to_id } : {}), ...(input.forward_of_id ? { forward_of: input.forward_of_id } : {}),
            ...(input.forward_as_attachment ? { forward_as_attachment: true } : {}), ...(input.html !== undefined ? { html: input.html } : {}),
            ...(input.from ? { from: input.from } : {}),
          },
        });
        if (sendAt <= Date.now()) await this.#outboxRunner.process(account.id).catch(() => undefined);
        else this.#outboxRunner.kick(account.id);
        const row = this.#outbox.get(id);
        if (!row) throw new PosternError('INTERNAL', 'The outbox lost a message it had just stored.');
        // With the code of what stopped it: a wrong password is AUTH_FAILED, not a refused message.
        if (row.state === 'failed') throw new PosternError(row.last_error_code ?? 'SEND_REJECTED', `${row.last_error ?? 'The server refused the message.'} It is kept in the Outbox.`);
        return {
          outbox_id: row.id, state: row.state === 'sent' ? 'sent' : 'queued', last_error: row.last_error, message_id: row.message_id,
          accepted: row.accepted, rejected: row.rejected, sent_copy: row.sent_copy,
        };
      }

  /** IMAP SEARCH in every folder not synced yet (of one account, or all IMAP accounts). */
  async #searchServers(query: string, accountId: string | undefined, limit: number): Promise<MessageSummary[]> {
    const q = toServerQuery(query);
    const out: MessageSummary[] = [];
    const accounts = (await this.#accounts.list()).filter((a) => !a.pop3 && (accountId === undefined || a.id === accountId));
    for (const account of accounts) {
      if (this.#store.listFolders(account.id).length === 0) await this.#refreshFolders(account);
      const folders = this.#store.listFolders(account.id).filter((f) => f.synced_at === null
        && (q.folder === null || f.path.toLowerCase() === q.folder.toLowerCase() || f.special_use === q.folder.toLowerCase()));
      if (folders.length === 0) continue;
      const ids = await this.#imapPool.use(account.id, await this.#imapSettings(account), async (client) => {
        const found: number[] = [];
        for (const f of folders) found.push(...await searchFolderOnServer(client, this.#store, f, q, limit));
        return found;
      });
      for (const id of ids) {
        const row = this.#store.message(id);
        if (row) out.push(summaryOf(row));
      }
    }
    return out;
  }

  /** The submission server's SIZE, asked once per account and run (null: none stated). */
  async #smtpLimit(account: StoredAccount): Promise<number | null> {
    const known = this.#smtpLimits.get(account.id);
    if (known !== undefined) return known;
    const info = await probeEhlo({ ...account.smtp, caPem: await this.#accounts.caPem(account) });
    this.#smtpLimits.set(account.id, info.maxSize);
    return info.maxSize;
  }

  /** Threading headers and forwarded content for a reply or forward. */
  async #origin(input: CallParsedInput<'mail:send'>, ctx: CallContext): Promise<{ compose: { inReplyTo?: string; references?: string[]; rawAttachments?: { filename: string; contentType: string; content: Buffer }[] } }> {
    if (input.in_reply_to_id !== undefined) {
      const original = await parseMessage(await this.#rawMessage(this.#message(input.in_reply_to_id), ctx));
      if (!original.message_id) return { compose: {} };
      const references = [...original.references, ...(original.in_reply_to && !original.references.includes(original.in_reply_to) ? [original.in_reply_to] : []), original.message_id];
      return { compose: { inReplyTo: original.message_id, references } };
    }
    if (input.forward_of_id !== undefined) {
      const raw = await this.#rawMessage(this.#message(input.forward_of_id), ctx);
      const original = await parseMessage(raw);
      if (input.forward_as_attachment) {
        const name = `${(original.subject || 'message').replace(/[^\p{L}\p{N} ._-]+/gu, '').trim().slice(0, 60) || 'message'}.eml`;
        return { compose: { rawAttachments: [{ filename: name, contentType: 'message/rfc822', content: raw }] } };
      }
      // Forwarded inline: the original's attachments go along.
      const carried = await Promise.all(original.attachments.map(async (_, i) => {
        const a = await getAttachmentContent(raw, i);
        return { filename: a.filename, contentType: a.content_type, content: a.content };
      }));
      return { compose: { rawAttachments: carried } };
    }
    return { compose: {} };
  }

  /** Once a reply or forward has left, the original says so (\Answered / $Forwarded). */
  async #markOrigin(outboxId: number): Promise<void> {
    const row = this.#outbox.get(outboxId);
    const originId = row?.draft.reply_of ?? row?.draft.forward_of;
    if (!row || originId === undefined || !this.#store.message(originId)) return;
    const flag = row.draft.reply_of !== undefined ? '\\Answered' : '$Forwarded';
    await this.#setFlags(originId, [flag], []);
  }

  /** Here at once, and as a persisted task for the server (none for POP3 or local folders). */
  async #setFlags(id: number, add: string[], remove: string[]): Promise<string[]> {
    const row = this.#message(id);
    const local = await this.#isLocalOnly(row.account_id);
    // Read after the await: a change made meanwhile is not undone by a stale row.
    const flags = applyFlags(JSON.parse(this.#message(id).flags_json) as string[], add, remove);
    this.#store.transaction(() => {
      this.#store.setMessageFlags(id, flags);
      if (!local) this.#tasks.add(row.account_id, { kind: 'flags', folder: row.folder_path, uid: row.uid, add, remove, message_id: row.id });
    });
    if (!local) this.#queue.kick(row.account_id);
    return flags;
  }

  async #getMessage(id: number, markRead: boolean, ctx: CallContext): Promise<MessageView> {
    let row = this.#message(id);
    const raw = await this.#rawSource(row, ctx);
    const model = await parseMessage(raw, { fallbackDate: row.date_ms === null ? undefined : new Date(row.date_ms) });
    // Read again: flags may have changed while the body was fetched (a read-modify-write on the old row would undo that).
    row = this.#message(id);
    let flags = JSON.parse(row.flags_json) as string[];
    if (markRead && !flags.includes('\\Seen')) {
      const { folder_path, uid, account_id } = row;
      const local = await this.#isLocalOnly(account_id);
      row = this.#message(id);
      flags = applyFlags(JSON.parse(row.flags_json) as string[], ['\\Seen'], []);
      this.#store.transaction(() => {
        this.#store.setMessageFlags(id, flags);
        if (!local) this.#tasks.add(account_id, { kind: 'flags', folder: folder_path, uid, add: ['\\Seen'], remove: [], message_id: id });
      });
      if (!local) this.#queue.kick(account_id);
      row = this.#message(id);
    }
    const sender = model.from[0]?.address;
    return {
      ...model, id: row.id, account_id: row.account_id, folder: row.folder_path, flags,
      remote_content_allowed: sender ? this.#store.remoteContentAllowed(sender) : false,
    };
  }

  /**
   * The raw message as the MIME reader takes it: the stored file when there
   * is one (a large message is then streamed, never whole in memory), else
   * its bytes, fetched once and kept.
   */
  async #rawSource(row: MessageRow, ctx: CallContext): Promise<RawSource> {
    if (row.blob_sha256 && row.partial !== 1) {
      // A message of its own file may be large and is streamed from it; a packed one is small and read whole.
      const file = this.#blobs.looseFile(row.blob_sha256);
      return file ? { file } : this.#blobs.get(row.blob_sha256);
    }
    return this.#rawMessage(row, ctx);
  }

  /** The raw message, from the local store or fetched once and kept. */
  async #rawMessage(row: MessageRow, ctx: CallContext): Promise<Buffer> {
    if (row.blob_sha256 && row.partial === 1) return this.#completePop3Message(row, ctx);
    if (row.blob_sha256) return this.#blobs.get(row.blob_sha256);
    if (row.uid <= 0) {
      // Moved here locally; the server must do the move before the body can be fetched.
      await this.#queue.flush(row.account_id);
      row = this.#message(row.id);
      if (row.uid <= 0) throw new PosternError('NOT_FOUND', 'The message is being moved; open it again after the next sync.');
    }
    const account = await this.#accounts.find(row.account_id);
    this.#progress({ task: 'fetch', account_id: account.id, folder: row.folder_path, phase: 'body', done: 0, total: row.size });
    const raw = await this.#imapPool.use(account.id, await this.#imapSettings(account), async (client) => {
      const lock = await client.getMailboxLock(row.folder_path, { readOnly: true });
      try {
        return await fetchRaw(client, row.uid);
      } finally {
        lock.release();
      }
    });
    ctx.signal.throwIfAborted();
    if (!raw) throw new PosternError('NOT_FOUND', 'The message is no longer on the server.');
    const sha = await this.#blobs.put(raw);
    recordStoredMessage(this.#store, row.id, sha, raw);
    this.#progress({ task: 'fetch', account_id: account.id, folder: row.folder_path, phase: 'done', done: raw.length, total: raw.length });
    return raw;
  }

  async #isLocalOnly(accountId: string): Promise<boolean> {
    return (await this.#accounts.find(accountId)).pop3 !== null;
  }

  #localFolder(account: StoredAccount, path: string): FolderRow {
    const folder = this.#store.folder(account.id, path);
    if (!folder) throw new PosternError('NOT_FOUND', `There is no folder "${path}".`);
    return folder;
  }

  async #downloadPop3(account: StoredAccount, signal: AbortSignal) {
    const pop3 = account.pop3;
    if (!pop3) throw new PosternError('INTERNAL', 'not a POP3 account');
    this.#store.replaceFolders(account.id, [...LOCAL_FOLDERS, ...this.#store.listFolders(account.id).filter((f) => !f.special_use)]);
    const client = await connectPop3({
      host: pop3.host, port: pop3.port, security: pop3.security, user: account.user, ...(await this.#auth(account)),
      caPem: await this.#accounts.caPem(account), signal,
    });
    try {
      return await downloadPop3(client, { store: this.#store, blobs: this.#blobs, pop3: this.#pop3 }, account.id, pop3.retention, {
        signal, onProgress: (p) => this.#progress({ task: 'sync', account_id: account.id, folder: 'INBOX', phase: p.phase, done: p.done, total: p.total }),
      });
    } finally {
      client.close();
    }
  }

  /** Whether the account's Sent folder holds a message with this Message-ID. */
  async #inSent(account: StoredAccount, messageId: string): Promise<boolean> {
    if (account.pop3) {
      const sent = this.#store.listFolders(account.id).find((f) => f.special_use === 'sent');
      return sent ? this.#store.hasMessageId(sent.id, messageId) : false;
    }
    if (!this.#store.listFolders(account.id).some((f) => f.special_use === 'sent')) await this.#refreshFolders(account);
    const sent = this.#store.listFolders(account.id).find((f) => f.special_use === 'sent');
    if (!sent) return false;
    return this.#imapPool.use(account.id, await this.#imapSettings(account), async (client) => {
      const lock = await client.getMailboxLock(sent.path, { readOnly: true });
      try {
        const found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
        return Array.isArray(found) && found.length > 0;
      } finally {
        lock.release();
      }
    });
  }

  /** A large POP3 message came down as a preview: fetch the whole of it now (by UIDL). */
  async #completePop3Message(row: MessageRow, ctx: CallContext): Promise<Buffer> {
    const account = await this.#accounts.find(row.account_id);
    const uidl = this.#pop3.uidlOf(account.id, row.id);
    if (!account.pop3 || uidl === null) throw new PosternError('NOT_FOUND', 'Only a preview of this message is here, and the server copy is unknown.');
    this.#progress({ task: 'fetch', account_id: account.id, folder: row.folder_path, phase: 'body', done: 0, total: row.size });
    const client = await connectPop3({
      host: account.pop3.host, port: account.pop3.port, security: account.pop3.security, user: account.user,
      ...(await this.#auth(account)), caPem: await this.#accounts.caPem(account), signal: ctx.signal,
    });
    let raw: Buffer;
    try {
      const listing = (await client.uidl()).find((u) => u.uid === uidl);
      if (!listing) throw new PosternError('NOT_FOUND', 'The server no longer has this message; only its preview is here.');
      raw = await client.retr(listing.msg);
      await client.quit();
    } finally {
      client.close();
    }
    const sha = await this.#blobs.put(raw);
    this.#store.transaction(() => {
      recordStoredMessage(this.#store, row.id, sha, raw);
      this.#store.setPartial(row.id, false);
    });
    this.#progress({ task: 'fetch', account_id: account.id, folder: row.folder_path, phase: 'done', done: raw.length, total: raw.length });
    return raw;
  }

  /** POP3 accounts keep Sent here: the very bytes that were sent. */
  async #keepLocalSentCopy(account: StoredAccount, raw: Buffer, subject: string): Promise<boolean> {
    const sent = this.#store.listFolders(account.id).find((f) => f.special_use === 'sent');
    if (!sent) return false;
    const sha = await this.#blobs.put(raw);
    const model = await parseMessage(raw).catch(() => null);
    // Its words go into the index with the row: what you sent is found like what you received.
    this.#store.transaction(() => {
      const id = this.#store.insertLocalMessage(sent.id, {
        uid: 0, subject: model?.subject ?? subject, from: model?.from ?? [], to: [...(model?.to ?? []), ...(model?.cc ?? [])],
        date_ms: Date.now(), flags: ['\\Seen'], size: raw.length, has_attachments: (model?.attachments.length ?? 0) > 0,
        message_id: model?.message_id ?? null, blob_sha256: sha,
        refs: [...(model?.references ?? []), ...(model?.in_reply_to ? [model.in_reply_to] : [])],
      });
      recordStoredMessage(this.#store, id, sha, raw);
    });
    return true;
  }

  /**
   * Puts a moved message back. A move still waiting for the server is simply
   * cancelled (no traffic); one already done is moved back.
   */
  async #undoMove(item: UndoItem): Promise<boolean> {
    const row = this.#store.message(item.id);
    if (!row || row.folder_path === item.from_path) return false;
    const source = await this.#folderRow(row.account_id, item.from_path);
    const pending = this.#tasks.pendingMoveOf(row.id);
    if (pending && pending.payload.kind === 'move') {
      const originalUid = pending.payload.uid;
      this.#store.transaction(() => {
        this.#tasks.remove(pending.id);
        this.#store.moveLocally(row.id, source.id, originalUid);
      });
      return true;
    }
    if (await this.#isLocalOnly(row.account_id)) this.#store.moveLocally(row.id, source.id, this.#store.nextLocalUid(source.id));
    else this.#moveLocally(row, source.path, source.id);
    this.#queue.kick(row.account_id);
    return true;
  }

  /** Applies a move here at once and records it for the server, in one transaction. */
  #moveLocally(row: MessageRow, toPath: string, toFolderId: number): void {
    this.#store.transaction(() => {
      this.#tasks.add(row.account_id, { kind: 'move', folder: row.folder_path, uid: row.uid, to: toPath, message_id: row.id });
      this.#store.moveLocally(row.id, toFolderId, -row.id);
    });
  }

  async #folderRow(accountId: string, path: string): Promise<FolderRow> {
    let folder = this.#store.folder(accountId, path);
    if (!folder) {
      await this.#refreshFolders(await this.#accounts.find(accountId));
      folder = this.#store.folder(accountId, path);
    }
    if (!folder) throw new PosternError('NOT_FOUND', `There is no folder "${path}".`);
    return folder;
  }

  async #refreshFolders(account: StoredAccount): Promise<void> {
    const folders = await this.#imapPool.use(account.id, await this.#imapSettings(account), listServerFolders);
    this.#store.replaceFolders(account.id, folders);
    for (const f of folders) {
      const row = this.#store.folder(account.id, f.path);
      if (row) this.#store.setServerCounts(row.id, f.total, f.unread);
    }
  }

  /** Saves the very bytes that were sent into the Sent folder. */
  async #appendToSent(account: StoredAccount, raw: Buffer): Promise<boolean> {
    try {
      if (!this.#store.listFolders(account.id).some((f) => f.special_use === 'sent')) await this.#refreshFolders(account);
      const sent = this.#store.listFolders(account.id).find((f) => f.special_use === 'sent');
      if (!sent) {
        this.#logger.warn('no Sent folder; copy not saved', { account: account.id });
        return false;
      }
      const client = await connectImap(await this.#imapSettings(account));
      try {
        await client.append(sent.path, raw, ['\\Seen']);
      } finally {
        await closeImap(client);
      }
      return true;
    } catch (err) {
      // The message has left; failing to keep a copy must not look like a failed send.
      this.#logger.warn('saving the Sent copy failed', { account: account.id, err });
      return false;
    }
  }

  /** A password, or for an OAuth account an access token (refreshed when due) and the way to renew it once. */
  async #auth(account: StoredAccount): Promise<{ password: string } | AccessTokenAuth> {
    if (account.oauth) return this.#oauth.auth({ ...account, oauth: account.oauth });
    return { password: await this.#credentials.load(account.id, account.credential) };
  }

  async #imapSettings(account: StoredAccount): Promise<ImapSettings> {
    if (!account.imap) throw new PosternError('BAD_INPUT', `${account.name} is a POP3 account; its folders are kept on this computer.`);
    return { ...account.imap, user: account.user, ...(await this.#auth(account)), caPem: await this.#accounts.caPem(account), logger: this.#logger };
  }

  #message(id: number): MessageRow {
    const row = this.#store.message(id);
    if (!row) throw new PosternError('NOT_FOUND', `There is no message with id ${id}; sync the folder again.`);
    return row;
  }

  #folderOut(f: FolderRow): Folder {
    const local = this.#store.localCounts(f.id);
    return {
      account_id: f.account_id, path: f.path, name: f.name, delimiter: f.delimiter,
      special_use: (f.special_use as Folder['special_use']) ?? null,
      // Once a folder is synced its local counts are the truth (they include
      // what was just read here); before that, the server's STATUS is.
      total: f.synced_at !== null ? local.total : (f.server_total ?? local.total),
      unread: f.synced_at !== null ? local.unread : (f.server_unread ?? local.unread),
    };
  }

  /** Marks a body download of the account as under way; the function returned ends it. */
  #holdHeaderIndex(accountId: string): () => void {
    this.#bodyDownloads.set(accountId, (this.#bodyDownloads.get(accountId) ?? 0) + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const left = (this.#bodyDownloads.get(accountId) ?? 1) - 1;
      if (left > 0) this.#bodyDownloads.set(accountId, left);
      else this.#bodyDownloads.delete(accountId);
    };
  }

  #progress(p: Progress): void {
    this.#events.emit('mail:progress', p);
  }
}

function summaryOf(r: MessageRow): MessageSummary {
  return {
    id: r.id, account_id: r.account_id, uid: r.uid, folder: r.folder_path, subject: r.subject,
    from: JSON.parse(r.from_json) as MessageSummary['from'],
    date_iso: r.date_ms === null ? null : new Date(r.date_ms).toISOString(),
    flags: JSON.parse(r.flags_json) as string[], size: r.size, has_attachments: r.has_attachments === 1, partial: r.partial === 1,
  };
}

interface UndoItem {
  id: number;
  from_path: string;
}

function threadOf(accountId: string, t: ThreadRow): ThreadSummary {
  const seen = new Set<string>();
  const participants: ThreadSummary['participants'] = [];
  for (const list of JSON.parse(t.from_json) as string[]) {
    for (const a of JSON.parse(list) as ThreadSummary['participants']) {
      const key = a.address.toLowerCase();
      if (!seen.has(key)) {
        seen.add(key);
        participants.push(a);
      }
    }
  }
  return {
    thread_id: t.thread_id, account_id: accountId, subject: t.subject, participants, count: t.count, unread: t.unread,
    flagged: t.flagged === 1, has_attachments: t.has_attachments === 1,
    latest_date_iso: t.latest_ms === null ? null : new Date(t.latest_ms).toISOString(), latest_id: t.latest_id,
    folders: JSON.parse(t.folders_json) as string[],
  };
}

function applyFlags(flags: string[], add: string[], remove: string[]): string[] {
  const set = new Set(flags);
  for (const f of add) set.add(f);
  for (const f of remove) set.delete(f);
  return [...set].sort();
}

const ROLE_ORDER = ['inbox', 'drafts', 'sent', 'archive', 'junk', 'trash'];
function folderOrder(a: Folder, b: Folder): number {
  const ra = a.special_use ? ROLE_ORDER.indexOf(a.special_use) : -1;
  const rb = b.special_use ? ROLE_ORDER.indexOf(b.special_use) : -1;
  if (ra !== rb) return (ra === -1 ? 99 : ra) - (rb === -1 ? 99 : rb);
  return a.path.localeCompare(b.path);
}
