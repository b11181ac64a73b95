// Password sign-in to the submission server with each SASL mechanism a
// person can insist on (--smtp-auth): PLAIN, LOGIN and CRAM-MD5 against the
// real Postfix (which asks Dovecot), each proven by Postfix's own log line
// for the delivery, and a wrong password refused with the server's words.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { waitFor } from '../../servers/proc.ts';
import { cliJson, runCli } from '../../helpers/run-cli.ts';
import type { AccountSummary, OutboxItem, SendResult } from '../../../src-protocol/contract/index.ts';

const servers = inject('servers');
let work: string;
let caFile: string;
let bob: TestUser;

beforeAll(async () => {
  bob = await createUser(servers, 'saslbob');
  work = await mkdtemp(join(tmpdir(), 'postern-sasl-'));
  caFile = join(work, 'ca.pem');
  await writeFile(caFile, servers.caPem);
});

async function account(user: TestUser, method: string, env: Record<string, string>): Promise<string> {
  const profile = join(work, user.user);
  const added = await cliJson<AccountSummary>(['account', 'add', '--profile', profile, '--name', 'Sasl', '--email', user.email, '--user', user.user,
    '--imap', `localhost:${servers.ports.imaps}`, '--imap-security', 'tls', '--smtp', `localhost:${servers.ports.submission}`, '--smtp-security', 'starttls',
    '--smtp-auth', method, '--ca', caFile, '--password-env', 'SASL_PW'], { env });
  expect(added.smtp.auth_method).toBe(method.toUpperCase());
  return profile;
}

describe('SMTP password sign-in by mechanism', () => {
  for (const method of ['plain', 'login', 'cram-md5']) {
    it(`sends with AUTH ${method.toUpperCase()}`, async () => {
      const me = await createUser(servers, `sasl${method.replace('-', '')}`);
      const env = { SASL_PW: me.password };
      const profile = await account(me, method, env);
      const sent = await cliJson<SendResult>(['send', '--profile', profile, '--to', bob.email, '--subject', `Via ${method}`, '--text', 'x'], { env });
      expect(sent.state).toBe('sent');
      const line = await waitFor(async () => (await readFile(servers.paths.postfixLog, 'utf8')).split('\n').find((l) => l.includes(`sasl_username=${me.user}`)), 10_000, 'the log line');
      expect(line).toContain(`sasl_method=${method.toUpperCase()},`);
    });
  }

  it('refuses a wrong password with CRAM-MD5, in the server\'s words', async () => {
    const me = await createUser(servers, 'saslwrong');
    const profile = await account(me, 'cram-md5', { SASL_PW: me.password });
    const r = await runCli(['send', '--profile', profile, '--to', bob.email, '--subject', 'Never', '--text', 'x'], { env: { SASL_PW: 'not the password' } });
    expect(r.code).not.toBe(0);
    // The send stops (kept in the Outbox as failed, not retried) with the server's answer,
    // reported as a sign-in failure (the account needs fixing), not as a refused message.
    expect(r.stderr).toMatch(/refused the user name or password: 535 5\.7\.8 .*It is kept in the Outbox\. \[AUTH_FAILED\]/);
    const kept = await cliJson<OutboxItem[]>(['outbox', 'list', '--profile', profile, '--json'], { env: { SASL_PW: 'not the password' } });
    expect(kept.map((o) => [o.state, o.last_error_code])).toEqual([['failed', 'AUTH_FAILED']]);
  });

  it('refuses a mechanism it does not know', async () => {
    const r = await runCli(['account', 'add', '--profile', join(work, 'bad'), '--name', 'X', '--email', 'x@example.test', '--user', 'x',
      '--imap', 'localhost:993', '--smtp', 'localhost:587', '--smtp-auth', 'digest-md5', '--password-env', 'SASL_PW'], { env: { SASL_PW: 'x' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--smtp-auth takes plain, login or cram-md5/);
  });
});
