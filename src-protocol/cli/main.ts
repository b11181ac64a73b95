/**
 * `postern`: the command line over the same dispatcher the app uses. Every
 * command takes --profile DIR and --json; progress goes to stderr; the exit
 * code is 0 only on success.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { PosternError, toErrorPayload } from '../common/errors.ts';
import { createInProcessEngine } from '../service/engine.ts';
import { startEngine } from '../service/engine-host.ts';
import { deferredDispatcher } from '../service/deferred-dispatcher.ts';
import { EngineStartupState } from '../service/engine-startup.ts';
import type { MigrationStep } from '../store/database.ts';
import type { Dispatcher } from '../service/dispatcher-types.ts';
import type { CallInput, CallName, CallOutput } from '../contract/contract.ts';
import { SmtpAuthMethod, type AccountDiscovery, type AccountSummary, type MessageSummary, type Progress, type TaskInfo } from '../contract/schemas.ts';
import { parseMessage } from '../mime/parse.ts';
import { CliCredentialStore } from './cli-credentials.ts';
import { EnvCredentialStore } from '../accounts/credentials.ts';
import { readSecretFromStdin } from './stdin.ts';
import { envVariable, hostPort, nonNegativeInt, positiveInt, required, security } from './args.ts';
import { startWebBridge } from './web-bridge.ts';
import { formatList, formatMessage, formatFolders, formatTree } from './format.ts';
import { parseFilesTo } from './parse-files.ts';
import { OAUTH_ADD_OPTIONS, oauthFromFlags, signIn } from './oauth-cli.ts';

const COMMON = {
  profile: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

const USAGE = `usage: postern <command> [options]   (every command takes --profile DIR and --json)
  account add --name N --email ADDR (--imap HOST:PORT | --pop3 HOST:PORT) --smtp HOST:PORT --user U
              [--imap-security tls|starttls] [--pop3-security tls|starttls] [--smtp-security tls|starttls]
              [--smtp-auth plain|login|cram-md5]
              [--leave-on-server | --no-leave-on-server | --delete-after-days N] [--delete-when-deleted] [--preview-over-kib K]
              [--ca FILE] [--password-env VAR]
              [--oauth google|microsoft|custom --oauth-client-id ID [--oauth-client-secret S]
               [--oauth-auth-url URL --oauth-token-url URL --oauth-scope S...] [--no-login]]
                                    (OAuth 2.0 / XOAUTH2 instead of a password; signs in at once)
                                    (without --imap, --pop3 and --smtp the servers are looked up, as account discover)
  account discover ADDR             (the server settings for an address: known providers, the domain's autoconfig,
                                     SRV records, ISPDB, the provider that receives its mail)
  account login NAME                (signs an OAuth account in again: prints the URL to open)
  account list
  folders [--account N]
  sync [--account N] [--folder F | --all-folders] [--bodies [--max-age-days D]]
  search QUERY [--account N] [--limit K]   (words, "phrases", from: to: subject: has:attachment
                                            is:unread is:flagged before:YYYY-MM-DD after:YYYY-MM-DD in:FOLDER)
  list [--account N] [--folder F] [--limit K]
  show ID [--keep-unread]
  threads [--account N] [--folder F] [--limit K]   (conversations, across folders)
  thread THREAD-ID                  (the messages of one conversation, oldest first)
  contacts QUERY [--limit K]        (address completion: people you wrote to or heard from)
  flag ID (--seen | --unseen | --flagged | --unflagged)...
  move ID... --to FOLDER
  delete ID...                       (to Trash; from Trash for good)
  undo                              (takes back the last move or delete-to-Trash)
  folder (create PATH | rename PATH NEW | delete PATH) [--account N]
  tasks [--account N] [--all]        (actions waiting for, refused by, or done on the server)
  parse FILE.eml | parse FILE... --out DIR   (DIR/NAME.json per file, with parse_ms; a file that cannot be read gets error)
  parts ID                          (the MIME structure)
  part ID PART-NUMBER --out FILE    (one part, decoded)
  source ID                         (the raw message as text; the first 2 MB)
  open ID INDEX                     (attachment INDEX with the system's application; programs are refused)
  save-all ID [--out DIR]           (every attachment into DIR, default the Downloads folder; nothing overwritten)
  send --account N --to A [--to A2] [--cc A] [--bcc A] --subject S (--text S | --text-file F) [--attach FILE]... [--send-at ISO]
       [--reply-to ID | --reply-all ID | --forward ID [--as-attachment]]   (recipients, subject and quote filled in)
       [--html-file F] [--identity ADDRESS]
  identity set --account N --address A [--name NAME] [--signature TEXT]   (an alias to send from, with its signature)
                                     (exit 0: sent; 75: waiting in the Outbox; 1: refused)
  outbox [list [--all] | retry (ID | --all) | cancel ID] [--account N]
  draft save --account N [--draft ID] [--to A]... [--cc A]... [--bcc A]... [--subject S] [--text S | --text-file F] [--attach FILE]...
  draft list [--account N] | draft show ID | draft send ID | draft delete ID
  draft open MESSAGE-ID             (a message of the Drafts folder, saved by any client, becomes editable)
  serve [--port P]`;

interface Io {
  out(text: string): void;
  err(text: string): void;
}

const stdio: Io = { out: (t) => process.stdout.write(t + '\n'), err: (t) => process.stderr.write(t + '\n') };

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [command, ...rest] = argv;
  const json = rest.includes('--json');
  try {
    switch (command) {
      case 'account': return await accountCommand(rest, io);
      case 'folders': return await foldersCommand(rest, io);
      case 'sync': return await syncCommand(rest, io);
      case 'list': return await listCommand(rest, io);
      case 'search': return await searchCommand(rest, io);
      case 'threads': return await threadsCommand(rest, io);
      case 'thread': return await threadCommand(rest, io);
      case 'contacts': return await contactsCommand(rest, io);
      case 'flag': return await flagCommand(rest, io);
      case 'move': return await moveCommand(rest, io);
      case 'delete': return await deleteCommand(rest, io);
      case 'undo': return await undoCommand(rest, io);
      case 'folder': return await folderCommand(rest, io);
      case 'tasks': return await tasksCommand(rest, io);
      case 'outbox': return await outboxCommand(rest, io);
      case 'draft': return await draftCommand(rest, io);
      case 'identity': return await identityCommand(rest, io);
      case 'show': return await showCommand(rest, io);
      case 'parse': return await parseCommand(rest, io);
      case 'parts': return await partsCommand(rest, io);
      case 'part': return await partCommand(rest, io);
      case 'source': return await sourceCommand(rest, io);
      case 'open': return await openCommand(rest, io);
      case 'save-all': return await saveAllCommand(rest, io);
      case 'send': return await sendCommand(rest, io);
      case 'serve': return await serveCommand(rest, io);
      case undefined: case 'help': case '--help': case '-h':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new PosternError('BAD_INPUT', `Unknown command "${command}".\n${USAGE}`);
    }
  } catch (err) {
    const e = toErrorPayload(err);
    if (json) io.out(JSON.stringify({ error: e }));
    io.err(`postern: ${e.message} [${e.code}]`);
    return e.code === 'BAD_INPUT' ? 2 : 1;
  }
}

function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args, options: { ...COMMON, ...options }, allowPositionals, allowNegative: true, strict: true });
  } catch (err) {
    throw new PosternError('BAD_INPUT', `${(err as Error).message}\n${USAGE}`);
  }
}

function profileDir(value: string | undefined): string {
  return value ?? process.env['POSTERN_PROFILE'] ?? join(process.env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), 'postern');
}

/** One engine per command, closed when the command ends. */
async function withEngine<T>(
  profile: string | undefined, io: Io, fn: (call: Caller) => Promise<T>, hint?: { envVariable?: string }, place?: { downloadsDir?: string | undefined },
): Promise<T> {
  const engine = createInProcessEngine({
    profileDir: profileDir(profile), credentials: new CliCredentialStore(process.env, profileDir(profile)), ...(hint ? { credentialHint: hint } : {}), downloadsDir: place?.downloadsDir,
    onMigration: (step) => io.err(migrationLine(step)),
  });
  const stop = engine.dispatcher.onEvent((name, payload) => {
    if (name === 'mail:progress') io.err(progressLine(payload as Progress));
    if (name === 'mail:task') {
      const t = payload as TaskInfo;
      io.err(`task ${t.id} ${t.kind}: ${t.state}${t.last_error ? ` (${t.last_error})` : ''}`);
    }
  });
  try {
    return await fn(caller(engine.dispatcher));
  } finally {
    // Closing waits for actions still being sent; their outcome is still shown.
    await engine.dispatcher.close();
    stop();
  }
}

type Caller = <K extends CallName>(name: K, input: CallInput<K>) => Promise<CallOutput<K>>;

function caller(dispatcher: Dispatcher): Caller {
  return async (name, input) => {
    const envelope = await dispatcher.call(name, input);
    if (!envelope.ok) throw new PosternError(envelope.error.code, envelope.error.message);
    return envelope.value as CallOutput<typeof name>;
  };
}

function progressLine(p: Progress): string {
  const of = p.total === null ? '' : `/${p.total}`;
  return `${p.task}${p.folder ? ` ${p.folder}` : ''}: ${p.phase} ${p.done}${of}`;
}

/** The servers found for an address, with what was found on stderr; BAD_INPUT when there are none to use. */
async function discoveredServers(call: Caller, email: string, io: Io): Promise<AccountDiscovery> {
  io.err(`looking up the server settings for ${email.slice(email.lastIndexOf('@') + 1)}…`);
  const found = await call('mail:accounts.discover', { email });
  if (found.source === null || found.smtp === undefined) {
    throw new PosternError('BAD_INPUT', `No server settings were found for ${found.domain}: give them with --imap HOST:PORT (or --pop3) and --smtp HOST:PORT.`);
  }
  io.err(discoveryText(found));
  return found;
}

function discoveryText(d: AccountDiscovery): string {
  if (d.source === null) return `No server settings found for ${d.domain}.`;
  const from = {
    known: `Postern's list of providers (${d.provider ?? d.domain})`,
    domain: `${d.domain}'s own settings file`,
    srv: `${d.domain}'s SRV records`,
    ispdb: "Thunderbird's ISPDB",
    mx: `the provider that receives ${d.domain}'s mail${d.provider ? ` (${d.provider})` : ''}`,
  }[d.source];
  const server = (kind: string, s: { host: string; port: number; security: string } | undefined) => (s ? `\n  ${kind} ${s.host}:${s.port} ${s.security}` : '');
  return `Settings for ${d.domain} from ${from}:${server('IMAP', d.imap)}${server('POP3', d.pop3)}${server('SMTP', d.smtp)}${d.user ? `\n  user ${d.user}` : ''}` +
    (d.oauth_provider ? `\n  (also signs in with OAuth 2.0: --oauth ${d.oauth_provider})` : '');
}

function print(io: Io, json: boolean, value: unknown, human: () => string): void {
  io.out(json ? JSON.stringify(value, null, 2) : human());
}

async function pickAccount(call: Caller, name: string | undefined): Promise<AccountSummary> {
  const accounts = await call('mail:accounts.list', {});
  if (name === undefined) {
    if (accounts.length === 1 && accounts[0]) return accounts[0];
    throw new PosternError('BAD_INPUT', accounts.length === 0 ? 'There are no accounts yet; add one with "postern account add".' : 'There are several accounts; choose one with --account NAME.');
  }
  const hit = accounts.find((a) => a.id === name) ?? accounts.find((a) => a.name.toLowerCase() === name.toLowerCase());
  if (!hit) throw new PosternError('NOT_FOUND', `There is no account called "${name}".`);
  return hit;
}

async function accountCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'list') {
    const { values } = parse(rest, {});
    const accounts = await withEngine(values.profile, io, (call) => call('mail:accounts.list', {}));
    print(io, values.json, accounts, () => accounts.map((a) => `${a.name}\t${a.email}\t${a.kind} ${(a.imap ?? a.pop3)?.host}:${(a.imap ?? a.pop3)?.port}`).join('\n') || 'No accounts.');
    return 0;
  }
  if (sub === 'login') {
    const { values, positionals } = parse(rest, {}, true);
    if (positionals.length !== 1) throw new PosternError('BAD_INPUT', `account login takes the account's name.\n${USAGE}`);
    const account = await withEngine(values.profile, io, async (call) => signIn(call, await pickAccount(call, positionals[0]), io.err));
    print(io, values.json, account, () => `Signed in ${account.name} (${account.email}).`);
    return 0;
  }
  if (sub === 'discover') {
    const { values, positionals } = parse(rest, {}, true);
    if (positionals.length !== 1) throw new PosternError('BAD_INPUT', `account discover takes one address.\n${USAGE}`);
    const email = positionals[0] as string;
    io.err(`looking up the server settings for ${email.slice(email.lastIndexOf('@') + 1)}…`);
    const found = await withEngine(values.profile, io, (call) => call('mail:accounts.discover', { email }));
    print(io, values.json, found, () => discoveryText(found));
    return 0;
  }
  if (sub !== 'add') throw new PosternError('BAD_INPUT', `account takes "add", "discover", "login" or "list".\n${USAGE}`);
  const { values } = parse(rest, {
    name: { type: 'string' }, email: { type: 'string' }, imap: { type: 'string' }, smtp: { type: 'string' },
    user: { type: 'string' }, 'imap-security': { type: 'string' }, 'smtp-security': { type: 'string' },
    ca: { type: 'string' }, 'password-env': { type: 'string' },
    pop3: { type: 'string' }, 'pop3-security': { type: 'string' },
    'leave-on-server': { type: 'boolean' }, 'delete-after-days': { type: 'string' }, 'delete-when-deleted': { type: 'boolean', default: false },
    'preview-over-kib': { type: 'string' }, 'smtp-auth': { type: 'string' },
    ...OAUTH_ADD_OPTIONS,
  });
  const oauth = oauthFromFlags(values);
  if (oauth && values['password-env'] !== undefined) throw new PosternError('BAD_INPUT', '--password-env does not go with --oauth: an OAuth account has no password.');
  // No server at all: they are looked up from the address (mail:accounts.discover).
  const discover = values.imap === undefined && values.pop3 === undefined && values.smtp === undefined;
  if (!discover && (values.imap === undefined) === (values.pop3 === undefined)) throw new PosternError('BAD_INPUT', 'Give the incoming server with exactly one of --imap HOST:PORT or --pop3 HOST:PORT (or no server at all, to look them up).');
  if (values.pop3 === undefined && (values['leave-on-server'] !== undefined || values['delete-after-days'] !== undefined
    || values['delete-when-deleted'] || values['preview-over-kib'] !== undefined)) {
    throw new PosternError('BAD_INPUT', '--leave-on-server, --delete-after-days, --delete-when-deleted and --preview-over-kib are for POP3 accounts.');
  }
  const imap = values.imap === undefined ? undefined : hostPort(values.imap, '--imap');
  const pop3 = values.pop3 === undefined ? undefined : hostPort(values.pop3, '--pop3');
  const deleteAfter = values['delete-after-days'] === undefined ? null : nonNegativeInt(values['delete-after-days'], '--delete-after-days');
  if (values['leave-on-server'] === false && deleteAfter !== null) throw new PosternError('BAD_INPUT', '--delete-after-days keeps mail on the server for a while; it does not go with --no-leave-on-server.');
  const smtp = discover ? undefined : hostPort(values.smtp, '--smtp');
  const variable = envVariable(values['password-env']);
  let password: string | undefined;
  if (oauth) {
    password = undefined;
  } else if (variable) {
    password = process.env[variable] ?? '';
    if (!password) throw new PosternError('CREDENTIAL_MISSING', `The environment variable ${variable} is not set.`);
  } else {
    password = await readSecretFromStdin();
  }
  const ca_pem = values.ca ? await readFile(values.ca, 'utf8').catch((err: unknown) => {
    throw new PosternError('BAD_INPUT', `The CA file ${values.ca} could not be read: ${(err as Error).message}`);
  }) : undefined;
  const email = required(values.email, '--email');
  const account = await withEngine(values.profile, io, async (call) => {
    const found = discover ? await discoveredServers(call, email, io) : null;
    const added = await call('mail:accounts.add', {
      name: required(values.name, '--name'), email, user: found ? (values.user ?? found.user ?? email) : required(values.user, '--user'),
      ...(oauth ? { oauth } : { password }),
      ...(imap ? { imap: { ...imap, security: security(values['imap-security'], '--imap-security', imap.port, [993]) } } : {}),
      ...(found?.imap ? { imap: found.imap } : {}),
      ...(found?.pop3 ? { pop3: found.pop3 } : {}),
      ...(pop3 ? {
        pop3: { ...pop3, security: security(values['pop3-security'], '--pop3-security', pop3.port, [995]) },
        pop3_retention: {
          leave_on_server: values['leave-on-server'] ?? true, delete_after_days: deleteAfter, delete_when_deleted_here: values['delete-when-deleted'],
          preview_over_kib: values['preview-over-kib'] === undefined ? null : positiveInt(values['preview-over-kib'], '--preview-over-kib', NaN),
        },
      } : {}),
      smtp: smtp
        ? { ...smtp, security: security(values['smtp-security'], '--smtp-security', smtp.port, [465]), ...smtpAuth(values['smtp-auth']) }
        : { ...(found?.smtp as NonNullable<AccountDiscovery['smtp']>), ...smtpAuth(values['smtp-auth']) },
      ...(ca_pem ? { ca_pem } : {}),
    });
    // An OAuth account is useful only once signed in; --no-login leaves that to `account login`.
    return oauth && values.login ? signIn(call, added, io.err) : added;
  }, variable ? { envVariable: variable } : undefined);
  print(io, values.json, account, () => `Added ${account.name} (${account.email})${account.oauth?.signed_in ? ', signed in' : ''}.`);
  return 0;
}

async function foldersCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { account: { type: 'string' } });
  const folders = await withEngine(values.profile, io, async (call) => {
    const account = await pickAccount(call, values.account);
    return call('mail:folders.list', { account_id: account.id, refresh: true });
  });
  print(io, values.json, folders, () => formatFolders(folders));
  return 0;
}

async function syncCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {
    account: { type: 'string' }, folder: { type: 'string' }, 'all-folders': { type: 'boolean', default: false },
    bodies: { type: 'boolean', default: false }, 'max-age-days': { type: 'string' },
  });
  if (values.folder !== undefined && values['all-folders']) throw new PosternError('BAD_INPUT', 'Give either --folder or --all-folders.');
  if (values['all-folders'] || values.bodies) {
    const maxAge = values['max-age-days'] === undefined ? undefined : positiveInt(values['max-age-days'], '--max-age-days', 1);
    const result = await withEngine(values.profile, io, async (call) => {
      const account = await pickAccount(call, values.account);
      return call('mail:sync.account', {
        account_id: account.id, all_folders: values['all-folders'], bodies: values.bodies,
        ...(maxAge === undefined ? {} : { bodies_max_age_days: maxAge }),
      });
    });
    print(io, values.json, result, () => [
      ...result.folders.map((f) => `${f.folder}: ${f.total} messages, ${f.added} new, ${f.removed} removed, ${f.flags_changed} changed.`),
      ...(values.bodies ? [`${result.bodies_downloaded} bodies downloaded (${result.bytes_downloaded} bytes).`] : []),
    ].join('\n'));
    return 0;
  }
  const result = await withEngine(values.profile, io, async (call) => {
    const account = await pickAccount(call, values.account);
    await call('mail:folders.list', { account_id: account.id, refresh: true });
    return call('mail:sync.folder', { account_id: account.id, folder: values.folder ?? 'INBOX' });
  });
  print(io, values.json, result, () => `${result.folder}: ${result.total} messages, ${result.added} new, ${result.removed} removed, ${result.flags_changed} changed.`);
  return 0;
}

async function contactsCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { limit: { type: 'string' } }, true);
  const limit = positiveInt(values.limit, '--limit', 10);
  const contacts = await withEngine(values.profile, io, (call) => call('mail:contacts.search', { query: positionals.join(' '), limit }));
  print(io, values.json, contacts, () => contacts.map((c) => (c.name ? `${c.name} <${c.address}>` : c.address)).join('\n') || 'No one found.');
  return 0;
}

async function threadsCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { account: { type: 'string' }, folder: { type: 'string' }, limit: { type: 'string' } });
  const limit = positiveInt(values.limit, '--limit', 100);
  const threads = await withEngine(values.profile, io, async (call) => {
    const account = await pickAccount(call, values.account);
    return call('mail:threads.list', { account_id: account.id, limit, ...(values.folder ? { folder: values.folder } : {}) });
  });
  print(io, values.json, threads, () => threads.map((t) => `${String(t.thread_id).padStart(6)} ${String(t.count).padStart(3)} msgs ${t.unread ? `${t.unread} unread ` : ''}${t.subject}  (${t.participants.map((p) => p.name || p.address).join(', ')})`).join('\n') || 'No conversations.');
  return 0;
}

async function threadCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {}, true);
  const threadId = positiveInt(positionals[0], 'THREAD-ID', NaN);
  const messages = await withEngine(values.profile, io, (call) => call('mail:threads.get', { thread_id: threadId }));
  print(io, values.json, messages, () => formatList(messages));
  return 0;
}

async function searchCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { account: { type: 'string' }, limit: { type: 'string' } }, true);
  if (positionals.length === 0) throw new PosternError('BAD_INPUT', 'search takes a query, e.g. postern search "from:bob is:unread report".');
  const limit = positiveInt(values.limit, '--limit', 200);
  const messages = await withEngine(values.profile, io, async (call) => {
    const account = values.account === undefined ? undefined : await pickAccount(call, values.account);
    return call('mail:search', { query: positionals.join(' '), limit, ...(account ? { account_id: account.id } : {}) });
  });
  print(io, values.json, messages, () => formatList(messages));
  return 0;
}

async function listCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { account: { type: 'string' }, folder: { type: 'string' }, limit: { type: 'string' } });
  const limit = positiveInt(values.limit, '--limit', 50);
  const messages: MessageSummary[] = await withEngine(values.profile, io, async (call) => {
    const account = await pickAccount(call, values.account);
    return call('mail:messages.list', { account_id: account.id, folder: values.folder ?? 'INBOX', limit });
  });
  print(io, values.json, messages, () => formatList(messages));
  return 0;
}

async function showCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { 'keep-unread': { type: 'boolean', default: false } }, true);
  const id = positiveInt(positionals[0], 'ID', NaN);
  const message = await withEngine(values.profile, io, (call) => call('mail:messages.get', { id, mark_read: !values['keep-unread'] }));
  print(io, values.json, message, () => formatMessage(message));
  return 0;
}

async function parseCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { out: { type: 'string' } }, true);
  if (positionals.length === 0) throw new PosternError('BAD_INPUT', 'parse takes one or more .eml files.');
  if (values.out === undefined) {
    if (positionals.length > 1) throw new PosternError('BAD_INPUT', 'To parse several files, name a folder for the results with --out DIR.');
    const file = positionals[0] as string;
    const raw = await readFile(file).catch((err: unknown) => {
      throw new PosternError('NOT_FOUND', `${file} could not be read: ${(err as Error).message}`);
    });
    const model = await parseMessage(raw);
    print(io, values.json, model, () => formatMessage(model));
    return 0;
  }
  const summary = await parseFilesTo(positionals, values.out, (done, total) => io.err(`parse: ${done}/${total}`));
  print(io, values.json, summary, () => `${summary.parsed} parsed, ${summary.failed} could not be read; results in ${values.out}.`);
  return summary.failed === 0 ? 0 : 1;
}

async function partsCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {}, true);
  const id = positiveInt(positionals[0], 'ID', NaN);
  const tree = await withEngine(values.profile, io, (call) => call('mail:messages.parts', { id }));
  print(io, values.json, tree, () => formatTree(tree));
  return 0;
}

async function partCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { out: { type: 'string' } }, true);
  const id = positiveInt(positionals[0], 'ID', NaN);
  const part = required(positionals[1], 'PART-NUMBER');
  const out = required(values.out, '--out');
  const result = await withEngine(values.profile, io, (call) => call('mail:messages.part', { id, part }));
  const bytes = Buffer.from(result.data_base64, 'base64');
  await writeFile(out, bytes, { flag: 'wx' }).catch((err: unknown) => {
    throw new PosternError('BAD_INPUT', `${out} could not be written (${(err as Error).message}); Postern never overwrites a file.`);
  });
  const info = { part, content_type: result.content_type, filename: result.filename, size: bytes.length, out };
  print(io, values.json, info, () => `Saved part ${part} (${result.content_type}, ${bytes.length} bytes) to ${out}.`);
  return 0;
}

/** --smtp-auth plain|login|cram-md5: the SASL mechanism to insist on (default: the server's best). */
function smtpAuth(value: string | undefined): { auth_method?: SmtpAuthMethod } {
  if (value === undefined) return {};
  const method = SmtpAuthMethod.safeParse(value.toUpperCase());
  if (!method.success) throw new PosternError('BAD_INPUT', '--smtp-auth takes plain, login or cram-md5.');
  return { auth_method: method.data };
}

async function sourceCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {}, true);
  const id = positiveInt(positionals[0], 'ID', NaN);
  const result = await withEngine(values.profile, io, (call) => call('mail:messages.source', { id }));
  print(io, values.json, result, () => result.text);
  if (result.truncated) io.err(`(the first ${result.text.length} characters of ${result.size} bytes)`);
  return 0;
}

async function openCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {}, true);
  const id = positiveInt(positionals[0], 'ID', NaN);
  const index = nonNegativeInt(required(positionals[1], 'INDEX'), 'INDEX');
  const result = await withEngine(values.profile, io, (call) => call('mail:attachments.open', { id, index }));
  print(io, values.json, result, () => `Opened ${result.path}`);
  return 0;
}

async function saveAllCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { out: { type: 'string' } }, true);
  const id = positiveInt(positionals[0], 'ID', NaN);
  const downloadsDir = values.out === undefined ? undefined : resolve(values.out);
  const result = await withEngine(values.profile, io, (call) => call('mail:attachments.saveAll', { id }), undefined, { downloadsDir });
  print(io, values.json, result, () =>
    result.files.length === 0 ? 'The message has no attachments.' : result.files.map((f) => `${f.path} (${f.size} bytes)`).join('\n'));
  return 0;
}

async function sendCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {
    account: { type: 'string' }, to: { type: 'string', multiple: true }, cc: { type: 'string', multiple: true },
    bcc: { type: 'string', multiple: true }, subject: { type: 'string' }, text: { type: 'string' },
    'text-file': { type: 'string' }, attach: { type: 'string', multiple: true }, 'send-at': { type: 'string' },
    'reply-to': { type: 'string' }, 'reply-all': { type: 'string' }, forward: { type: 'string' }, 'as-attachment': { type: 'boolean', default: false },
    'html-file': { type: 'string' }, identity: { type: 'string' },
  });
  const origins = [values['reply-to'], values['reply-all'], values.forward].filter((v) => v !== undefined);
  if (origins.length > 1) throw new PosternError('BAD_INPUT', 'Give at most one of --reply-to, --reply-all and --forward.');
  if (values['as-attachment'] && values.forward === undefined) throw new PosternError('BAD_INPUT', '--as-attachment goes with --forward.');
  if (values.text !== undefined && values['text-file'] !== undefined) throw new PosternError('BAD_INPUT', 'Give the body with one of --text or --text-file.');
  if (origins.length === 0 && values.text === undefined && values['text-file'] === undefined && values['html-file'] === undefined) {
    throw new PosternError('BAD_INPUT', 'Give the body with --text, --text-file or --html-file.');
  }
  const html = values['html-file'] === undefined ? undefined : await readFile(values['html-file'], 'utf8');
  const typed = values.text ?? (values['text-file'] === undefined ? '' : await readFile(values['text-file'], 'utf8'));
  const attachments = await Promise.all((values.attach ?? []).map(async (path) => ({
    filename: basename(path),
    data_base64: (await readFile(path).catch((err: unknown) => {
      throw new PosternError('NOT_FOUND', `The attachment ${path} could not be read: ${(err as Error).message}`);
    })).toString('base64'),
  })));
  const result = await withEngine(values.profile, io, async (call) => {
    const replyId = values['reply-to'] ?? values['reply-all'];
    const prefill = replyId !== undefined
      ? await call('mail:compose.reply', { id: positiveInt(replyId, '--reply-to', NaN), all: values['reply-all'] !== undefined })
      : values.forward !== undefined
        ? await call('mail:compose.forward', { id: positiveInt(values.forward, '--forward', NaN), as_attachment: values['as-attachment'] })
        : null;
    const account = prefill ? await pickAccount(call, values.account ?? prefill.account_id) : await pickAccount(call, values.account);
    const to = values.to ?? prefill?.to ?? [];
    if (to.length === 0) throw new PosternError('BAD_INPUT', '--to is required.');
    return call('mail:send', {
      account_id: account.id, to, cc: values.cc ?? prefill?.cc ?? [], bcc: values.bcc ?? [],
      subject: values.subject ?? prefill?.subject ?? required(undefined, '--subject'),
      text: typed + (prefill?.text ?? ''), attachments,
      ...(html !== undefined ? { html } : {}),
      ...((values.identity ?? prefill?.from) ? { from: values.identity ?? prefill?.from } : {}),
      ...(values['send-at'] ? { send_at: isoTime(values['send-at'], '--send-at') } : {}),
      ...(prefill?.in_reply_to_id ? { in_reply_to_id: prefill.in_reply_to_id } : {}),
      ...(prefill?.forward_of_id ? { forward_of_id: prefill.forward_of_id, forward_as_attachment: prefill.forward_as_attachment ?? false } : {}),
    });
  });
  print(io, values.json, result, () => result.state === 'sent'
    ? `Sent ${result.message_id} to ${result.accepted.join(', ')}${result.rejected.length ? `; refused: ${result.rejected.join(', ')}` : ''}.`
    : `Waiting in the Outbox (id ${result.outbox_id})${result.last_error ? `: ${result.last_error}` : ''}. "postern outbox retry ${result.outbox_id}" sends it now.`);
  // sendmail's EX_TEMPFAIL: not sent yet, but safely queued.
  return result.state === 'sent' ? 0 : 75;
}

function ids(positionals: string[]): number[] {
  if (positionals.length === 0) throw new PosternError('BAD_INPUT', 'Give one or more message ids (see "postern list").');
  return positionals.map((p) => positiveInt(p, 'ID', NaN));
}

/** Actions are applied locally at once; the command then waits (bounded) for the server. */
async function flagCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {
    seen: { type: 'boolean' }, unseen: { type: 'boolean' }, flagged: { type: 'boolean' }, unflagged: { type: 'boolean' },
  }, true);
  const add = [...(values.seen ? ['\\Seen'] : []), ...(values.flagged ? ['\\Flagged'] : [])];
  const remove = [...(values.unseen ? ['\\Seen'] : []), ...(values.unflagged ? ['\\Flagged'] : [])];
  if (add.length + remove.length === 0) throw new PosternError('BAD_INPUT', 'flag takes --seen, --unseen, --flagged or --unflagged.');
  const results = await withEngine(values.profile, io, async (call) => {
    const out: { id: number; flags: string[] }[] = [];
    for (const id of ids(positionals)) out.push({ id, ...(await call('mail:messages.setFlags', { id, add, remove })) });
    return out;
  });
  print(io, values.json, results.length === 1 ? results[0] : results, () => results.map((r) => `${r.id}: ${r.flags.join(' ') || '(no flags)'}`).join('\n'));
  return 0;
}

async function moveCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { to: { type: 'string' } }, true);
  const to = required(values.to, '--to');
  const result = await withEngine(values.profile, io, (call) => call('mail:messages.move', { ids: ids(positionals), to }));
  print(io, values.json, result, () => `Moved ${result.moved} message(s) to ${to}.`);
  return 0;
}

async function deleteCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {}, true);
  const result = await withEngine(values.profile, io, (call) => call('mail:messages.delete', { ids: ids(positionals) }));
  print(io, values.json, result, () => `${result.to_trash} moved to Trash, ${result.permanently} deleted for good.`);
  return 0;
}

async function undoCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {});
  const result = await withEngine(values.profile, io, (call) => call('mail:undo', {}));
  print(io, values.json, result, () => (result.what ? `Undone: ${result.what}.` : 'Nothing to undo.'));
  return 0;
}

async function folderCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest, { account: { type: 'string' } }, true);
  const result = await withEngine(values.profile, io, async (call) => {
    const account = await pickAccount(call, values.account);
    const path = required(positionals[0], 'PATH');
    switch (sub) {
      case 'create': return call('mail:folders.create', { account_id: account.id, path });
      case 'rename': return call('mail:folders.rename', { account_id: account.id, path, new_path: required(positionals[1], 'NEW') });
      case 'delete': return call('mail:folders.delete', { account_id: account.id, path });
      default: throw new PosternError('BAD_INPUT', `folder takes create, rename or delete.\n${USAGE}`);
    }
  });
  print(io, values.json, result, () => `Done: ${JSON.stringify(result)}`);
  return 0;
}

async function tasksCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { account: { type: 'string' }, all: { type: 'boolean', default: false } });
  const tasks = await withEngine(values.profile, io, async (call) => {
    const account = values.account === undefined ? undefined : await pickAccount(call, values.account);
    return call('mail:tasks.list', { include_done: values.all, ...(account ? { account_id: account.id } : {}) });
  });
  print(io, values.json, tasks, () => tasks.map((t) => `${t.id}\t${t.kind}\t${t.state}\t${t.attempts} tries\t${t.last_error ?? ''}`).join('\n') || 'Nothing waiting.');
  return 0;
}

function isoTime(value: string, flag: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) throw new PosternError('BAD_INPUT', `${flag} takes a time like 2026-12-24T09:00:00+01:00.`);
  return new Date(t).toISOString();
}

async function outboxCommand(args: string[], io: Io): Promise<number> {
  const [sub = 'list', ...rest] = args;
  const { values, positionals } = parse(rest, { account: { type: 'string' }, all: { type: 'boolean', default: false } }, true);
  const result = await withEngine(values.profile, io, async (call) => {
    const account = values.account === undefined ? undefined : await pickAccount(call, values.account);
    const scope = account ? { account_id: account.id } : {};
    switch (sub) {
      case 'list': return call('mail:outbox.list', { ...scope, include_sent: values.all });
      case 'retry':
        if (positionals[0] === undefined && !values.all) throw new PosternError('BAD_INPUT', 'outbox retry takes an id or --all.');
        return call('mail:outbox.retry', positionals[0] === undefined ? scope : { id: positiveInt(positionals[0], 'ID', NaN) });
      case 'cancel': return call('mail:outbox.cancel', { id: positiveInt(positionals[0], 'ID', NaN) });
      default: throw new PosternError('BAD_INPUT', `outbox takes list, retry or cancel.\n${USAGE}`);
    }
  });
  print(io, values.json, result, () => Array.isArray(result)
    ? result.map((o) => `${o.id}\t${o.state}\t${o.subject}\t${o.to.join(', ')}\t${o.last_error ?? ''}`).join('\n') || 'The Outbox is empty.'
    : JSON.stringify(result));
  return 0;
}

async function identityCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'set') throw new PosternError('BAD_INPUT', `identity takes set.\n${USAGE}`);
  const { values } = parse(rest, { account: { type: 'string' }, address: { type: 'string' }, name: { type: 'string' }, signature: { type: 'string' } });
  const address = required(values.address, '--address');
  const account = await withEngine(values.profile, io, async (call) => {
    const current = await pickAccount(call, values.account);
    const others = current.identities.filter((i) => i.address.toLowerCase() !== address.toLowerCase());
    const existing = current.identities.find((i) => i.address.toLowerCase() === address.toLowerCase());
    return call('mail:identities.set', {
      account_id: current.id,
      identities: [...others, { address, name: values.name ?? existing?.name ?? current.name, signature: values.signature ?? existing?.signature ?? '' }],
    });
  });
  print(io, values.json, account, () => account.identities.map((i) => `${i.name} <${i.address}>${i.signature ? ' (with signature)' : ''}`).join('\n'));
  return 0;
}

async function draftCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest, {
    account: { type: 'string' }, draft: { type: 'string' }, to: { type: 'string', multiple: true }, cc: { type: 'string', multiple: true },
    bcc: { type: 'string', multiple: true }, subject: { type: 'string' }, text: { type: 'string' }, 'text-file': { type: 'string' },
    attach: { type: 'string', multiple: true },
  }, true);
  const id = () => positiveInt(positionals[0], 'ID', NaN);
  const result = await withEngine(values.profile, io, async (call) => {
    switch (sub) {
      case 'save': {
        const account = await pickAccount(call, values.account);
        const text = values['text-file'] !== undefined ? await readFile(values['text-file'], 'utf8') : (values.text ?? '');
        const attachments = await Promise.all((values.attach ?? []).map(async (path) => ({ filename: basename(path), data_base64: (await readFile(path)).toString('base64') })));
        return call('mail:drafts.save', {
          account_id: account.id, to: values.to ?? [], cc: values.cc ?? [], bcc: values.bcc ?? [], subject: values.subject ?? '', text, attachments,
          ...(values.draft !== undefined ? { draft_id: positiveInt(values.draft, '--draft', NaN) } : {}),
        });
      }
      case 'list': {
        const account = values.account === undefined ? undefined : await pickAccount(call, values.account);
        return call('mail:drafts.list', account ? { account_id: account.id } : {});
      }
      case 'show': return call('mail:drafts.get', { draft_id: id() });
      case 'send': return call('mail:drafts.send', { draft_id: id() });
      case 'delete': return call('mail:drafts.delete', { draft_id: id() });
      case 'open': return call('mail:drafts.open', { id: id() });
      default: throw new PosternError('BAD_INPUT', `draft takes save, list, show, send, delete or open.\n${USAGE}`);
    }
  });
  print(io, values.json, result, () => JSON.stringify(result, null, 2));
  return 0;
}

async function serveCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { port: { type: 'string' } });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new PosternError('BAD_INPUT', '--port takes a port number (0 picks a free one).');
  const rendererDir = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));
  // The page is served at once, as Electron's window opens at once: while the
  // engine starts (and perhaps upgrades the database) it shows how far that is.
  const startup = new EngineStartupState();
  const starting = startEngine({
    profileDir: profileDir(values.profile),
    credentials: new EnvCredentialStore(process.env, profileDir(values.profile)),
    onMigration: (step) => {
      startup.migrating(step);
      io.err(migrationLine(step));
    },
  });
  const dispatcher = deferredDispatcher(starting, startup);
  const bridge = await startWebBridge({ dispatcher, rendererDir, port });
  io.out(bridge.url);
  io.err(`Postern is serving on ${bridge.url.split('#')[0]} (open the full URL above; it carries the access token). Ctrl+C stops.`);
  let stopSignals = () => {};
  const stopped = new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    stopSignals = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    };
  });
  // An engine that cannot start ends the command with its reason.
  const failed = starting.then(() => new Promise<never>(() => {}), (err: unknown) => err);
  const reason = await Promise.race([stopped.then(() => null), failed]);
  stopSignals();
  await bridge.close();
  await dispatcher.close();
  if (reason !== null) throw reason;
  return 0;
}

/** "database: upgrading 1/3 (…)": one line per step of a database upgrade, then "upgraded". */
function migrationLine(step: MigrationStep): string {
  if (step.done >= step.total) return `database: upgraded ${step.done}/${step.total}`;
  return `database: upgrading ${step.done}/${step.total} (${step.description})`;
}
