// Regressions: each case was a bug found by the engine's unit tests.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { describe, expect, inject, it } from 'vitest';
import { AccountConfig, accountIdFromName, type StoredAccountInput } from '../../../src-protocol/accounts/account-config.ts';
import { EnvCredentialStore } from '../../../src-protocol/accounts/credentials.ts';
import { hostPort } from '../../../src-protocol/cli/args.ts';
import { classifyNetworkError } from '../../../src-protocol/net/classify-error.ts';
import { tlsOptions } from '../../../src-protocol/net/tls-policy.ts';
import { startEngine } from '../../../src-protocol/service/engine-host.ts';

const servers = inject('servers');
const alice = servers.users[0] ?? (() => { throw new Error('no users'); })();

describe('fixed bugs stay fixed', () => {
  it('nodemailer, untrusted certificate (ESOCKET + originalCode) -> TLS_UNTRUSTED', async () => {
    for (const [port, secure] of [[servers.ports.submissions, true], [servers.ports.submission, false]] as const) {
      const transport = nodemailer.createTransport({
        host: 'localhost', port, secure, requireTLS: !secure, tls: tlsOptions('localhost'),
        auth: { user: alice.user, pass: alice.password }, logger: false,
      });
      const err = await transport.sendMail({ envelope: { from: alice.email, to: [alice.email] }, raw: Buffer.from('x') }).then(() => null, (e: unknown) => e);
      transport.close();
      expect(classifyNetworkError(err, 'The SMTP server').code, `port ${port}`).toBe('TLS_UNTRUSTED');
    }
  });

  it('imapflow GREETING_TIMEOUT -> TIMEOUT', async () => {
    const sockets: Socket[] = [];
    const server = createServer((s) => { sockets.push(s); s.on('error', () => undefined); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user: 'a', pass: 'b' }, logger: false, greetingTimeout: 200 });
    client.on('error', () => undefined);
    const err = await client.connect().then(() => null, (e: unknown) => e);
    client.close();
    for (const s of sockets) s.destroy();
    server.close();
    expect((err as { code?: unknown }).code).toBe('GREETING_TIMEOUT');
    expect(classifyNetworkError(err, 'The IMAP server').code).toBe('TIMEOUT');
    expect(classifyNetworkError(Object.assign(new Error('Failed to upgrade connection in required time'), { code: 'UPGRADE_TIMEOUT' }), 'S').code).toBe('TIMEOUT');
  });

  it('an abort inside withImap (AbortError) -> CANCELLED, not PROTOCOL', () => {
    const controller = new AbortController();
    controller.abort();
    expect(classifyNetworkError(controller.signal.reason, 'The IMAP server').code).toBe('CANCELLED');
  });

  it('accountIdFromName drops diacritics instead of splitting at them', () => {
    expect(accountIdFromName('Müller', new Set())).toBe('muller');
    expect(accountIdFromName('Ünïcödé Café', new Set())).toBe('unicode-cafe');
  });

  it('AccountConfig.add never writes fields outside StoredAccount (e.g. a password)', async () => {
    const profile = await mkdtemp(join(tmpdir(), 'postern-bug5-'));
    try {
      const account = {
        id: 'work', name: 'Work', email: 'w@example.test', user: 'w',
        imap: { host: 'imap.example.test', port: 993, security: 'tls' }, smtp: { host: 'smtp.example.test', port: 465, security: 'tls' },
        credential: { kind: 'session' }, ca_file: null, password: 'hunter2',
      } as StoredAccountInput;
      await new AccountConfig(profile).add(account);
      expect(await readFile(join(profile, 'accounts.json'), 'utf8')).not.toContain('hunter2');
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  });

  it('hostPort refuses an empty host "[]:993"', () => {
    expect(() => hostPort('[]:993', '--imap')).toThrow(/HOST:PORT/);
  });

  it('startEngine honours a signal that was aborted before the call', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'postern-bug7-'));
    const engine = await startEngine({ profileDir: join(dir, 'profile'), credentials: new EnvCredentialStore({}) });
    try {
      const controller = new AbortController();
      controller.abort();
      const result = await engine.call('mail:accounts.add', {
        name: 'Alice', email: alice.email, user: alice.user, password: alice.password,
        imap: { host: 'localhost', port: servers.ports.imaps, security: 'tls' },
        smtp: { host: 'localhost', port: servers.ports.submissions, security: 'tls' },
        ca_pem: servers.caPem,
      }, controller.signal);
      expect(result).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
      expect(await engine.call('mail:accounts.list', {})).toEqual({ ok: true, value: [] });
    } finally {
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 15_000);
});
