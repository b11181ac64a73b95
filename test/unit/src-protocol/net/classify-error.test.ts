// Errors come from the real thing wherever one is at hand: Node sockets,
// imapflow and nodemailer against the test Dovecot/Postfix and against local
// listeners. The shapes that cannot be provoked cheaply are written out as
// the libraries build them.
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { TestUser } from '../../../servers/harness.ts';
import { PosternError } from '../../../../src-protocol/common/errors.ts';
import { classifyNetworkError } from '../../../../src-protocol/net/classify-error.ts';
import { tlsOptions } from '../../../../src-protocol/net/tls-policy.ts';

const servers = inject('servers');
const alice: TestUser = servers.users[0] ?? (() => {
  throw new Error('the test servers have no users');
})();

const IMAP = 'The IMAP server localhost:1993';

/** Listeners a test opened, with their accepted sockets, closed afterwards. */
const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

async function listen(onSocket: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    onSocket(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return { server, port: (server.address() as { port: number }).port };
}

/** A port on 127.0.0.1 that nobody listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const { server, port } = await listen(() => undefined);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => {
    throw new Error('expected a failure');
  }, (err: unknown) => err);
}

describe('classifyNetworkError with real failures', () => {
  it('a refused connection is CONNECT_FAILED, naming the server and the reason', async () => {
    const port = await closedPort();
    const err = await new Promise<Error>((resolve) => netConnect(port, '127.0.0.1').on('error', resolve));
    const result = classifyNetworkError(err, `The IMAP server 127.0.0.1:${port}`);
    expect(result).toBeInstanceOf(PosternError);
    expect(result.code).toBe('CONNECT_FAILED');
    expect(result.message).toContain(`The IMAP server 127.0.0.1:${port}`);
    expect(result.message).toContain('ECONNREFUSED');
    expect(result.cause).toBe(err);
  });

  it('imapflow refused by a closed port is CONNECT_FAILED', async () => {
    const port = await closedPort();
    const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user: 'a', pass: 'b' }, logger: false });
    client.on('error', () => undefined);
    const err = await caught(client.connect());
    client.close();
    expect(classifyNetworkError(err, IMAP).code).toBe('CONNECT_FAILED');
  });

  it('an untrusted certificate (the test Dovecot, without its CA) is TLS_UNTRUSTED and suggests adding the CA', async () => {
    const err = await new Promise<Error>((resolve, reject) => {
      const socket = tlsConnect({ ...tlsOptions('localhost'), host: servers.host, port: servers.ports.imaps });
      socket.on('error', resolve);
      socket.on('secureConnect', () => {
        socket.destroy();
        reject(new Error('the handshake should have failed'));
      });
    });
    const result = classifyNetworkError(err, IMAP);
    expect(result.code).toBe('TLS_UNTRUSTED');
    expect(result.message).toContain(IMAP);
    expect(result.message).toMatch(/CA certificate/);
  });

  it('imapflow with an untrusted certificate is TLS_UNTRUSTED', async () => {
    const client = new ImapFlow({
      host: 'localhost', port: servers.ports.imaps, secure: true, tls: tlsOptions('localhost'),
      auth: { user: alice.user, pass: alice.password }, logger: false,
    });
    client.on('error', () => undefined);
    const err = await caught(client.connect());
    client.close();
    expect(classifyNetworkError(err, IMAP).code).toBe('TLS_UNTRUSTED');
  });

  it('imapflow\'s failed login (authenticationFailed) is AUTH_FAILED with the server\'s words', async () => {
    const client = new ImapFlow({
      host: 'localhost', port: servers.ports.imaps, secure: true, tls: tlsOptions('localhost', { caPem: servers.caPem }),
      auth: { user: alice.user, pass: 'wrong-password' }, logger: false,
    });
    client.on('error', () => undefined);
    const err = await caught(client.connect());
    client.close();
    expect((err as { authenticationFailed?: unknown }).authenticationFailed).toBe(true);
    const result = classifyNetworkError(err, IMAP);
    expect(result.code).toBe('AUTH_FAILED');
    expect(result.message).toContain(`${IMAP} refused the user name or password`);
    expect(result.message).not.toContain('wrong-password');
  });

  it('nodemailer\'s EAUTH (the test Postfix, wrong password) is AUTH_FAILED quoting the server', async () => {
    const transport = nodemailer.createTransport({
      host: 'localhost', port: servers.ports.submissions, secure: true, tls: tlsOptions('localhost', { caPem: servers.caPem }),
      auth: { user: alice.user, pass: 'wrong-password' }, logger: false,
    });
    const err = await caught(transport.sendMail({ envelope: { from: alice.email, to: [alice.email] }, raw: Buffer.from('Subject: x\r\n\r\nx\r\n') }));
    transport.close();
    expect((err as { code?: unknown }).code).toBe('EAUTH');
    const server = `The SMTP server localhost:${servers.ports.submissions}`;
    const result = classifyNetworkError(err, server);
    expect(result.code).toBe('AUTH_FAILED');
    expect(result.message).toContain(server);
    expect(result.serverText).toMatch(/^535/);
    expect(result.message).toContain(result.serverText);
  });

  it('nodemailer\'s greeting timeout (ETIMEDOUT, a server that never speaks) is TIMEOUT', async () => {
    const { port } = await listen(() => undefined);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, greetingTimeout: 200, logger: false });
    const err = await caught(transport.sendMail({ envelope: { from: 'a@example.test', to: ['b@example.test'] }, raw: Buffer.from('x') }));
    transport.close();
    expect((err as { code?: unknown }).code).toBe('ETIMEDOUT');
    const result = classifyNetworkError(err, `The SMTP server 127.0.0.1:${port}`);
    expect(result.code).toBe('TIMEOUT');
    expect(result.message).toBe(`The SMTP server 127.0.0.1:${port} did not answer in time.`);
  });
});

describe('classifyNetworkError with the libraries\' error shapes', () => {
  const make = (message: string, props: Record<string, unknown>): Error => Object.assign(new Error(message), props);

  it('Node and imapflow timeouts are TIMEOUT', () => {
    for (const code of ['ETIMEDOUT', 'ETIMEOUT', 'CONNECT_TIMEOUT']) {
      const result = classifyNetworkError(make('timed out', { code }), IMAP);
      expect(result.code, code).toBe('TIMEOUT');
      expect(result.message).toContain(IMAP);
    }
  });

  it('connection failures, including one carried as the cause, are CONNECT_FAILED', () => {
    for (const code of ['EHOSTUNREACH', 'ENOTFOUND', 'ECONNRESET', 'NoConnection']) {
      expect(classifyNetworkError(make('gone', { code }), IMAP).code, code).toBe('CONNECT_FAILED');
    }
    const wrapped = make('Connection failed', { cause: make('connect ECONNREFUSED', { code: 'ECONNREFUSED' }) });
    const result = classifyNetworkError(wrapped, IMAP);
    expect(result.code).toBe('CONNECT_FAILED');
    expect(result.message).toContain('ECONNREFUSED');
  });

  it('a certificate error carried as the cause is TLS_UNTRUSTED', () => {
    const wrapped = make('Failed to connect', { cause: make('self-signed certificate', { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }) });
    expect(classifyNetworkError(wrapped, IMAP).code).toBe('TLS_UNTRUSTED');
  });

  it('authentication failures recognised by the server\'s words are AUTH_FAILED', () => {
    const err = make('Command failed', { response: 'A1 NO [AUTHENTICATIONFAILED] Authentication failed.' });
    const result = classifyNetworkError(err, IMAP);
    expect(result.code).toBe('AUTH_FAILED');
    expect(result.serverText).toBe('A1 NO [AUTHENTICATIONFAILED] Authentication failed.');
  });

  it('other TLS failures are TLS_FAILED', () => {
    expect(classifyNetworkError(make('wrong version number', { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }), IMAP).code).toBe('TLS_FAILED');
    expect(classifyNetworkError(make('Error initiating TLS - socket hang up', { code: 'ETLS' }), IMAP).code).toBe('TLS_FAILED');
  });

  it('a refusal with server text is SERVER_REFUSED quoting it (trimmed, at most 500 characters)', () => {
    const result = classifyNetworkError(make('Command failed', { responseText: `  Mailbox is locked ${'x'.repeat(600)}  ` }), IMAP);
    expect(result.code).toBe('SERVER_REFUSED');
    expect(result.serverText).toHaveLength(500);
    expect(result.serverText?.startsWith('Mailbox is locked')).toBe(true);
    expect(result.message).toContain(`${IMAP} said: Mailbox is locked`);
  });

  it('anything else is PROTOCOL naming the server; odd throwables do not break it', () => {
    const parser = classifyNetworkError(make('Unexpected token', { code: 'ParserError3' }), IMAP);
    expect(parser.code).toBe('PROTOCOL');
    expect(parser.message).toBe(`${IMAP}: Unexpected token`);
    for (const odd of [null, undefined, 'a string', 42, {}]) {
      const result = classifyNetworkError(odd, IMAP);
      expect(result).toBeInstanceOf(PosternError);
      expect(result.code).toBe('PROTOCOL');
      expect(result.message).toContain(IMAP);
    }
  });

  it('an error that is already a PosternError passes through unchanged', () => {
    const original = new PosternError('CREDENTIAL_MISSING', 'No password.');
    expect(classifyNetworkError(original, IMAP)).toBe(original);
  });
});
