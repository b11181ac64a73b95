// A POP3 server without UIDL: messages are told apart by a hash of their
// headers (TOP n 0), nothing is downloaded twice, and the sync says so.
// A scripted TLS server plays the server; the store is real SQLite.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { CAPS, capaAnswer, makeTestCert, multiLine, startScriptedServer, type ScriptedConnection, type ScriptedServer, type TestCert } from '../pop3/scripted-pop3-server.ts';
import { connectPop3 } from '../../../../src-protocol/pop3/index.ts';
import { openDatabase } from '../../../../src-protocol/store/database.ts';
import { MailStore } from '../../../../src-protocol/store/mail-store.ts';
import { BlobStore } from '../../../../src-protocol/store/blob-store.ts';
import { Pop3Store } from '../../../../src-protocol/store/pop3-store.ts';
import { LOCAL_FOLDERS } from '../../../../src-protocol/sync/local-folders.ts';
import { downloadPop3 } from '../../../../src-protocol/sync/pop3-download.ts';

const NO_UIDL = CAPS.filter((c) => c !== 'UIDL');
const messages = ['Subject: first\r\nMessage-ID: <1@x>\r\n\r\nbody one\r\n', 'Subject: second\r\nMessage-ID: <2@x>\r\n\r\nbody two\r\n'];
const headerOf = (m: string) => m.slice(0, m.indexOf('\r\n\r\n') + 4);

let cert: TestCert;
let server: ScriptedServer | undefined;

beforeAll(async () => {
  cert = await makeTestCert();
});

afterEach(async () => {
  await server?.close();
});

/** A session of a server that answers -ERR to UIDL. `retr` says which messages the client may fetch. */
async function session(conn: ScriptedConnection, retr: number[]): Promise<void> {
  conn.send('+OK POP3 ready\r\n');
  await conn.reply('CAPA', capaAnswer(NO_UIDL));
  await conn.reply('USER alice', '+OK\r\n');
  await conn.reply('PASS secret-pw', '+OK Logged in.\r\n');
  await conn.reply('CAPA', capaAnswer(NO_UIDL));
  await conn.reply('LIST', multiLine('+OK', messages.map((m, i) => `${i + 1} ${m.length}\r\n`).join('')));
  await conn.reply('UIDL', '-ERR Command not supported\r\n');
  for (const [i, m] of messages.entries()) await conn.reply(`TOP ${i + 1} 0`, multiLine('+OK', headerOf(m)));
  for (const n of retr) await conn.reply(`RETR ${n}`, multiLine('+OK', messages[n - 1] as string));
  await conn.reply('QUIT', '+OK Bye\r\n');
}

it('tells messages apart by their headers, downloads each once, and says why', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-nouidl-'));
  const store = new MailStore(openDatabase(join(dir, 'mail.sqlite')));
  const deps = { store, blobs: new BlobStore(join(dir, 'messages'), store), pop3: new Pop3Store(store.db) };
  store.replaceFolders('home', [...LOCAL_FOLDERS]);
  const retention = { leave_on_server: true, delete_after_days: null, delete_when_deleted_here: false, preview_over_kib: null };
  let run = 0;
  server = await startScriptedServer((conn) => session(conn, run++ === 0 ? [1, 2] : []), { cert, implicitTls: true });
  const connect = () => connectPop3({ host: '127.0.0.1', port: (server as ScriptedServer).port, security: 'tls', user: 'alice', password: 'secret-pw', caPem: cert.caPem });

  const first = await downloadPop3(await connect(), deps, 'home', retention);
  expect(first).toMatchObject({ downloaded: 2, uidl_fallback: true });
  expect(first.notes.join(' ')).toMatch(/no UIDL/);
  const second = await downloadPop3(await connect(), deps, 'home', retention);
  expect(second).toMatchObject({ downloaded: 0, on_server: 2 });
  const inbox = store.folder('home', 'INBOX');
  expect(store.listMessages(inbox?.id ?? 0, 10, 0).map((m) => m.subject).sort()).toEqual(['first', 'second']);
  expect(await server.scriptErrors()).toEqual([]);
});
