// Conversations against the real Dovecot: joined by Message-ID, In-Reply-To
// and References even when replies arrive before their parent, across
// folders (our reply in Sent joins), and by subject as a last resort.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, deliver, seedMaildir } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { tempProfile } from '../../helpers/temp-profile.ts';
import { cliJson } from '../../helpers/run-cli.ts';
import type { MessageSummary, SendResult, ThreadSummary } from '../../../src-protocol/contract/index.ts';

const servers = inject('servers');
let user: TestUser;
let profile: string;
const cli = <T>(args: string[]) => cliJson<T>([...args, '--profile', profile], { env: { TH_PW: user.password } });

function msg(o: { id: string; subject: string; from: string; day: number; inReplyTo?: string; refs?: string[] }): string {
  return [
    `From: ${o.from}`, `To: ${user.email}`, `Subject: ${o.subject}`, `Date: Mon, ${String(o.day).padStart(2, '0')} Sep 2025 10:00:00 +0000`,
    `Message-ID: <${o.id}>`, ...(o.inReplyTo ? [`In-Reply-To: <${o.inReplyTo}>`] : []), ...(o.refs ? [`References: ${o.refs.map((r) => `<${r}>`).join(' ')}`] : []),
    'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', `${o.subject} body`, '',
  ].join('\r\n');
}

beforeAll(async () => {
  user = await createUser(servers, 'thread');
  const made = await tempProfile('postern-threads-', servers.caPem);
  profile = made.profile;
  const caFile = made.caFile;
  // The replies come first; their parent only later.
  await seedMaildir(servers, user.user, 'INBOX', [
    { raw: msg({ id: 'b@x', subject: 'Re: Trip plan', from: 'Bea <bea@example.net>', day: 2, inReplyTo: 'a@x', refs: ['a@x'] }) },
    { raw: msg({ id: 'c@x', subject: 'Re: Re: Trip plan', from: 'Cy <cy@example.net>', day: 3, inReplyTo: 'b@x', refs: ['a@x', 'b@x'] }) },
    { raw: msg({ id: 'l1@x', subject: 'Lunch', from: 'Lu <lu@example.net>', day: 4 }) },
    { raw: msg({ id: 'other@x', subject: 'Something else', from: 'Oz <oz@example.net>', day: 5 }) },
  ]);
  await cli(['account', 'add', '--name', 'Threads', '--email', user.email, '--user', user.user, '--imap', `localhost:${servers.ports.imaps}`, '--imap-security', 'tls',
    '--smtp', `localhost:${servers.ports.submissions}`, '--smtp-security', 'tls', '--ca', caFile, '--password-env', 'TH_PW']);
  await cli(['sync', '--all-folders']);
});

describe('conversations', () => {
  it('joins replies that arrived before their parent once the parent comes', async () => {
    await deliver(servers, msg({ id: 'a@x', subject: 'Trip plan', from: 'Al <al@example.net>', day: 1 }), [user.email]);
    await deliver(servers, msg({ id: 'l2@x', subject: 'RE: lunch', from: 'Me Too <me2@example.net>', day: 4 }), [user.email]);
    await cli(['sync', '--all-folders']);
    const threads = await cli<ThreadSummary[]>(['threads', '--folder', 'INBOX']);
    const trip = threads.find((t) => t.subject === 'Trip plan');
    expect(trip).toMatchObject({ count: 3, unread: 3 });
    expect(trip?.participants.map((p) => p.address).sort()).toEqual(['al@example.net', 'bea@example.net', 'cy@example.net']);
    const messages = await cli<MessageSummary[]>(['thread', String(trip?.thread_id)]);
    expect(messages.map((m) => m.subject)).toEqual(['Trip plan', 'Re: Trip plan', 'Re: Re: Trip plan']);
    // Subject as the last resort: "RE: lunch" has no references.
    expect(threads.find((t) => t.subject === 'Lunch')).toMatchObject({ count: 2 });
    expect(threads.find((t) => t.subject === 'Something else')).toMatchObject({ count: 1 });
    expect(threads).toHaveLength(3);
  });

  it('a reply sent from here joins the conversation from the Sent folder', async () => {
    const list = await cli<MessageSummary[]>(['list']);
    const c = list.find((m) => m.subject === 'Re: Re: Trip plan');
    const sent = await cli<SendResult>(['send', '--reply-to', String(c?.id), '--to', user.email, '--text', 'Count me in.']);
    expect(sent.state).toBe('sent');
    await cli(['sync', '--all-folders']);
    const trip = (await cli<ThreadSummary[]>(['threads', '--folder', 'INBOX'])).find((t) => t.subject === 'Trip plan');
    expect(trip?.folders.sort()).toEqual(['INBOX', 'Sent']);
    expect(trip?.count).toBe(5); // a, b, c, our reply in Sent, and its delivery to our INBOX
  });
});
