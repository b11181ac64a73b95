// A draft of a rich-text reply keeps what it answers, its HTML and its
// identity through saving, sending and undo-send (engine against the real
// servers).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createUser, seedMaildir, waitForMessage } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { plainMessage } from '../../fixtures/messages.ts';
import { createInProcessEngine, type InProcessEngine } from '../../../src-protocol/service/engine.ts';
import { EnvCredentialStore } from '../../../src-protocol/accounts/credentials.ts';
import type { Draft, MessageSummary, SendResult } from '../../../src-protocol/contract/index.ts';

const servers = inject('servers');
let me: TestUser;
let friend: TestUser;
let engine: InProcessEngine;
let originalId: number;

async function call<T>(name: string, input: unknown): Promise<T> {
  const r = await engine.dispatcher.call(name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

beforeAll(async () => {
  [me, friend] = await Promise.all([createUser(servers, 'dome'), createUser(servers, 'dofr')]);
  await seedMaildir(servers, me.user, 'INBOX', [{ raw: plainMessage({ from: friend.email, to: me.email, subject: 'Question', body: 'Well?', date: 'Mon, 01 Sep 2025 10:00:00 +0000', id: 'q@x' }) }]);
  engine = createInProcessEngine({ profileDir: join(await mkdtemp(join(tmpdir(), 'postern-dorig-')), 'p'), credentials: new EnvCredentialStore({}) });
  await call('mail:accounts.add', {
    name: 'Origin', email: me.email, user: me.user, password: me.password, ca_pem: servers.caPem,
    imap: { host: 'localhost', port: servers.ports.imaps, security: 'tls' }, smtp: { host: 'localhost', port: servers.ports.submissions, security: 'tls' },
  });
  await call('mail:sync.account', { account_id: 'origin' });
  originalId = (await call<MessageSummary[]>('mail:messages.list', { account_id: 'origin' }))[0]?.id as number;
});

afterAll(async () => {
  await engine?.dispatcher.close();
});

it('a saved reply draft keeps its origin and HTML, and sending it threads and marks the original', async () => {
  const saved = await call<{ draft_id: number }>('mail:drafts.save', {
    account_id: 'origin', to: [friend.email], subject: 'Re: Question', text: '', html: '<p>Yes, <b>indeed</b>.</p>', in_reply_to_id: originalId,
  });
  expect(await call<Draft>('mail:drafts.get', { draft_id: saved.draft_id })).toMatchObject({ html: '<p>Yes, <b>indeed</b>.</p>', in_reply_to_id: originalId });
  const sent = await call<SendResult>('mail:drafts.send', { draft_id: saved.draft_id });
  const got = await simpleParser(await waitForMessage(servers, friend, 'INBOX', sent.message_id));
  expect(got.inReplyTo).toBe('<q@x>');
  expect(got.html).toContain('<b>indeed</b>');
  expect(got.text).toContain('Yes, indeed.');
  const original = (await call<MessageSummary[]>('mail:messages.list', { account_id: 'origin' })).find((m) => m.id === originalId);
  expect(original?.flags).toContain('\\Answered');
});

it('undo send gives back a reply with what it answers and its HTML', async () => {
  const queued = await call<SendResult>('mail:send', {
    account_id: 'origin', to: [friend.email], subject: 'Re: Question', text: '', html: '<p>Second thoughts</p>', in_reply_to_id: originalId, delay_seconds: 60,
  });
  expect(queued.state).toBe('queued');
  const undone = await call<{ draft: { in_reply_to_id?: number; html?: string; subject: string } }>('mail:outbox.cancel', { id: queued.outbox_id });
  expect(undone.draft).toMatchObject({ in_reply_to_id: originalId, html: '<p>Second thoughts</p>', subject: 'Re: Question' });
});
