// The POP3 client against a scripted server: what goes over the wire, what
// comes back byte for byte, and how every failure is reported and cleaned up.
import { getEventListeners } from 'node:events';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PosternError } from '../../../../src-protocol/common/errors.ts';
import { connectPop3 } from '../../../../src-protocol/pop3/pop3-connect.ts';
import type { Pop3Client } from '../../../../src-protocol/pop3/pop3-client.ts';
import { Pop3ServerError } from '../../../../src-protocol/pop3/pop3-errors.ts';
import type { Pop3Settings } from '../../../../src-protocol/pop3/pop3-settings.ts';
import {
  CAPS,
  capaAnswer,
  makeTestCert,
  multiLine,
  openSession,
  startScriptedServer,
  type Script,
  type ScriptedServer,
  type TestCert,
} from './scripted-pop3-server.ts';

let cert: TestCert;
let server: ScriptedServer | undefined;
const clients: Pop3Client[] = [];

beforeAll(async () => {
  cert = await makeTestCert();
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = undefined;
});

async function serve(script: Script, implicitTls = true): Promise<ScriptedServer> {
  server = await startScriptedServer(script, { cert, implicitTls });
  return server;
}

function settings(s: ScriptedServer, overrides: Partial<Pop3Settings> = {}): Pop3Settings {
  return {
    host: '127.0.0.1',
    port: s.port,
    security: 'tls',
    user: 'alice',
    password: 'secret-pw',
    caPem: cert.caPem,
    ...overrides,
  };
}

async function connect(s: ScriptedServer, overrides: Partial<Pop3Settings> = {}): Promise<Pop3Client> {
  const client = await connectPop3(settings(s, overrides));
  clients.push(client);
  return client;
}

/** The PosternError a promise rejects with. */
async function failure(p: Promise<unknown>): Promise<PosternError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(PosternError);
    return err as PosternError;
  }
  throw new Error('expected the call to fail');
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

/** A message with dots at line starts, a line of exactly ".", 8-bit bytes that are not UTF-8, a bare LF. */
const MESSAGE = Buffer.concat([
  b('From: a@example.test\r\nSubject: =?iso-8859-1?q?caf=E9?=\r\n\r\n'),
  b('.starts with a dot\r\n..two dots\r\n.\r\n..\r\n'),
  Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff, 0xfe, 0x80, 0x0d, 0x0a]),
  b('bare\nLF inside\r\n'),
  b('end\r\n'),
]);

describe('a session over implicit TLS', () => {
  it('runs every transaction command with the right wire syntax and returns messages byte-identical', async () => {
    const s = await serve(async (conn) => {
      await openSession(conn);
      await conn.reply('STAT', '+OK 2 320\r\n');
      await conn.reply('LIST', '+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n');
      await conn.reply('LIST 2', '+OK 2 200\r\n');
      await conn.reply('UIDL', '+OK\r\n1 uid-one\r\n2 uid-two\r\n.\r\n');
      await conn.reply('UIDL 1', '+OK 1 uid-one\r\n');
      await conn.reply('RETR 1', multiLine('+OK 120 octets', MESSAGE));
      await conn.reply('TOP 1 0', multiLine('+OK', b('From: a@example.test\r\n\r\n')));
      await conn.reply('DELE 1', '+OK message 1 deleted\r\n');
      await conn.reply('RSET', '+OK\r\n');
      await conn.reply('NOOP', '+OK\r\n');
      await conn.reply('RETR 9', '-ERR no such message\r\n');
      await conn.reply('QUIT', '+OK bye\r\n');
      conn.end();
    });
    const client = await connect(s);
    expect(client.info).toMatchObject({ mechanism: 'USER', utf8: false, greeting: 'POP3 ready' });
    expect(await client.stat()).toEqual({ count: 2, size: 320 });
    expect(await client.list()).toEqual([{ msg: 1, size: 120 }, { msg: 2, size: 200 }]);
    expect(await client.list(2)).toEqual({ msg: 2, size: 200 });
    expect(await client.uidl()).toEqual([{ msg: 1, uid: 'uid-one' }, { msg: 2, uid: 'uid-two' }]);
    expect(await client.uidl(1)).toEqual({ msg: 1, uid: 'uid-one' });
    const raw = await client.retr(1);
    expect(Buffer.isBuffer(raw)).toBe(true);
    expect(raw.equals(MESSAGE)).toBe(true);
    expect((await client.top(1, 0)).toString('latin1')).toBe('From: a@example.test\r\n\r\n');
    await client.dele(1);
    await client.rset();
    await client.noop();
    const missing = await failure(client.retr(9));
    expect(missing.code).toBe('SERVER_REFUSED');
    expect(missing.message).toContain('no such message');
    expect(await client.quit()).toBe(true);
    expect(client.closed).toBe(true);
    expect(await s.scriptErrors()).toEqual([]);
  });

  it('runs commands called together one after another, never interleaved', async () => {
    const s = await serve(async (conn) => {
      await openSession(conn);
      await conn.reply('RETR 1', multiLine('+OK', b('one\r\n')));
      await conn.reply('RETR 2', multiLine('+OK', b('two\r\n')));
      await conn.reply('NOOP', '+OK\r\n');
    });
    const client = await connect(s);
    const [one, two] = await Promise.all([client.retr(1), client.retr(2), client.noop()]);
    expect(one.toString('latin1')).toBe('one\r\n');
    expect(two.toString('latin1')).toBe('two\r\n');
    expect(await s.scriptErrors()).toEqual([]);
  });

  it('reads a message whose terminator arrives in separate TCP chunks', async () => {
    const s = await serve(async (conn) => {
      await openSession(conn);
      await conn.expect('RETR 1');
      await conn.sendChunks(['+OK\r\n', '.', '.x\r\nend\r', '\n', '.', '\r', '\n']);
      await conn.expect('RETR 2');
      // "." directly after the status line, in its own chunk: an empty message.
      await conn.sendChunks(['+OK 0 octets\r\n', '.\r\n']);
    });
    const client = await connect(s);
    expect((await client.retr(1)).toString('latin1')).toBe('.x\r\nend\r\n');
    expect((await client.retr(2)).length).toBe(0);
    expect(await s.scriptErrors()).toEqual([]);
  });

  it('refuses a message number that is not one before sending anything', async () => {
    const s = await serve(async (conn) => openSession(conn));
    const client = await connect(s);
    for (const n of [0, -1, 1.5, Number.NaN]) expect((await failure(client.retr(n))).code).toBe('BAD_INPUT');
    expect((await failure(client.top(1, -1))).code).toBe('BAD_INPUT');
    expect(s.connections[0]?.received.slice(-1)).toEqual(['CAPA']);
  });
});

describe('QUIT and deletions', () => {
  it('returns false when the server refuses to enter the UPDATE state', async () => {
    const s = await serve(async (conn) => {
      await openSession(conn);
      await conn.reply('DELE 1', '+OK\r\n');
      await conn.reply('QUIT', '-ERR some deleted messages not removed\r\n');
    });
    const client = await connect(s);
    await client.dele(1);
    expect(await client.quit()).toBe(false);
    expect(client.closed).toBe(true);
  });

  it('close() hangs up without QUIT', async () => {
    const s = await serve(async (conn) => {
      await openSession(conn);
      await conn.reply('DELE 1', '+OK\r\n');
    });
    const client = await connect(s);
    await client.dele(1);
    client.close();
    const conn = s.connections[0];
    await conn?.closed;
    expect(conn?.received).not.toContain('QUIT');
    expect((await failure(client.noop())).code).toBe('CONNECT_FAILED');
  });
});

describe('STLS', () => {
  it('upgrades to TLS before signing in and asks CAPA again afterwards', async () => {
    const s = await serve(async (conn) => {
      conn.send('+OK ready\r\n');
      await conn.reply('CAPA', capaAnswer([...CAPS, 'STLS']));
      await conn.reply('STLS', '+OK Begin TLS negotiation now.\r\n');
      await conn.startTls();
      await conn.reply('CAPA', capaAnswer([...CAPS, 'SASL PLAIN']));
      await conn.reply(`AUTH PLAIN ${Buffer.from('\0alice\0secret-pw').toString('base64')}`, '+OK Logged in.\r\n');
      await conn.reply('CAPA', capaAnswer(CAPS));
    }, false);
    const client = await connect(s, { security: 'starttls' });
    expect(client.info.mechanism).toBe('PLAIN');
    expect(await s.scriptErrors()).toEqual([]);
  });

  it('is required: a server whose CAPA lacks STLS is left before any credential is sent', async () => {
    const s = await serve(async (conn) => {
      conn.send('+OK ready\r\n');
      await conn.reply('CAPA', capaAnswer(CAPS));
      await conn.closed;
    }, false);
    const err = await failure(connect(s, { security: 'starttls' }));
    expect(err.code).toBe('TLS_FAILED');
    expect(err.message).toMatch(/does not offer STLS/);
    await s.connections[0]?.closed;
    expect(s.connections[0]?.received).toEqual(['CAPA']);
  });

  it('is required: a refused STLS ends the session', async () => {
    const s = await serve(async (conn) => {
      conn.send('+OK ready\r\n');
      await conn.reply('CAPA', capaAnswer([...CAPS, 'STLS']));
      await conn.reply('STLS', '-ERR [SYS/TEMP] TLS is broken today\r\n');
      await conn.closed;
    }, false);
    const err = await failure(connect(s, { security: 'starttls' }));
    expect(err.code).toBe('TLS_FAILED');
    await s.connections[0]?.closed;
    expect(s.connections[0]?.received).toEqual(['CAPA', 'STLS']);
  });

  it('refuses bytes sent after +OK but before the handshake (injection)', async () => {
    const s = await serve(async (conn) => {
      conn.send('+OK ready\r\n');
      await conn.reply('CAPA', capaAnswer([...CAPS, 'STLS']));
      await conn.reply('STLS', '+OK go ahead\r\n+OK injected\r\n');
      await conn.closed;
    }, false);
    const err = await failure(connect(s, { security: 'starttls' }));
    expect(err.code).toBe('TLS_FAILED');
    expect(err.message).toMatch(/injected/);
  });
});

describe('certificates', () => {
  it('refuses a server whose certificate it cannot verify', async () => {
    const s = await serve(async (conn) => conn.send('+OK ready\r\n'));
    const err = await failure(connect(s, { caPem: undefined }));
    expect(err.code).toBe('TLS_UNTRUSTED');
  });

  it('refuses a certificate for another name', async () => {
    const s = await serve(async (conn) => conn.send('+OK ready\r\n'));
    const err = await failure(connect(s, { servername: 'mail.example.org' }));
    expect(err.code).toBe('TLS_UNTRUSTED');
  });

  it('refuses it after STLS too', async () => {
    const s = await serve(async (conn) => {
      conn.send('+OK ready\r\n');
      await conn.reply('CAPA', capaAnswer([...CAPS, 'STLS']));
      await conn.reply('STLS', '+OK\r\n');
      await conn.startTls().catch(() => undefined);
    }, false);
    const err = await failure(connect(s, { security: 'starttls', caPem: undefined }));
    expect(err.code).toBe('TLS_UNTRUSTED');
    expect(s.connections[0]?.received).toEqual(['CAPA', 'STLS']);
  });
});

describe('signing in', () => {
  it("uses APOP when the greeting offers it and it is allowed (RFC 1939's example)", async () => {
    const s = await serve(async (conn) => {
      conn.send('+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n');
      await conn.reply('CAPA', '-ERR unknown command\r\n');
      await conn.reply('APOP mrose c4c9334bac560ecc979e58001b3e22fb', '+OK mrose\'s maildrop has 2 messages (320 octets)\r\n');
    });
    const client = await connect(s, { user: 'mrose', password: 'tanstaaf', allowApop: true });
    expect(client.info).toMatchObject({ mechanism: 'APOP', capabilities: undefined });
    expect(await s.scriptErrors()).toEqual([]);
  });

  it('sends UTF8 when offered, before signing in', async () => {
    const caps = [...CAPS, 'UTF8 USER'];
    const s = await serve(async (conn) => {
      conn.send('+OK ready\r\n');
      await conn.reply('CAPA', capaAnswer(caps));
      await conn.reply('UTF8', '+OK UTF8 enabled\r\n');
      await conn.reply('USER alice', '+OK\r\n');
      await conn.reply('PASS secret-pw', '+OK\r\n');
      await conn.reply('CAPA', capaAnswer(caps));
    });
    expect((await connect(s)).info.utf8).toBe(true);
    expect(await s.scriptErrors()).toEqual([]);
  });

  it('sends a long XOAUTH2 response after an empty challenge and reports the refusal', async () => {
    const token = 'ya29.' + 'x'.repeat(300);
    const initial = Buffer.from(`user=alice\x01auth=Bearer ${token}\x01\x01`).toString('base64');
    const s = await serve(async (conn) => {
      conn.send('+OK ready\r\n');
      await conn.reply('CAPA', capaAnswer([...CAPS, 'SASL PLAIN XOAUTH2']));
      await conn.reply('AUTH XOAUTH2', '+ \r\n');
      await conn.reply(initial, `+ ${Buffer.from('{"status":"401","schemes":"bearer"}').toString('base64')}\r\n`);
      await conn.reply('', '-ERR [AUTH] Invalid credentials\r\n');
    });
    const err = await failure(connect(s, { password: undefined, accessToken: token }));
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toContain('Invalid credentials');
    expect(err.message).toContain('401');
    expect(err.message).not.toContain(token);
    expect(await s.scriptErrors()).toEqual([]);
  });

  it('reports a wrong password as AUTH_FAILED with the server text, and never the password', async () => {
    const s = await serve(async (conn) => {
      conn.send('+OK ready\r\n');
      await conn.reply('CAPA', capaAnswer(CAPS));
      await conn.reply('USER alice', '+OK\r\n');
      await conn.reply('PASS secret-pw', '-ERR [AUTH] Wrong password secret-pw\r\n');
    });
    const err = await failure(connect(s));
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toContain('Wrong password');
    expect(err.message).not.toContain('secret-pw');
    expect(JSON.stringify(err.serverText)).not.toContain('secret-pw');
  });

  it('reports a locked maildrop ([IN-USE]) as refused-for-now, to be retried', async () => {
    const s = await serve(async (conn) => {
      conn.send('+OK ready\r\n');
      await conn.reply('CAPA', capaAnswer(CAPS));
      await conn.reply('USER alice', '+OK\r\n');
      await conn.reply('PASS secret-pw', '-ERR [IN-USE] Mailbox is locked by another POP3 session\r\n');
    });
    const err = await failure(connect(s));
    expect(err).toBeInstanceOf(Pop3ServerError);
    expect(err).toMatchObject({ code: 'SERVER_REFUSED', responseCode: 'IN-USE', temporary: true });
    expect(err.message).toMatch(/locked/);
    expect(err.message).toMatch(/try again later/);
  });

  it('never puts the password in the protocol log', async () => {
    const lines: string[] = [];
    const logger = {
      debug: (msg: string, fields?: Record<string, unknown>) => lines.push(`${msg} ${JSON.stringify(fields)}`),
      info: () => {},
      warn: () => {},
      error: () => {},
      child: () => logger,
    };
    const s = await serve(async (conn) => {
      await openSession(conn);
      await conn.reply('QUIT', '+OK\r\n');
    });
    const client = await connect(s, { logger, protocolLog: true });
    await client.quit();
    expect(lines.some((l) => l.includes('USER alice'))).toBe(true);
    expect(lines.some((l) => l.includes('PASS ****'))).toBe(true);
    expect(lines.join('\n')).not.toContain('secret-pw');
  });
});

describe('failures', () => {
  it('reports a server that hangs up in the middle of a message clearly', async () => {
    const s = await serve(async (conn) => {
      await openSession(conn);
      await conn.expect('RETR 1');
      await conn.sendChunks(['+OK\r\nSubject: half\r\n\r\nthe first half']);
      conn.end();
    });
    const client = await connect(s);
    const err = await failure(client.retr(1));
    expect(err.code).toBe('CONNECT_FAILED');
    expect(err.message).toMatch(/closed the connection in the middle of an answer/);
    expect(client.closed).toBe(true);
  });

  it('reports a malformed answer as PROTOCOL and closes', async () => {
    const s = await serve(async (conn) => {
      await openSession(conn);
      await conn.reply('STAT', 'HELLO THERE\r\n');
      await conn.closed;
    });
    const client = await connect(s);
    const err = await failure(client.stat());
    expect(err.code).toBe('PROTOCOL');
    expect(client.closed).toBe(true);
  });

  it('stops when the server sends more than was asked for, instead of misreading the next answer', async () => {
    const s = await serve(async (conn) => {
      await openSession(conn);
      // A broken server answering "LIST 1" as if it were "LIST".
      await conn.reply('LIST 1', '+OK 1 120\r\n1 120\r\n.\r\n');
      await conn.closed;
    });
    const client = await connect(s);
    expect(await client.list(1)).toEqual({ msg: 1, size: 120 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await failure(client.stat())).code).toBe('PROTOCOL');
    expect(s.connections[0]?.received).not.toContain('STAT');
  });

  it('shows the words of a server that refuses at the greeting and hangs up', async () => {
    const s = await serve(async (conn) => {
      conn.send('-ERR [SYS/TEMP] Too many connections, try later\r\n');
      conn.end();
    });
    const err = await failure(connect(s));
    expect(err).toMatchObject({ code: 'SERVER_REFUSED', responseCode: 'SYS/TEMP', temporary: true });
    expect(err.message).toContain('Too many connections');
  });

  it('reports a refused connection as CONNECT_FAILED', async () => {
    const s = await serve(async () => {});
    const port = s.port;
    await s.close();
    server = undefined;
    const err = await failure(connectPop3({ host: '127.0.0.1', port, security: 'tls', user: 'a', password: 'p', caPem: cert.caPem }));
    expect(err.code).toBe('CONNECT_FAILED');
  });

  it('times out a silent server while waiting for a command', async () => {
    const s = await serve(async (conn) => {
      await openSession(conn);
      await conn.expect('RETR 1');
      conn.send('+OK\r\npart of it\r\n'); // then silence
      await conn.closed;
    });
    const client = await connect(s, { timeouts: { commandIdleMs: 300 } });
    const started = Date.now();
    const err = await failure(client.retr(1));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(/did not answer within 300 ms \(RETR\)/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(client.closed).toBe(true);
    await s.connections[0]?.closed; // the client hung up
  });

  it('times out a TLS handshake that never completes', async () => {
    const s = await serve(async (conn) => conn.closed, false); // plain TCP: never answers the ClientHello
    const err = await failure(connect(s, { timeouts: { connectMs: 200 } }));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(/connecting/);
  });

  it('refuses a user name that would smuggle in a second command', async () => {
    const s = await serve(async (conn) => {
      conn.send('+OK ready\r\n');
      await conn.reply('CAPA', capaAnswer(CAPS));
      await conn.closed;
    });
    const err = await failure(connect(s, { user: 'alice\r\nDELE 1' }));
    expect(err.code).toBe('BAD_INPUT');
    await s.connections[0]?.closed;
    expect(s.connections[0]?.received).toEqual(['CAPA']);
  });

  it('times out a server that never greets', async () => {
    const s = await serve(async (conn) => conn.closed);
    const err = await failure(connect(s, { timeouts: { greetingMs: 200 } }));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(/greeting/);
  });

  it('restarts the idle timeout whenever bytes arrive, so a slow download is not cut off', async () => {
    const s = await serve(async (conn) => {
      await openSession(conn);
      await conn.expect('RETR 1');
      await conn.sendChunks(['+OK\r\n', 'a\r\n', 'b\r\n', 'c\r\n', 'd\r\n', '.\r\n'], 120);
    });
    const client = await connect(s, { timeouts: { commandIdleMs: 300 } });
    expect((await client.retr(1)).toString('latin1')).toBe('a\r\nb\r\nc\r\nd\r\n');
  });

  it('cancels with an AbortSignal: the command fails and the connection closes without QUIT', async () => {
    const controller = new AbortController();
    const s = await serve(async (conn) => {
      await openSession(conn);
      await conn.expect('RETR 1');
      conn.send('+OK\r\nstill coming\r\n');
      await conn.closed;
    });
    const client = await connect(s, { signal: controller.signal });
    const pending = client.retr(1);
    setTimeout(() => controller.abort(), 50);
    const err = await failure(pending);
    expect(err.code).toBe('CANCELLED');
    await s.connections[0]?.closed;
    expect(s.connections[0]?.received).not.toContain('QUIT');
  });

  it('does not even connect with a signal that is already aborted', async () => {
    const s = await serve(async (conn) => openSession(conn));
    const err = await failure(connect(s, { signal: AbortSignal.abort() }));
    expect(err.code).toBe('CANCELLED');
    expect(s.connections).toHaveLength(0);
  });
});

describe('timers', () => {
  // Only setTimeout/clearTimeout are faked, after connecting: sockets, TLS and
  // the scripted server keep running in real time, and getTimerCount() sees
  // exactly the timers the client arms.
  afterEach(() => {
    vi.useRealTimers();
  });

  it('arms one idle timer per command and clears it on an answer and on a timeout', async () => {
    const s = await serve(async (conn) => {
      await openSession(conn);
      await conn.reply('NOOP', '+OK\r\n');
      await conn.expect('RETR 1');
      conn.send('+OK\r\npart of it\r\n');
      await conn.closed;
    });
    const client = await connect(s, { timeouts: { commandIdleMs: 5000 } });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await client.noop();
    expect(vi.getTimerCount()).toBe(0);
    const failed = failure(client.retr(1));
    await vi.waitFor(() => expect(vi.getTimerCount()).toBe(1));
    await vi.advanceTimersByTimeAsync(5000);
    expect((await failed).code).toBe('TIMEOUT');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clears the timer and the abort listener when cancelled or closed mid-command', async () => {
    const s = await serve(async (conn) => {
      await openSession(conn);
      await conn.expect('RETR 1');
      await conn.closed;
    });
    const controller = new AbortController();
    const other = new AbortController();
    const a = await connect(s, { signal: controller.signal });
    const b2 = await connect(s, { signal: other.signal });
    expect(getEventListeners(other.signal, 'abort')).toHaveLength(1);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const cancelled = failure(a.retr(1));
    const closed = failure(b2.retr(1));
    await vi.waitFor(() => expect(vi.getTimerCount()).toBe(2));
    controller.abort();
    b2.close();
    expect((await cancelled).code).toBe('CANCELLED');
    expect((await closed).code).toBe('CONNECT_FAILED');
    expect(vi.getTimerCount()).toBe(0);
    // The session's signal outlives it; the client must not stay hooked to it.
    expect(getEventListeners(other.signal, 'abort')).toHaveLength(0);
  });
});
